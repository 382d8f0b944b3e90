package jwt

import "sync"

// Token is a verified token: its signature was valid and its claims passed
// every check that the VerifyOptions asked for.
type Token[T any] struct {
	Header Header
	Claims T
	aud    [1]string // backing array for a single audience
}

// JWS is a verified JWS whose payload need not be a claims set.
type JWS struct {
	Header  Header
	Payload []byte
}

// scratch is a reusable buffer for decoding and signing.
type scratch struct{ b []byte }

// bufPool holds scratch buffers; it is a cache with no visible state.
var bufPool = sync.Pool{New: func() any { return &scratch{b: make([]byte, 0, 2048)} }}

func getBuf() *scratch { return bufPool.Get().(*scratch) }

func putBuf(s *scratch) {
	if cap(s.b) <= 64<<10 {
		bufPool.Put(s)
	}
}
