#!/usr/bin/env bash
# Runs the tests of the reference auth service: its own tests, and the
# end-to-end test (two instances on a throw-away redis-server behind nginx,
# the whole HTTP contract through nginx, expiry with short lifetimes, and a
# check that no log holds a token; then three instances sharing keys through
# Redis without --key, TestReplicas, and on a Redis Cluster,
# TestReplicasCluster). The end-to-end tests fail, rather than skip, when
# nginx, redis-server or redis-cli is missing (JWTKIT_NGINX,
# JWTKIT_REDIS_SERVER and JWTKIT_REDIS_CLI name them if they are not on
# PATH).
#
#   examples/authserver/e2e/run.sh                         # from anywhere
#   examples/authserver/e2e/run.sh -run '^TestEndToEnd$'   # more go test arguments
#
# Without arguments it then runs the reference web client in a real
# browser against the same stack (nginx, two instances, Redis): the test
# TestWebClient of the module browser/ (chromedp is no dependency of the
# service), which fails, rather than skips, when Chromium is missing too
# (JWTKIT_CHROMIUM names it if it is not on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
JWTKIT_E2E_REQUIRED=1 go test -count=1 -timeout 8m -v "$@" ./...
if [ $# -eq 0 ]; then
	cd ../../browser
	JWTKIT_BROWSER_REQUIRED=1 exec go test -count=1 -timeout 3m -v -run '^TestWebClient$' ./...
fi
