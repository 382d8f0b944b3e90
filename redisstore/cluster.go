package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// reloadCluster asks a *redis.ClusterClient to reload the cluster's slots
// in the background, after a failure: go-redis reloads them by itself only
// on a MOVED or ASK reply, or every ClusterStateReloadInterval (a minute
// unless set), so that without this a client would keep sending the slots
// of a dead master to it long after a replica took its place. Reloads are
// coalesced by go-redis (at most one every 200 ms). Other clients are left
// alone.
func reloadCluster(c redis.UniversalClient) {
	if cc, ok := c.(*redis.ClusterClient); ok {
		cc.ReloadState(context.Background())
	}
}

// unavailable returns err, a failure of Redis, wrapping
// session.ErrStoreUnavailable, after asking a cluster client to reload.
func (s *Store) unavailable(err error) error {
	reloadCluster(s.client)
	return unavailable(err)
}

// unavailable returns err, a failure of Redis, wrapping
// jwks.ErrRegistryUnavailable, after asking a cluster client to reload.
func (r *Registry) unavailable(err error) error {
	reloadCluster(r.client)
	return registryUnavailable(err)
}
