// Package oauth writes, in one place, the HTTP answers of OAuth 2.0 that
// packages dpop, jwthttp and session give: the error codes (RFC 6749 §5.2,
// RFC 6750 §3.1, RFC 9449 §7.1), the WWW-Authenticate challenges with their
// quoting rules (RFC 6750 §3, RFC 9449 §7.1, RFC 9728 §5.1), the JSON error
// bodies, the Authorization header's credentials (RFC 6750 §2.1, RFC 9449
// §7.1), and the answer to a failed DPoP check. It also reads what a client
// reads back: a DPoP challenge and the error code of a JSON body.
package oauth

// Error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1 and RFC 9449
// §7.1 and §8.
const (
	InvalidRequest         = "invalid_request"
	InvalidToken           = "invalid_token"
	InsufficientScope      = "insufficient_scope"
	InvalidGrant           = "invalid_grant"
	UnsupportedGrantType   = "unsupported_grant_type"
	InvalidClient          = "invalid_client"
	InvalidScope           = "invalid_scope"
	ServerError            = "server_error"
	TemporarilyUnavailable = "temporarily_unavailable"
	InvalidDPoPProof       = "invalid_dpop_proof"
	UseDPoPNonce           = "use_dpop_nonce"
)

// NonceHeader is the response header that carries a DPoP server nonce
// (RFC 9449 §8).
const NonceHeader = "DPoP-Nonce"
