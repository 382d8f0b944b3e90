#!/usr/bin/env bash
# Measures the reference stack under load: starts a throw-away redis-server,
# one instance of the reference auth service (examples/authserver) on it,
# and nginx in front of it (examples/authserver/nginx/run.sh), then runs
# the load generator (internal/loadgen) against:
#
#   GET / through nginx        nginx serving a static file: the box's limit
#   GET /api/me through nginx  and directly: verify, revocation check on Redis
#   POST /token/refresh        through nginx and directly: a refresh on Redis
#
# at each number of concurrent clients of CLIENTS, for DURATION each, and
# prints a Markdown table. Everything it starts is stopped at the end,
# whatever happens.
#
#   benchmarks/load.sh                          # CLIENTS=1,16,64 DURATION=5s
#   SHORT=1 benchmarks/load.sh                  # CI's smoke run: 1 and 4 clients, 200ms
#   CLIENTS=1,8 DURATION=2s benchmarks/load.sh
#
# The load generator runs on the same machine as everything it measures:
# the figures say what one box does, with the load generator's own work
# taken from it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

if [ "${SHORT:-0}" = 1 ]; then
	CLIENTS=${CLIENTS:-1,4}
	DURATION=${DURATION:-200ms}
fi
CLIENTS=${CLIENTS:-1,16,64}
DURATION=${DURATION:-5s}

redis=${JWTKIT_REDIS_SERVER:-$(command -v redis-server || true)}
nginx=${JWTKIT_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
for bin in "$redis" "$nginx"; do
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		echo "load.sh: redis-server and nginx are needed (Debian packages redis-server, nginx)" >&2
		exit 1
	fi
done

dir=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a loopback port nothing listens on, below the kernel's
# range of ephemeral ports (32768 and up here), so that no outgoing
# connection holds it; a server that still cannot bind it is started again
# on another (see start_redis, start_nginx).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "load.sh: no free port" >&2
	return 1
}

echo "load.sh: building the service and the load generator" >&2
go build -C "$root/examples/authserver" -o "$dir/authserver" .
go build -C "$here" -o "$dir/loadgen" ./internal/loadgen
loadgen="$dir/loadgen"

# up PID PORT waits until something answers on PORT, or PID has exited
# (it could not bind the port: another program took it first).
up() {
	for _ in $(seq 600); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && kill -0 "$1" 2>/dev/null; then return 0; fi
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

redis_port=
for _ in $(seq 5); do
	port=$(free_port)
	"$redis" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
		--daemonize no --logfile "$dir/redis.log" &
	pid=$!
	if up "$pid" "$port"; then
		pids+=("$pid")
		redis_port=$port
		break
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
if [ -z "$redis_port" ]; then
	echo "load.sh: redis-server did not start:" >&2
	cat "$dir/redis.log" >&2
	exit 1
fi

# One user; the cost of its hash does not matter: every login costs the
# service's bcrypt work at the default cost at least.
printf 'bench-password' | "$dir/authserver" hash-password --cost 4 >"$dir/hash"
echo "bench:$(cat "$dir/hash"):read" >"$dir/users"

# The service picks its own port (no race with another program for it)
# and says which in its log.
"$dir/authserver" --addr 127.0.0.1:0 --users "$dir/users" --store "redis://127.0.0.1:$redis_port" \
	>"$dir/authserver.log" 2>&1 &
pids+=($!)
svc_port=
for _ in $(seq 600); do
	svc_port=$(sed -n 's/.*msg=listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/authserver.log" | head -n 1)
	if [ -n "$svc_port" ]; then break; fi
	sleep 0.05
done
if [ -z "$svc_port" ]; then
	echo "load.sh: the service did not start:" >&2
	cat "$dir/authserver.log" >&2
	exit 1
fi
nginx_port=
for attempt in $(seq 5); do
	port=$(free_port)
	NGINX=$nginx "$root/examples/authserver/nginx/run.sh" "$dir/nginx$attempt" "$port" "$svc_port" >"$dir/nginx.log" 2>&1 &
	pid=$!
	if up "$pid" "$port"; then
		pids+=("$pid")
		nginx_port=$port
		ln -sfn "$dir/nginx$attempt" "$dir/nginx"
		break
	fi
	wait "$pid" 2>/dev/null || true
done
if [ -z "$nginx_port" ]; then
	echo "load.sh: nginx did not start:" >&2
	cat "$dir/nginx.log" >&2
	exit 1
fi

if ! "$loadgen" -wait "http://127.0.0.1:$svc_port/healthz" || ! "$loadgen" -wait "http://127.0.0.1:$nginx_port/healthz"; then
	tail -n 20 "$dir/redis.log" "$dir/authserver.log" "$dir/nginx.log" "$dir/nginx/error.log" >&2 || true
	exit 1
fi

svc="http://127.0.0.1:$svc_port"
proxy="http://127.0.0.1:$nginx_port"
run() { "$loadgen" -clients "$CLIENTS" -duration "$DURATION" "$@"; }
echo "Ran $(date -u +%Y-%m-%d) on $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $("$nginx" -v 2>&1 | cut -d/ -f2), Redis $("$redis" --version | sed 's/.*v=\([^ ]*\).*/\1/'), $(go version | cut -d' ' -f3); clients $CLIENTS, $DURATION each."
echo
run -header -target static -via nginx -base "$proxy"
run -target me -via nginx -base "$proxy"
run -target me -via direct -base "$svc"
run -target refresh -via nginx -base "$proxy"
run -target refresh -via direct -base "$svc"
