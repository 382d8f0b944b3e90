#!/usr/bin/env bash
# Starts nginx in the foreground on 127.0.0.1:PORT in front of the given
# service instances, with a throw-away directory for its configuration,
# logs, pid file and temporary files:
#
#   run.sh DIR PORT UPSTREAM_PORT [UPSTREAM_PORT...]
#
# DIR is an absolute path of letters, digits and "/._-" only, and must
# exist and be empty or be new; the access log is DIR/access.log. Ports are
# 1 to 65535, in decimal digits. Anything else is refused (exit status 2)
# before the configuration is written: these values are pasted into it.
# Stop nginx with SIGTERM (or SIGQUIT) to the process this script becomes.
set -euo pipefail
usage() {
	echo "usage: $0 DIR PORT UPSTREAM_PORT [UPSTREAM_PORT...]" >&2
	exit 2
}
# valid_port reports whether $1 is a port: 1 to 65535, digits only.
valid_port() {
	[[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && (( $1 <= 65535 ))
}
# valid_dir reports whether $1 is an absolute path that nginx's
# configuration and sed take as it is: no space, quote, ';', '{', '}',
# '$', '#', '|', '&', '\', line break or other byte that would end a
# directive, start a variable or a comment, or break the substitution.
valid_dir() {
	[[ $1 =~ ^/[A-Za-z0-9/._-]*$ ]]
}
if [ $# -lt 3 ]; then
	usage
fi
here=$(cd "$(dirname "$0")" && pwd)
dir=$1 port=$2
shift 2
if ! valid_dir "$dir"; then
	echo "$0: DIR must be an absolute path of letters, digits and /._- only" >&2
	usage
fi
for p in "$port" "$@"; do
	if ! valid_port "$p"; then
		echo "$0: a port is a number from 1 to 65535" >&2
		usage
	fi
done
mkdir -p "$dir/tmp" "$dir/www/private"
dir=$(cd "$dir" && pwd -P)
if ! valid_dir "$dir"; then # where a symbolic link led
	echo "$0: DIR must be an absolute path of letters, digits and /._- only" >&2
	usage
fi
echo "private page, served by nginx after auth_request" > "$dir/www/private/index.html"
cp "$here/proxy_headers.conf" "$dir/proxy_headers.conf"
rm -rf "$dir/web" && cp -R "$here/../web" "$dir/web" # the reference web client, served at /
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
unset NGINX # nginx itself reads NGINX, as sockets to inherit
"$nginx" -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
exec "$nginx" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
