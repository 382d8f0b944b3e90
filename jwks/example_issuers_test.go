package jwks_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwthttp"
)

// A service that accepts the tokens of one custom domain and of every
// tenant of Microsoft Entra ID, and tells its handlers which tenant
// verified each request. (The README's program.)
func ExampleNewIssuers() {
	issuers, err := jwks.NewIssuers(&jwks.IssuersOptions{
		Issuers:       []string{"https://auth.example.com"}, // a custom domain, exactly
		Template:      "https://login.microsoftonline.com/{tenantid}/v2.0",
		TenantPattern: `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer issuers.Close()

	// The issuer comes from the key source: the options name only the audience.
	protect, err := jwthttp.New[jwt.RegisteredClaims](issuers, &jwthttp.Options{
		Verify: jwthttp.ProviderOptions("", "api://orders"),
	})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/orders", protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss, _ := jwthttp.Issuer(r.Context()) // the issuer whose keys verified the token
		if tenant, ok := issuers.Tenant(iss); ok {
			fmt.Fprintf(w, "orders of tenant %s\n", tenant)
			return
		}
		fmt.Fprintf(w, "orders of %s\n", iss)
	})))

	fmt.Println(issuers.Allowed("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"))
	fmt.Println(issuers.Allowed("https://login.microsoftonline.com/common/v2.0"))
	fmt.Println(issuers.Allowed("https://auth.example.com/"))
	// Output:
	// true
	// false
	// false
}
