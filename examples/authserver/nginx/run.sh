#!/usr/bin/env bash
# Starts nginx in the foreground on 127.0.0.1:PORT in front of the given
# service instances, with a throw-away directory for its configuration,
# logs, pid file and temporary files:
#
#   run.sh DIR PORT UPSTREAM_PORT [UPSTREAM_PORT...]
#
# DIR must exist and be empty or new; the access log is DIR/access.log. Stop
# nginx with SIGTERM (or SIGQUIT) to the process this script becomes.
set -euo pipefail
if [ $# -lt 3 ]; then
	echo "usage: $0 DIR PORT UPSTREAM_PORT [UPSTREAM_PORT...]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
dir=$1 port=$2
shift 2
mkdir -p "$dir/tmp" "$dir/www/private"
dir=$(cd "$dir" && pwd)
echo "private page, served by nginx after auth_request" > "$dir/www/private/index.html"
upstreams=""
for p in "$@"; do upstreams="${upstreams}server 127.0.0.1:$p; "; done
# Started as root, nginx runs its workers as nobody, who may not reach DIR
# (a private temporary directory): keep them as root then. Otherwise the
# workers run as the caller anyway.
user=""
if [ "$(id -u)" = 0 ]; then user="user root;"; fi
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@UPSTREAMS@|$upstreams|g" -e "s|@USER@|$user|" \
	"$here/nginx.conf.tmpl" > "$dir/nginx.conf"
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
"$nginx" -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
exec "$nginx" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
