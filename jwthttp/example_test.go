package jwthttp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwthttp"
)

// AccessClaims are the claims of an RFC 9068 access token that the notes
// API reads.
type AccessClaims struct {
	jwt.RegisteredClaims
	ClientID string `json:"client_id"`
}

// An API on http.ServeMux, with Go 1.22 patterns: a public health check, and
// notes that need a token with the right scope.
func Example() {
	// A fixed secret and clock make the output deterministic; real keys
	// come from a key source such as an identity provider's JWK Set.
	secret := []byte("an example secret of 32 bytes!!!")
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }

	verifier, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	opts := &jwthttp.Options{
		Verify: jwthttp.AccessTokenOptions("https://issuer.example", "https://notes.example"),
		Realm:  "notes",
	}
	opts.Verify.Now = now
	protect, err := jwthttp.New[AccessClaims](verifier, opts)
	if err != nil {
		panic(err)
	}
	listNotes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := jwthttp.Claims[AccessClaims](r.Context())
		fmt.Fprintf(w, "notes of %s, via %s", claims.Subject, claims.ClientID)
	})
	addNote := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.Handle("GET /notes", protect(jwthttp.RequireScopes("notes:read")(listNotes)))
	mux.Handle("POST /notes", protect(jwthttp.RequireScopes("notes:write")(addNote)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// An access token as an authorization server would issue it.
	signer, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		panic(err)
	}
	token, err := jwt.Sign(context.Background(), signer, map[string]any{
		"iss":       "https://issuer.example",
		"sub":       "user-1",
		"aud":       "https://notes.example",
		"client_id": "app-1",
		"scope":     "notes:read",
		"iat":       now().Unix(),
		"exp":       now().Add(5 * time.Minute).Unix(),
		"jti":       "token-1",
	}, &jwt.SignOptions{Type: "at+jwt"})
	if err != nil {
		panic(err)
	}

	show := func(method, path, token string) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			panic(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		fmt.Println(method, path, res.StatusCode)
		if c := res.Header.Get("WWW-Authenticate"); c != "" {
			fmt.Println("  WWW-Authenticate:", c)
		}
		fmt.Println(" ", string(body))
	}
	show("GET", "/healthz", "")
	show("GET", "/notes", "")
	show("GET", "/notes", token)
	tampered := token[:len(token)-2] + "AA"
	if tampered == token {
		tampered = token[:len(token)-2] + "BA"
	}
	show("GET", "/notes", tampered)
	show("POST", "/notes", token)
	// Output:
	// GET /healthz 200
	//   ok
	// GET /notes 401
	//   WWW-Authenticate: Bearer realm="notes"
	//   {"error_description":"the request has no access token"}
	// GET /notes 200
	//   notes of user-1, via app-1
	// GET /notes 401
	//   WWW-Authenticate: Bearer realm="notes", error="invalid_token", error_description="the access token signature is invalid"
	//   {"error":"invalid_token","error_description":"the access token signature is invalid"}
	// POST /notes 403
	//   WWW-Authenticate: Bearer realm="notes", error="insufficient_scope", error_description="the access token lacks a required scope", scope="notes:write"
	//   {"error":"insufficient_scope","error_description":"the access token lacks a required scope","scope":"notes:write"}
}

// An API that accepts DPoP-bound tokens (RFC 9449) and, for older clients,
// bearer tokens; the client proves its key with a dpop.Transport.
func ExampleOptions_dPoP() {
	secret := []byte("an example secret of 32 bytes!!!")
	verifier, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	// Behind a proxy, set ExternalURL; with several instances, a shared
	// ReplayCache (such as the session store).
	proofs, err := dpop.NewVerifier(&dpop.Options{Algorithms: []jwt.Algorithm{jwt.ES256}})
	if err != nil {
		panic(err)
	}
	protect, err := jwthttp.New[jwt.RegisteredClaims](verifier, &jwthttp.Options{
		Verify:      jwt.VerifyOptions{Audience: []string{"https://notes.example"}},
		Realm:       "notes",
		DPoP:        proofs,
		AllowBearer: true,
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "DPoP proof by the token's key: %v", jwthttp.Proof(r.Context()) != nil)
	})))
	defer srv.Close()

	// The client's key, and a token bound to it, as a token endpoint
	// would issue it for a request with a proof by that key.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	prover, err := dpop.NewProver(jwt.ES256, key)
	if err != nil {
		panic(err)
	}
	signer, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		panic(err)
	}
	token, err := jwt.Sign(context.Background(), signer, map[string]any{
		"sub": "user-1",
		"aud": "https://notes.example",
		"exp": time.Now().Add(5 * time.Minute).Unix(),
		"cnf": dpop.Confirmation{JKT: prover.JKT()},
	}, nil)
	if err != nil {
		panic(err)
	}

	show := func(client *http.Client, scheme string) {
		req, err := http.NewRequest("GET", srv.URL+"/notes", nil)
		if err != nil {
			panic(err)
		}
		req.Header.Set("Authorization", scheme+" "+token)
		res, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		fmt.Println(scheme, res.StatusCode)
		for _, c := range res.Header.Values("WWW-Authenticate") {
			fmt.Println("  WWW-Authenticate:", c)
		}
		fmt.Println(" ", string(body))
	}
	// The Transport adds a proof to each request.
	show(&http.Client{Transport: &dpop.Transport{Prover: prover, Base: srv.Client().Transport}}, "DPoP")
	// The same token, copied from a log and sent as a bearer token.
	show(srv.Client(), "Bearer")
	// Output:
	// DPoP 200
	//   DPoP proof by the token's key: true
	// Bearer 401
	//   WWW-Authenticate: Bearer realm="notes", error="invalid_token", error_description="the access token is bound to a DPoP key and must be sent with the DPoP scheme"
	//   WWW-Authenticate: DPoP realm="notes", algs="ES256"
	//   {"error":"invalid_token","error_description":"the access token is bound to a DPoP key and must be sent with the DPoP scheme"}
}

