package jwks

import (
	"slices"

	"github.com/jwtkit/jwt"
)

// startFromSnapshot makes data, Options.Snapshot, the set s serves until a
// fetch succeeds: stale, and due for a refresh at once.
func (s *Remote) startFromSnapshot(data []byte) error {
	set, skipped, err := Parse(data, nil)
	if err != nil {
		return wrap(jwt.ErrInvalidOption, err, "Options.Snapshot")
	}
	ks, unusable, err := set.KeySet(s.cfg.algs...)
	if err != nil {
		return wrap(jwt.ErrInvalidOption, wrap(ErrInvalidSet, err, ""), "Options.Snapshot")
	}
	now := s.cfg.now()
	s.state.Store(&snapshot{
		keys:      ks,
		count:     len(set.Keys) - len(unusable),
		skipped:   append(skipped, unusable...),
		lifetime:  s.cfg.lifetime,
		refreshAt: now,
		expires:   now,
		staleAt:   now.Add(s.cfg.maxStale),
		given:     true,
	})
	return nil
}

// Snapshot returns the JWK Set the Remote last fetched, as the provider
// sent it, for the application to save (in a file, say) and to give a
// later Remote as Options.Snapshot, so that it can verify tokens from its
// start even if the provider is down then. It returns nil while no fetch
// has succeeded (also while the Remote serves Options.Snapshot). The set
// holds public keys only: it is no secret, but whoever can change the
// saved copy can add a key, so keep it where only the application writes.
//
// For example, save it once a fetch has succeeded, at start and then from
// time to time:
//
//	if err := remote.Prefetch(ctx); err == nil {
//		err = os.WriteFile(path, remote.Snapshot(), 0o644)
//	}
//
// and start the next Remote with Options{Snapshot: saved}, saved being
// os.ReadFile's result (nil if there is none yet).
func (s *Remote) Snapshot() []byte {
	snap := s.state.Load()
	if snap == nil || snap.given {
		return nil
	}
	return slices.Clone(snap.body)
}
