package clientauth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/session"
)

// A machine client gets an access token with private_key_jwt from a token
// endpoint that knows its public key.
func Example() {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	clientSigner, err := jwt.EdDSA.NewSigner(priv)
	if err != nil {
		log.Fatal(err)
	}
	clientKey, err := jwt.EdDSA.NewVerifier(pub) // registered with the server
	if err != nil {
		log.Fatal(err)
	}

	// The server: a session manager and a verifier of assertions.
	const issuer = "https://auth.example.com"
	_, serverKey, _ := ed25519.GenerateKey(rand.Reader)
	serverSigner, _ := jwt.EdDSA.NewSigner(serverKey)
	serverVerifier, _ := jwt.EdDSA.NewVerifier(serverKey.Public())
	store := session.NewMemoryStore(nil)
	m, err := session.New(session.Options{Signer: session.FixedSigner(serverSigner), Keys: serverVerifier, Store: store,
		Issuer: issuer, Audience: []string{"https://api.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	clients, err := clientauth.NewVerifier(&clientauth.Options{
		Audience:    []string{issuer, issuer + "/token"},
		Clients:     []clientauth.Client{{ID: "billing-worker", Keys: clientKey, Scopes: []string{"invoices:read"}}},
		ReplayCache: store,
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(m.ClientCredentialsHandler(clients.AuthenticateClient, nil))
	defer srv.Close()

	// The client: every request to the token URL gets a fresh assertion.
	client := &http.Client{Transport: &clientauth.Transport{
		TokenURL: srv.URL,
		ClientID: "billing-worker",
		Signer:   clientSigner,
		Audience: issuer,
	}}
	resp, err := client.PostForm(srv.URL, url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)

	// An assertion is used once.
	a, _ := clientauth.NewAssertion(context.Background(), clientSigner, "billing-worker", issuer, nil)
	form := url.Values{"grant_type": {"client_credentials"}}
	clientauth.SetForm(form, a)
	for range 2 {
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// 200 OK
	// 200 OK
	// 401 Unauthorized
}
