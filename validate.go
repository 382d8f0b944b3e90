package jwt

import (
	"fmt"
	"strings"
	"time"
)

// validate applies the claim checks of o and reports every failure.
func validate(cs *claimSet, h *Header, o *VerifyOptions) error {
	var errs []error
	var now time.Time
	if o.Now != nil {
		now = o.Now()
	} else {
		now = time.Now()
	}
	rc := &cs.rc
	switch {
	case !rc.ExpiresAt.IsZero():
		if !now.Before(rc.ExpiresAt.Add(o.Leeway)) {
			errs = append(errs, fmt.Errorf("%w: exp %s, %s before now (%s)%s", ErrExpired,
				stamp(rc.ExpiresAt.Time), now.Sub(rc.ExpiresAt.Time).Round(time.Second), stamp(now), leeway(o.Leeway)))
		}
	case !o.AllowMissingExpiration:
		errs = append(errs, fmt.Errorf("%w: \"exp\"", ErrMissingClaim))
	}
	if !rc.NotBefore.IsZero() && now.Add(o.Leeway).Before(rc.NotBefore.Time) {
		errs = append(errs, fmt.Errorf("%w: nbf %s, %s after now (%s)%s", ErrNotYetValid,
			stamp(rc.NotBefore.Time), rc.NotBefore.Sub(now).Round(time.Second), stamp(now), leeway(o.Leeway)))
	}
	if o.CheckIssuedAt && !rc.IssuedAt.IsZero() && now.Add(o.Leeway).Before(rc.IssuedAt.Time) {
		errs = append(errs, fmt.Errorf("%w: iat %s, %s after now (%s)%s", ErrIssuedInFuture,
			stamp(rc.IssuedAt.Time), rc.IssuedAt.Sub(now).Round(time.Second), stamp(now), leeway(o.Leeway)))
	}
	if o.Issuer != "" && rc.Issuer != o.Issuer {
		errs = append(errs, fmt.Errorf("%w: token has iss %s, want %s", ErrIssuerMismatch, quote(rc.Issuer), quote(o.Issuer)))
	}
	if o.Subject != "" && rc.Subject != o.Subject {
		errs = append(errs, fmt.Errorf("%w: token has sub %s, want %s", ErrSubjectMismatch, quote(rc.Subject), quote(o.Subject)))
	}
	hasAud := cs.has("aud")
	switch {
	case len(o.Audience) > 0:
		if !audienceMatches(cs, o.Audience) {
			errs = append(errs, fmt.Errorf("%w: token has aud %s, want one of %s", ErrAudienceMismatch, tokenAudience(cs), quoteList(o.Audience)))
		}
	case hasAud && !o.IgnoreAudience:
		errs = append(errs, fmt.Errorf("%w: token has aud %s and no audience is expected", ErrAudienceMismatch, tokenAudience(cs)))
	}
	if o.Type != "" && !typeMatches(h.Type, o.Type) {
		errs = append(errs, fmt.Errorf("%w: token has typ %s, want %s", ErrTypeMismatch, quote(h.Type), quote(o.Type)))
	}
	for _, name := range o.Required {
		if !cs.has(name) {
			errs = append(errs, fmt.Errorf("%w: %s", ErrMissingClaim, quote(name)))
		}
	}
	if errs != nil {
		return &ValidationError{Errors: errs}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func leeway(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf(", leeway %v", d)
}

// tokenAudience returns the token's "aud" for a message: none, or a
// quoted list.
func tokenAudience(cs *claimSet) string {
	switch {
	case !cs.has("aud"):
		return "(none)"
	case cs.rc.Audience == nil:
		return quoteList([]string{cs.aud1})
	}
	return quoteList(cs.rc.Audience)
}

func quoteList(list []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range list {
		if i == 8 {
			fmt.Fprintf(&b, ", … %d more", len(list)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(s))
	}
	b.WriteByte(']')
	return b.String()
}

func audienceMatches(cs *claimSet, want []string) bool {
	aud := cs.rc.Audience
	if aud == nil {
		return cs.has("aud") && contains(want, cs.aud1)
	}
	for _, w := range want {
		if aud.Contains(w) {
			return true
		}
	}
	return false
}
