package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/strictjson"
	"github.com/jwtkit/jwt/jwks"
)

// checkRequest is the body of POST /api/check: a token, and what to verify
// it with, as the page's fields hold them.
type checkRequest struct {
	Token   string `json:"token"`
	Key     string `json:"key"`      // #key: a JWK, JWK Set, PEM or raw secret
	Alg     string `json:"alg"`      // #alg: "" for the key's own
	JWKSURL string `json:"jwks_url"` // #jwks-url
	Issuer  string `json:"issuer"`   // #issuer
}

// checkAnswer is the answer of POST /api/check.
type checkAnswer struct {
	Header  string      `json:"header"`  // pretty-printed, "" for a token that cannot be read
	Payload string      `json:"payload"` // pretty-printed JSON, or a JSON string
	Times   []timeWords `json:"times"`
	Verdict string      `json:"verdict"` // "valid", "invalid: REASON", or "not verified: WHY"
	Lints   []lint      `json:"lints"`
	Note    string      `json:"note,omitempty"` // advice on the fields, such as choosing #alg
}

// timeWords is a time claim said in words.
type timeWords struct {
	Claim string `json:"claim"` // "exp", "nbf" or "iat"
	Time  string `json:"time"`  // RFC 3339, UTC
	Words string `json:"words"` // such as "expired 3 minutes ago"
}

// The sources of keys a check request can give, in messages.
const (
	pastedKeyName = "#key" // what names the pasted key in jwt verify's messages
)

// serveCheck answers POST /api/check: the token decoded, its times in
// words, its lints, and the verdict of jwt verify with the keys given.
func serveCheck(w http.ResponseWriter, r *http.Request, o *serveOptions) {
	w.Header().Set("Cache-Control", "no-store")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		// A form posted from another page cannot set this type without a
		// CORS preflight, which this server never answers.
		http.Error(w, "jwt serve: the body must be application/json", http.StatusUnsupportedMediaType)
		return
	}
	var req checkRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 3*maxInput))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "jwt serve: the body is not a check request", http.StatusBadRequest)
		return
	}
	a := check(r.Context(), &req, o.now())
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(a)
}

// check checks the token of req at now.
func check(ctx context.Context, req *checkRequest, now time.Time) *checkAnswer {
	a := &checkAnswer{Times: []timeWords{}, Lints: []lint{}}
	token := strings.TrimSpace(req.Token)
	if token == "" {
		a.Verdict = "not verified: no token given"
		return a
	}
	var members map[string]string
	if u, err := jwt.ParseUnverified(token, jwt.DefaultMaxSize); err == nil {
		a.Header = pretty(u.HeaderJSON)
		a.Payload = pretty(u.Payload)
		var names []string
		members, names, _ = objectMembers(u.Payload)
		a.Times = timesInWords(members, names, now)
		a.Lints = tokenLints(u, members, names, now)
	}
	f := verifyFlags{maxSize: jwt.DefaultMaxSize, timeout: duration{d: jwks.DefaultTimeout}}
	f.alg = req.Alg
	f.now = unixTime{t: now, set: true}
	f.jwksURL = strings.TrimSpace(req.JWKSURL)
	f.oidc = strings.TrimSpace(req.Issuer)
	if req.Key != "" {
		f.keys = keyFlags{key: pastedKeyName, given: []byte(req.Key)}
		if kf, err := f.keys.read(); err == nil {
			a.Lints = append(a.Lints, keyLints(kf, req.Alg)...)
			if k := kf.jwk; k != nil && k.Algorithm == "" && req.Alg == "" && inferAlgorithm(k.Key) == nil {
				a.Note = "This key names no algorithm (RFC 7515's example JWKs name none) and fits several: choose one in #alg."
			}
		}
	}
	if req.Key == "" && f.jwksURL == "" && f.oidc == "" {
		a.Verdict = "not verified: give a key, a JWK Set URL or an issuer"
		return a
	}
	if _, err := f.verify(ctx, token); err != nil {
		// What jwt verify prints after "jwt: ".
		a.Verdict = "invalid: " + oneLine(err.Error())
		return a
	}
	a.Verdict = "valid"
	return a
}

// pretty returns b indented for reading if it is JSON, and else as a JSON
// string, with what a terminal or a page would act on escaped, as jwt
// decode shows it.
func pretty(b []byte) string {
	var text []byte
	if json.Valid(b) {
		var c bytes.Buffer
		json.Compact(&c, b)
		text = c.Bytes()
	} else {
		text = appendJSONString(nil, b)
	}
	text = escapeUnprintable(nil, text)
	var out bytes.Buffer
	if json.Indent(&out, text, "", "  ") != nil {
		return string(text)
	}
	return out.String()
}

// objectMembers returns the members of the JSON object text, each as its
// JSON text, and their names in order, read with the strict reader.
func objectMembers(text []byte) (map[string]string, []string, error) {
	r := strictjson.NewReader(string(text))
	if err := r.ObjectStart(); err != nil {
		return nil, nil, err
	}
	members := make(map[string]string)
	var names []string
	var seen strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err = seen.Add(name); err != nil {
			return nil, nil, err
		}
		start := r.Offset()
		if err = r.Skip(); err != nil {
			return nil, nil, err
		}
		members[name] = strings.TrimSpace(r.Slice(start))
		names = append(names, name)
	}
	if err == nil {
		err = r.End()
	}
	return members, names, err
}

// dateClaim returns the time claim name of members, and whether it is
// present and a NumericDate.
func dateClaim(members map[string]string, name string) (time.Time, bool) {
	v, ok := members[name]
	if !ok {
		return time.Time{}, false
	}
	var d jwt.NumericDate
	if d.UnmarshalJSON([]byte(v)) != nil {
		return time.Time{}, false
	}
	return d.Time, true
}

// timesInWords says each time claim of members in words, relative to now.
func timesInWords(members map[string]string, names []string, now time.Time) []timeWords {
	out := []timeWords{}
	for _, name := range []string{"exp", "nbf", "iat"} {
		t, ok := dateClaim(members, name)
		if !ok {
			continue
		}
		d := t.Sub(now)
		var words string
		switch {
		case name == "exp" && d <= 0:
			words = "expired " + ago(-d)
		case name == "exp":
			words = "expires in " + span(d)
		case name == "nbf" && d <= 0:
			words = "valid since " + ago(-d)
		case name == "nbf":
			words = "not valid for another " + span(d)
		case d <= 0:
			words = "issued " + ago(-d)
		default:
			words = "issued " + span(d) + " in the future"
		}
		out = append(out, timeWords{Claim: name, Time: t.UTC().Format(time.RFC3339), Words: words})
	}
	return out
}

// ago returns d, a duration in the past, as "3 minutes ago" or "just now".
func ago(d time.Duration) string {
	if d < time.Second {
		return "just now"
	}
	return span(d) + " ago"
}

// span returns d in words, in its largest whole unit: "1 second",
// "3 minutes", "2 hours", "5 days", "2 years".
func span(d time.Duration) string {
	const day = 24 * time.Hour
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= 2*365*day:
		n, unit = int64(d/(365*day)), "year"
	case d >= 2*day:
		n, unit = int64(d/day), "day"
	case d >= time.Hour:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
