package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/redis/go-redis/v9"
)

// withdrawKeyCommand is "authserver withdraw-key": it withdraws a signing
// key from the registry the instances on one Redis share, for a key that
// leaked. Every instance stops verifying it within a second and a round
// trip, and the instance holding it replaces it.
func withdrawKeyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("withdraw-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: authserver withdraw-key --store redis://HOST:PORT[/DB]|redis-cluster://HOST:PORT [--access-ttl D] [--refresh-ttl D] KID")
		fmt.Fprintln(stderr, "Withdraws the signing key KID from the instances sharing the store (started without --key):")
		fmt.Fprintln(stderr, "tokens it signed stop verifying on every instance within about a second.")
		fs.PrintDefaults()
	}
	store := fs.String("store", "", "the instances' --store, `redis://HOST:PORT[/DB]` or redis-cluster://HOST:PORT")
	access := fs.Duration("access-ttl", 5*time.Minute, "the instances' --access-ttl")
	refresh := fs.Duration("refresh-ttl", 24*time.Hour, "the instances' --refresh-ttl")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		fs.Usage()
		return 2
	}
	kid := fs.Arg(0)
	var client redis.UniversalClient
	switch {
	case strings.HasPrefix(*store, "redis://") || strings.HasPrefix(*store, "rediss://"):
		opts, err := redis.ParseURL(*store)
		if err != nil {
			fmt.Fprintln(stderr, "authserver withdraw-key: --store:", err)
			return 2
		}
		client = redis.NewClient(opts)
	case strings.HasPrefix(*store, clusterScheme):
		cc, _, err := clusterStore(*store)
		if err != nil {
			fmt.Fprintln(stderr, "authserver withdraw-key: --store:", err)
			return 2
		}
		client = cc
	default:
		fs.Usage()
		return 2
	}
	defer client.Close()
	reg, err := redisstore.NewRegistry(client, nil)
	if err != nil {
		fmt.Fprintln(stderr, "authserver withdraw-key:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// Kept longer than any publication of the key, as jwks.SharedRing's
	// own Withdraw keeps it.
	keep := max(*access, *refresh) + jwt.MaxLeeway + time.Minute
	if err := reg.Withdraw(ctx, kid, time.Now().Add(2*keep)); err != nil {
		fmt.Fprintln(stderr, "authserver withdraw-key:", err)
		return 1
	}
	fmt.Fprintf(stdout, "withdrew %q\n", kid)
	return 0
}
