// Package e2e holds the end-to-end test of the reference auth service: it
// builds the service and the jwt command, starts a throw-away redis-server,
// two instances of the service sharing it and one key, and nginx in front
// of them (../nginx/run.sh), the instances told nginx's URL as
// --external-url, and drives the service's whole HTTP contract through
// nginx with a real client, DPoP included (a dpop.Transport; proofs
// replayed across the instances, made for another method, URL or key; the
// bound token as Bearer; refresh with and without the key; /private/
// through auth_request; queries refused; the limit on failed logins); a
// second pair without --external-url, DPoP checked against the Host header
// nginx passes on (to /_auth too), whose upstreams then fail with a token
// in the Referer; a third pair with short token lifetimes for expiry. At
// the end it checks that no log, nginx's error log included, holds a token
// or a proof.
//
// TestReplicas starts three instances on one Redis without --key, sharing
// keys through it, with a short --rotate-every, and nginx in front: tokens
// of each verify on the others, all serve the same set within the stated
// 2 s of each change (measured), rotation keeps old tokens valid, a killed
// instance's tokens go on working, a key withdrawn with the withdraw-key
// subcommand stops verifying everywhere within 2 s (measured), and no log
// holds a token or a key, nor Redis a private key. TestReplicasCluster
// runs the same on a throw-away Redis Cluster of three masters and three
// replicas (--store redis-cluster://…; redis-cli, Debian package
// redis-tools, makes the cluster).
//
// Run it with ./run.sh, which runs the service's other tests too and fails
// rather than skips when nginx or redis-server is missing, or with
//
//	cd examples/authserver && go test -count=1 -v -run TestEndToEnd ./e2e/
//
// which skips then. JWTKIT_NGINX and JWTKIT_REDIS_SERVER name the binaries
// if they are not on PATH (nginx is also looked for in /usr/sbin);
// JWTKIT_E2E_REQUIRED=1 turns the skip into a failure. The test runs on
// Linux (its processes die with it, by PR_SET_PDEATHSIG).
package e2e
