package main

import (
	"strings"
	"time"

	"github.com/jwtkit/jwt/redisstore"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// clusterScheme begins a --store naming a Redis Cluster:
// redis-cluster://HOST:PORT[?addr=HOST:PORT&addr=…], the nodes to ask for
// the cluster's layout (one is enough).
const clusterScheme = "redis-cluster://"

// clusterStore returns a client of the Redis Cluster named by url, and the
// session store on it, with the timeouts of the single-server store.
func clusterStore(url string) (*redis.ClusterClient, *redisstore.Store, error) {
	opts, err := redis.ParseClusterURL("redis://" + strings.TrimPrefix(url, clusterScheme))
	if err != nil {
		return nil, nil, err
	}
	opts.DialTimeout = time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	opts.MaxRetries = 1
	opts.DialerRetries = 2
	opts.DialerRetryTimeout = 50 * time.Millisecond
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	client := redis.NewClusterClient(opts)
	rs, err := redisstore.New(client, nil)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, rs, nil
}
