package codec

import (
	"reflect"
	"sync"
)

// What the decoder and encoder builders share: a cache of one value per Go
// type (a decoder, an encoder), each built with the values of the types
// it holds, published only when all of them are complete.

// typeCache holds a *V per Go type. It is a cache with no visible state.
type typeCache[V any] struct{ m sync.Map }

func (c *typeCache[V]) load(t reflect.Type) (*V, bool) {
	v, ok := c.m.Load(t)
	if !ok {
		return nil, false
	}
	return v.(*V), true
}

// building is one build of values for a typeCache: under holds those under
// construction, so that a recursive type finds its own.
type building[V any] struct {
	cache *typeCache[V]
	under map[reflect.Type]*V
}

func newBuilding[V any](c *typeCache[V]) building[V] {
	return building[V]{cache: c, under: map[reflect.Type]*V{}}
}

// start returns the value of t if it is cached or under construction; if
// not, a new zero value, now under construction, which the caller fills
// (isNew).
func (b *building[V]) start(t reflect.Type) (v *V, isNew bool) {
	if v, ok := b.cache.load(t); ok {
		return v, false
	}
	if v, ok := b.under[t]; ok {
		return v, false
	}
	v = new(V)
	b.under[t] = v
	return v, true
}

// publish caches every value built, all complete now, and returns the
// value of t.
func (b *building[V]) publish(t reflect.Type) *V {
	for k, v := range b.under {
		b.cache.m.LoadOrStore(k, v)
	}
	v, _ := b.cache.load(t)
	return v
}
