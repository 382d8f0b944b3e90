package jwthttp

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/jwtkit/jwt/internal/oauth"
)

// source is where a request's token was found.
type source uint8

const (
	fromNone source = iota
	fromHeader
	fromForm
	fromQuery
	fromCookie
	fromDPoP // the Authorization header, DPoP scheme
)

// extract finds the one token of r (RFC 6750 §2). It returns "" if r has
// none, and an invalid_request Error if r is malformed or has more than one.
// The request it returns is r, or a copy of r whose body has been read and
// put back.
func (m *middleware[T]) extract(r *http.Request) (string, source, *http.Request, *Error) {
	var token string
	src := fromNone
	found := func(t string, s source) *Error {
		if src != fromNone {
			return m.cfg.invalidRequest(descTwoTokens)
		}
		if !m.deferSyntax && !oauth.IsB64Token(t) {
			return m.cfg.invalidRequest(descTokenSyntax)
		}
		token, src = t, s
		return nil
	}

	if auth := r.Header["Authorization"]; len(auth) > 0 {
		if len(auth) > 1 {
			return "", 0, r, m.cfg.invalidRequest(descTwoAuthorization)
		}
		t, sch, ok := oauth.ParseAuthorization(auth[0], m.dpop != nil)
		if !ok {
			e := m.cfg.invalidRequest(descAuthorizationSyntax)
			if sch == oauth.DPoP {
				e.scheme = oauth.DPoP
			}
			return "", 0, r, e
		}
		switch sch {
		case oauth.Bearer:
			if e := found(t, fromHeader); e != nil {
				return "", 0, r, e
			}
		case oauth.DPoP:
			if e := found(t, fromDPoP); e != nil {
				e.scheme = oauth.DPoP
				return "", 0, r, e
			}
		}
	}

	if m.query != "" && r.URL.RawQuery != "" {
		// Pairs that do not parse are left out, as by URL.Query.
		q, _ := url.ParseQuery(r.URL.RawQuery)
		for _, t := range q[m.query] {
			if e := found(t, fromQuery); e != nil {
				return "", 0, r, e
			}
		}
	}

	if m.cookie != "" {
		for _, c := range r.CookiesNamed(m.cookie) {
			if c.Value == "" {
				continue
			}
			if e := found(c.Value, fromCookie); e != nil {
				return "", 0, r, e
			}
		}
	}

	if m.form && formMethod(r.Method) && isForm(r.Header.Get("Content-Type")) {
		form, r2, e := m.readForm(r)
		if e != nil {
			return "", 0, r, e
		}
		r = r2
		for _, t := range form["access_token"] {
			if e := found(t, fromForm); e != nil {
				return "", 0, r, e
			}
		}
	}
	return token, src, r, nil
}

// readForm returns the form of r's urlencoded body, and a copy of r whose
// body reads as the original did. A form parsed earlier (r.PostForm) is
// used as it is.
func (m *middleware[T]) readForm(r *http.Request) (url.Values, *http.Request, *Error) {
	if r.PostForm != nil {
		return r.PostForm, r, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, r, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, m.maxForm+1))
	r2 := r.Clone(r.Context())
	r2.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), r.Body), body: r.Body}
	if err != nil {
		return nil, r2, m.cfg.invalidRequest(descFormRead)
	}
	if int64(len(b)) > m.maxForm {
		return nil, r2, m.cfg.invalidRequest(descFormTooLarge)
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, r2, m.cfg.invalidRequest(descFormSyntax)
	}
	return form, r2, nil
}

// replayBody is a request body whose first bytes have been read and are
// read again; Close closes the original body.
type replayBody struct {
	io.Reader
	body io.ReadCloser
}

func (b *replayBody) Close() error { return b.body.Close() }

// formMethod reports whether a request of method may carry the token in
// its body: RFC 6750 §2.2 excludes GET, and methods whose content has no
// defined meaning (RFC 9110 §9.3) are excluded with it.
func formMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodConnect, http.MethodTrace:
		return false
	}
	return true
}

// isForm reports whether contentType is application/x-www-form-urlencoded.
func isForm(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}
