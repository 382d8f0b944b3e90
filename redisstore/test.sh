#!/usr/bin/env bash
# Runs the redisstore tests against a throw-away redis-server: started on a
# free loopback port with a temporary directory (append-only persistence on,
# no snapshots), given to the tests in JWTKIT_REDIS_ADDR, and stopped at the
# end whatever happens. JWTKIT_REDIS_SERVER (the binary, found on PATH unless
# set) lets the fault tests run servers of their own to crash and restart.
#
#   redisstore/test.sh                              # go test -race -count=1 ./...
#   redisstore/test.sh -run '^$' -bench . ./...     # other go test arguments
set -euo pipefail
cd "$(dirname "$0")"

server=${JWTKIT_REDIS_SERVER:-$(command -v redis-server || true)}
if [ -z "$server" ] || [ ! -x "$server" ]; then
	echo "redis-server not found: install it (Debian package redis-server) or set JWTKIT_REDIS_SERVER" >&2
	exit 1
fi

dir=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pong PORT: whether a Redis server answers PING on 127.0.0.1:PORT.
pong() {
	local reply
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'PING\r\n' >&3
	IFS= read -r -t 2 reply <&3 || true
	exec 3<&- 3>&-
	[ "$reply" = $'+PONG\r' ]
}

port=
for _ in $(seq 20); do
	candidate=$((30000 + (RANDOM * 32768 + RANDOM) % 30000))
	if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		continue # in use
	fi
	"$server" --port "$candidate" --bind 127.0.0.1 --dir "$dir" --save '' \
		--appendonly yes --daemonize no --logfile "$dir/redis.log" &
	pid=$!
	for _ in $(seq 100); do
		if pong "$candidate" 2>/dev/null; then
			port=$candidate
			break 2
		fi
		kill -0 "$pid" 2>/dev/null || break # it could not bind: try another port
		sleep 0.05
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
done
if [ -z "$port" ]; then
	echo "could not start redis-server:" >&2
	cat "$dir/redis.log" >&2 || true
	exit 1
fi

echo "redis-server $("$server" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port"
if [ $# -eq 0 ]; then
	set -- -race -count=1 ./...
fi
JWTKIT_REDIS_ADDR=127.0.0.1:$port JWTKIT_REDIS_SERVER=$server go test "$@"