// OnResult reports every request the middleware judges, for logs and
// metrics: here with log/slog. The cause of a refusal names the failed
// check; it never holds the token.
func ExampleOptions_onResult() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a deterministic output
			}
			return a
		},
	}))
	secret := []byte("an example secret of 32 bytes!!!")
	signer, err := jwt.HS256.NewSigner(secret)
	if err != nil {
		panic(err)
	}
	verifier, err := jwt.HS256.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	mw, err := jwthttp.New[jwt.RegisteredClaims](verifier, &jwthttp.Options{
		Verify: jwt.VerifyOptions{Audience: []string{"https://api.example"}},
		OnResult: func(r *http.Request, status int, code string, err error) {
			if status == 0 {
				logger.Info("let through", "path", r.URL.Path)
				return
			}
			logger.Warn("refused", "path", r.URL.Path, "status", status, "code", code, "err", err)
		},
	})
	if err != nil {
		panic(err)
	}
	api := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	good, err := jwt.Sign(context.Background(), signer, jwt.RegisteredClaims{
		Subject: "alice", Audience: jwt.Audience{"https://api.example"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute)),
	}, nil)
	if err != nil {
		panic(err)
	}
	other, err := jwt.Sign(context.Background(), signer, jwt.RegisteredClaims{
		Subject: "alice", Audience: jwt.Audience{"https://other.example"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute)),
	}, nil)
	if err != nil {
		panic(err)
	}
	for _, auth := range []string{"Bearer " + good, "", "Bearer " + other} {
		r := httptest.NewRequest(http.MethodGet, "/notes", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		api.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// level=INFO msg="let through" path=/notes
	// level=WARN msg=refused path=/notes status=401 code="" err=<nil>
	// level=WARN msg=refused path=/notes status=401 code=invalid_token err="jwt: audience mismatch: token has aud [\"https://other.example\"], want one of [\"https://api.example\"]"
}

// A resource that accepts access tokens bound to the client's TLS
// certificate (RFC 8705 §3): Confirmation checks "cnf"."x5t#S256" against
// the certificate of the connection. Without it, such tokens are refused.
func ExampleOptions_confirmation() {
	verifier, err := jwt.EdDSA.NewVerifier(issuerPublicKey)
	if err != nil {
		panic(err)
	}
	mw, err := jwthttp.New[jwt.RegisteredClaims](verifier, &jwthttp.Options{
		Verify: jwt.VerifyOptions{Audience: []string{"https://api.example"}},
		Confirmation: func(r *http.Request, cnf map[string]json.RawMessage) error {
			var x5t string
			if err := json.Unmarshal(cnf["x5t#S256"], &x5t); err != nil || len(cnf) != 1 {
				return errors.New("bound otherwise than by x5t#S256")
			}
			if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
				return errors.New("no client certificate")
			}
			sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
			if base64.RawURLEncoding.EncodeToString(sum[:]) != x5t {
				return errors.New("not the certificate the token is bound to")
			}
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	srv := &http.Server{
		Handler:   mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })),
		TLSConfig: &tls.Config{ClientAuth: tls.RequireAnyClientCert},
	}
	_ = srv // srv.ListenAndServeTLS(certFile, keyFile)
}

// issuerPublicKey is the issuer's Ed25519 public key of the examples.
var issuerPublicKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
