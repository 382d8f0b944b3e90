package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jwtkit/jwt/dpop"
	"github.com/redis/go-redis/v9"
)

// shutdownTimeout bounds the graceful shutdown: requests still running
// after it are cut off.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis logs each failed dial to its own global logger; /healthz
	// reports a store that does not answer already.
	redis.SetLogger(redisLogger{slog.New(slog.NewTextHandler(os.Stderr, nil))})
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command with args and returns its exit status: 0, 1 for a
// failure, 2 for a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "hash-password" {
		return hashPasswordCommand(args[1:], stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "withdraw-key" {
		return withdrawKeyCommand(ctx, args[1:], stdout, stderr)
	}
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "authserver:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	return 0
}

// config is the service's configuration, from its flags.
type config struct {
	addr      string
	usersFile string
	store     string
	keyFile   string
	// rotateEvery is the schedule of key rotation, without --key.
	rotateEvery time.Duration
	alg         string
	accessTTL   time.Duration
	refreshTTL  time.Duration
	issuer      string
	audience    string
	realm       string
	// externalURL is the URL clients reach the service at, which DPoP
	// proofs name ("htu"); "" means each request's own scheme and Host.
	externalURL string
	// trustedProxies are the proxies whose X-Forwarded-For names the
	// client, for the limit on failed logins.
	trustedProxies []netip.Prefix
	// clientsFile is the clients file of --clients, or "".
	clientsFile string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("authserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: authserver --addr HOST:PORT --users FILE [flags]")
		fmt.Fprintln(stderr, "       authserver hash-password [--cost N] < password")
		fmt.Fprintln(stderr, "       authserver withdraw-key --store redis://HOST:PORT KID")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "", "listen on `HOST:PORT` (port 0 picks a free port; the log says which)")
	fs.StringVar(&c.usersFile, "users", "", "the users `FILE`: name:hash[:scope1 scope2] lines")
	fs.StringVar(&c.store, "store", "memory", "the session store: memory, redis://HOST:PORT[/DB] or redis-cluster://HOST:PORT[?addr=HOST:PORT...]")
	fs.StringVar(&c.keyFile, "key", "", "the private signing key `FILE`, a JWK or PEM (default: a new ES256 key)")
	fs.DurationVar(&c.rotateEvery, "rotate-every", 24*time.Hour, "without --key, rotate the signing keys at this `INTERVAL`: any positive duration")
	fs.StringVar(&c.alg, "alg", "", "the signing algorithm `ALG` (default: the JWK's alg, or from the key type)")
	fs.DurationVar(&c.accessTTL, "access-ttl", 5*time.Minute, "the lifetime of access tokens")
	fs.DurationVar(&c.refreshTTL, "refresh-ttl", 24*time.Hour, "the lifetime of refresh tokens: the idle timeout of a session")
	fs.StringVar(&c.issuer, "issuer", "authserver", "the tokens' issuer, \"iss\": the `URL` the service is reached at")
	fs.StringVar(&c.audience, "audience", "", "the access tokens' audience `AUD`, checked by /api (default: none)")
	fs.StringVar(&c.realm, "realm", "authserver", "the realm of the Bearer and DPoP challenges")
	fs.StringVar(&c.externalURL, "external-url", "", "the `URL` clients reach the service at, such as nginx's: DPoP proofs' htu are checked against it\n(default: each request's own scheme and Host header, which the client chooses)")
	fs.StringVar(&c.clientsFile, "clients", "", "the clients `FILE` of POST /token (client credentials with private_key_jwt), JSON:\n{\"clients\":[{\"client_id\":\"…\",\"jwks\":{\"keys\":[…]},\"scopes\":[\"…\"]}]}, or \"jwks_uri\" in place of \"jwks\" (default: no clients)")
	fs.Func("trusted-proxy", "the `ADDRESS` or PREFIX of a proxy, such as nginx, whose X-Forwarded-For names the client\nfor the limit on failed logins (repeat for several; default: none, each connection's own address)", func(v string) error {
		p, err := parsePrefix(v)
		if err != nil {
			return err
		}
		c.trustedProxies = append(c.trustedProxies, p)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.addr == "":
		return nil, errors.New("--addr is required")
	case c.usersFile == "":
		return nil, errors.New("--users is required")
	case c.accessTTL < time.Second || c.accessTTL%time.Second != 0:
		return nil, errors.New("--access-ttl must be whole seconds, at least 1s")
	case c.refreshTTL < time.Second || c.refreshTTL%time.Second != 0:
		return nil, errors.New("--refresh-ttl must be whole seconds, at least 1s")
	case c.rotateEvery <= 0:
		return nil, errors.New("--rotate-every must be positive")
	case c.issuer == "":
		return nil, errors.New("--issuer must not be empty")
	}
	if c.externalURL != "" {
		// The verifier's own check: an http or https URL, without user
		// information, query or fragment.
		if _, err := dpop.NewVerifier(&dpop.Options{ExternalURL: c.externalURL}); err != nil {
			return nil, fmt.Errorf("--external-url: %w", err)
		}
	}
	return &c, nil
}

// parsePrefix parses an address, as a prefix of its full length, or a
// prefix in CIDR notation.
func parsePrefix(v string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(v); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return netip.Prefix{}, errors.New("not an address or a prefix (such as 127.0.0.1 or 10.0.0.0/8)")
	}
	return p.Masked(), nil
}

// serve runs the service until ctx is done, then shuts it down gracefully.
func serve(ctx context.Context, cfg *config, log *slog.Logger) error {
	svc, err := newService(cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
	if err := svc.health(ctx); err != nil {
		log.Warn("the store does not answer; /healthz says 503 until it does", "store", svc.storeName, "err", err)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           svc.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "store", svc.storeName, "kid", svc.ring.KeyID(),
		"issuer", cfg.issuer, "external_url", cmp.Or(cfg.externalURL, "(the Host header)"), "access_ttl", cfg.accessTTL, "refresh_ttl", cfg.refreshTTL)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// redisLogger passes go-redis's messages to the service's log, at debug
// level.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
