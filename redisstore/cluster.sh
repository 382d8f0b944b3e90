#!/usr/bin/env bash
# Runs the redisstore tests against a throw-away Redis Cluster: six
# redis-server processes (--cluster-enabled yes) on free loopback ports in a
# temporary directory, made into three masters and three replicas by
# redis-cli --cluster create, given to the tests in
# JWTKIT_REDIS_CLUSTER_ADDRS (comma-separated), and stopped at the end
# whatever happens. The cluster tests (TestCluster*) kill a master to test
# failover; the cluster is not reused.
#
#   redisstore/cluster.sh                          # go test -count=1 -run '^TestCluster' ./...
#   redisstore/cluster.sh -race -run Cluster .     # other go test arguments
set -euo pipefail
cd "$(dirname "$0")"

server=${JWTKIT_REDIS_SERVER:-$(command -v redis-server || true)}
cli=${JWTKIT_REDIS_CLI:-$(command -v redis-cli || true)}
if [ -z "$server" ] || [ -z "$cli" ]; then
	echo "redis-server or redis-cli not found: install them (Debian packages redis-server and redis-tools)" >&2
	exit 1
fi

dir=$(mktemp -d)
pids=()
cleanup() {
	# The servers are disowned (so that the shell does not report the
	# master the tests kill): wait for them by polling, up to 5 s.
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for _ in $(seq 100); do
		alive=
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ -z "$alive" ] && break
		sleep 0.05
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free PORT: whether nothing listens on 127.0.0.1:PORT.
free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pong PORT: whether a Redis server answers PING on 127.0.0.1:PORT.
pong() {
	local reply
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'PING\r\n' >&3
	IFS= read -r -t 2 reply <&3 || true
	exec 3<&- 3>&-
	[ "$reply" = $'+PONG\r' ]
}

started=$(date +%s%N)
ports=()
for i in $(seq 0 5); do
	up=
	for _ in $(seq 20); do
		# The cluster bus listens on PORT+10000: both must be free.
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 25000))
		free "$port" && free $((port + 10000)) || continue
		mkdir -p "$dir/$port"
		"$server" --port "$port" --bind 127.0.0.1 --dir "$dir/$port" --save '' --appendonly no \
			--cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
			--daemonize no --logfile "$dir/$port/redis.log" &
		pid=$!
		for _ in $(seq 100); do
			if pong "$port" 2>/dev/null; then
				up=1
				break
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if [ -n "$up" ]; then
			disown "$pid"
			pids+=("$pid")
			ports+=("$port")
			break
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -z "$up" ]; then
		echo "could not start redis-server $i" >&2
		exit 1
	fi
done

addrs=()
for p in "${ports[@]}"; do
	addrs+=("127.0.0.1:$p")
done
"$cli" --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 || {
	cat "$dir/create.log" >&2
	exit 1
}
# Wait until every node sees the cluster as ok.
for p in "${ports[@]}"; do
	for _ in $(seq 200); do
		"$cli" -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && break
		sleep 0.05
	done
done
echo "redis cluster of 3 masters and 3 replicas on ${addrs[*]}: up in $((($(date +%s%N) - started) / 1000000)) ms"

if [ $# -eq 0 ]; then
	set -- -count=1 -run '^TestCluster' ./...
fi
JWTKIT_REDIS_CLUSTER_ADDRS=$(
	IFS=,
	echo "${addrs[*]}"
) go test "$@"
