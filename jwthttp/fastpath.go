package jwthttp

import (
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/oauth"
)

// admission is what the middleware allocates for a request it lets
// through: the credential that is the request's new context, and the
// request that carries it, in one allocation instead of two.
type admission struct {
	cred credential
	req  http.Request
}

// request returns r with the context a.cred, as r.WithContext(&a.cred)
// does, in a.req: WithContext is inlined, so its copy of r is a temporary
// that never reaches the heap.
func (a *admission) request(r *http.Request) *http.Request {
	a.req = *r.WithContext(&a.cred)
	return &a.req
}

// answerKey names a refusal by what its challenges and default body say.
type answerKey struct {
	in                oauth.Scheme
	status            int
	code, desc, scope string
}

// answer is what a refusal writes, ready to send: its WWW-Authenticate
// values, its default JSON body and the body's length.
type answer struct {
	challenges []string
	body       []byte
	length     string
}

// keyOf returns the key of the answer to e.
func keyOf(e *Error) answerKey {
	return answerKey{in: e.scheme, status: e.Status, code: e.Code, desc: e.Description, scope: e.Scope}
}

// build makes the answer of key k: the challenges and body the refusal
// writes (RFC 6750 §3, RFC 9449 §7.1).
func (c *config) build(k answerKey) *answer {
	a := &answer{}
	if k.status == http.StatusBadRequest || k.status == http.StatusUnauthorized || k.status == http.StatusForbidden {
		h := http.Header{}
		c.res.AddChallenges(h, k.in, k.code, k.desc, k.scope)
		a.challenges = h["Www-Authenticate"]
	}
	scope := ""
	if k.code == InsufficientScope {
		scope = k.scope
	}
	a.body = oauth.AppendError(make([]byte, 0, 128), k.code, k.desc, scope)
	a.length = strconv.Itoa(len(a.body))
	return a
}

// answerTo returns the answer to e: one made by precompute, or a new one.
func (c *config) answerTo(e *Error) *answer {
	k := keyOf(e)
	if a := c.answers[k]; a != nil {
		return a
	}
	return c.build(k)
}

// precompute makes, once, the answers of every refusal whose challenge
// and body are known before any request: every fixed description of a
// missing, malformed or refused token, in both schemes. Refusals that
// depend on the request (the scopes a handler requires, several failed
// checks at once) are made when they happen.
func (c *config) precompute() {
	c.answers = map[answerKey]*answer{}
	add := func(status int, code, desc, scope string) {
		for _, in := range []oauth.Scheme{oauth.Bearer, oauth.DPoP} {
			k := answerKey{in: in, status: status, code: code, desc: desc, scope: scope}
			c.answers[k] = c.build(k)
		}
	}
	add(http.StatusUnauthorized, "", descNoToken, c.res.Scope)
	for _, d := range []string{descTwoAuthorization, descAuthorizationSyntax, descTwoTokens, descTokenSyntax,
		descFormRead, descFormTooLarge, descFormSyntax} {
		add(http.StatusBadRequest, InvalidRequest, d, "")
	}
	invalid := []string{descMalformed, descRejected, descScopeClaim, descConfirmation, descUnsupportedConfirmation,
		descNotConfirmed, descBoundAsBearer, descDPoPOnly}
	for _, t := range tokenErrors {
		invalid = append(invalid, t.desc)
	}
	for _, d := range invalid {
		add(http.StatusUnauthorized, InvalidToken, d, c.res.Scope)
	}
	add(http.StatusServiceUnavailable, TemporarilyUnavailable, descUnavailable, "")
	add(http.StatusInternalServerError, ServerError, "", "")
}

// maxErrorNodes is the most errors of a tree flatten keeps; a larger
// tree is asked through errors.Is and errors.As.
const maxErrorNodes = 8

// errorTree is an error and the errors of its tree (err, then what its
// Unwrap methods return, depth first, as errors.Is and errors.As walk
// it), so that verdict asks its many questions in one walk.
type errorTree struct {
	err   error
	nodes [maxErrorNodes]error
	isers [maxErrorNodes]interface{ Is(error) bool } // the node's Is method, or nil
	n     int
	whole bool // nodes holds the whole tree
	as    bool // a node has an As method: validationError asks errors.As
}

// flatten returns the tree of err.
func flatten(err error) errorTree {
	t := errorTree{err: err, whole: true}
	t.add(err)
	return t
}

func (t *errorTree) add(err error) {
	if err == nil || !t.whole {
		return
	}
	if t.n == maxErrorNodes {
		t.whole = false
		return
	}
	t.nodes[t.n] = err
	t.isers[t.n], _ = err.(interface{ Is(error) bool })
	t.n++
	if _, ok := err.(interface{ As(any) bool }); ok {
		t.as = true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		t.add(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			t.add(e)
		}
	}
}

// is reports errors.Is(t.err, target), for a comparable target.
func (t *errorTree) is(target error) bool {
	if !t.whole {
		return errors.Is(t.err, target)
	}
	for i, e := range t.nodes[:t.n] {
		// e == target compares the dynamic types first: a node of a
		// type that is not comparable never reaches the comparison of
		// values, which would panic.
		if e == target || t.isers[i] != nil && t.isers[i].Is(target) {
			return true
		}
	}
	return false
}

// describe is describe(t.err).
func (t *errorTree) describe() string {
	for _, d := range tokenErrors {
		if t.is(d.err) {
			return d.desc
		}
	}
	return ""
}

// validationError is errors.As(t.err, &ve) for a *jwt.ValidationError:
// the first in the tree's order.
func (t *errorTree) validationError() *jwt.ValidationError {
	if !t.whole || t.as {
		return asValidationError(t.err)
	}
	for _, e := range t.nodes[:t.n] {
		if ve, ok := e.(*jwt.ValidationError); ok {
			return ve
		}
	}
	return nil
}

// validationErrors holds the **jwt.ValidationError that asValidationError
// gives errors.As, which would otherwise allocate one for every refusal.
var validationErrors = sync.Pool{New: func() any { return new(*jwt.ValidationError) }}

// asValidationError is errors.As(err, &ve) for a *jwt.ValidationError.
func asValidationError(err error) *jwt.ValidationError {
	p := validationErrors.Get().(**jwt.ValidationError)
	*p = nil
	errors.As(err, p)
	ve := *p
	*p = nil
	validationErrors.Put(p)
	return ve
}

// badSyntax returns the refusal extract gives a token that is not a
// b64token (RFC 6750 §2.1), if the middleware deferred that check and
// token is not one; otherwise nil. With the Authorization header the only
// place a token can come from, the check waits until the token is
// refused: a token that jwt.Verify accepts is three strict base64url
// segments joined by dots, a b64token, so a valid token is never scanned
// twice, and a refused one gets the answer it got before, 400
// invalid_request if its characters are wrong.
func (m *middleware[T]) badSyntax(token string, src source) *Error {
	if !m.deferSyntax || oauth.IsB64Token(token) {
		return nil
	}
	e := m.cfg.invalidRequest(descTokenSyntax)
	if src == fromDPoP {
		e.scheme = oauth.DPoP
	}
	return e
}
