package strictjson

import (
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"
)

// NameSet records the member names of one object and rejects a name that
// equals an earlier one under encoding/json's case folding, the rule by
// which encoding/json matches member names to struct fields: runes are
// equal if they belong to one unicode.SimpleFold orbit (as for
// strings.EqualFold). With it {"admin":false,"ADMIN":true},
// {"sub":"a","ſub":"b"} (long s) and {"k":1,"K":2} (Kelvin sign) are all
// rejected: otherwise a struct and a map, or this package and another
// reader, could read different values. {"kid":"a","kıd":"b"} (dotless i) is
// accepted, as encoding/json keeps the two apart.
//
// The zero NameSet is empty. It does not allocate for up to 16 names; past
// that it keeps an open-addressed table of folded-name hashes, taken from a
// pool: [NameSet.Release] gives it back, so that a caller reading many
// large objects does not allocate one per object. A NameSet must not be
// copied once it holds more than 16 names: the copies would share that
// storage.
type NameSet struct {
	small [16]string
	hash  [16]uint32
	n     int
	big   *bigNames // nil until the 17th name
}

// bigNames is the storage of a NameSet past its 16th name.
type bigNames struct {
	names  []string // the names past the 16th
	hashes []uint32
	// table is open-addressed by hash, with linear probing: each entry is
	// a name's hash in the high half and its index+1 (among all names) in
	// the low half; 0 is empty. It is at most half full.
	table []uint64
}

// bigPool holds bigNames for reuse; it is a cache with no visible state.
var bigPool = sync.Pool{New: func() any { return new(bigNames) }}

// maxPooledNames bounds the names a pooled bigNames keeps room for, so that
// one huge object does not pin its storage.
const maxPooledNames = 4096

// Add records name, or returns an error wrapping ErrMalformed if an earlier
// name folds to the same string.
func (ns *NameSet) Add(name string) error {
	return ns.AddHashed(name, FoldHash(name))
}

// AddHashed is Add for a caller that has computed h, which must be
// FoldHash(name).
func (ns *NameSet) AddHashed(name string, h uint32) error {
	if ns.big == nil {
		for i := range ns.n {
			if ns.hash[i] == h && FoldEqual(ns.small[i], name) {
				return dup(name)
			}
		}
		if ns.n < len(ns.small) {
			ns.small[ns.n], ns.hash[ns.n] = name, h
			ns.n++
			return nil
		}
		ns.big = bigPool.Get().(*bigNames)
		ns.grow()
	} else if ns.find(name, h, true) {
		return dup(name)
	}
	b := ns.big
	b.names = append(b.names, name)
	b.hashes = append(b.hashes, h)
	ns.n++
	if 2*ns.n > len(b.table) {
		ns.grow()
	} else {
		b.insert(ns.n-1, h)
	}
	return nil
}

// Has reports whether name itself (not a case variant) was added.
func (ns *NameSet) Has(name string) bool {
	if ns.big == nil {
		for _, prev := range ns.small[:ns.n] {
			if prev == name {
				return true
			}
		}
		return false
	}
	return ns.find(name, FoldHash(name), false)
}

// Len returns the number of names added.
func (ns *NameSet) Len() int { return ns.n }

// Release empties ns and gives the storage it took for more than 16 names
// back for reuse. ns must not be in use elsewhere; it may be used again.
// Not calling Release is safe: the storage is then collected as garbage.
func (ns *NameSet) Release() {
	b := ns.big
	ns.n, ns.big = 0, nil
	if b == nil {
		return
	}
	if cap(b.names) > maxPooledNames {
		return
	}
	clear(b.names) // no references to the input from the pool
	b.names, b.hashes = b.names[:0], b.hashes[:0]
	clear(b.table)
	b.table = b.table[:0]
	bigPool.Put(b)
}

func (ns *NameSet) name(i int) string {
	if i < len(ns.small) {
		return ns.small[i]
	}
	return ns.big.names[i-len(ns.small)]
}

// find reports whether a name equal to name (under folding if fold) was
// added; ns.big is not nil.
func (ns *NameSet) find(name string, h uint32, fold bool) bool {
	t := ns.big.table
	mask := uint32(len(t) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		e := t[j]
		if e == 0 {
			return false
		}
		if uint32(e>>32) == h {
			prev := ns.name(int(uint32(e)) - 1)
			if prev == name || fold && FoldEqual(prev, name) {
				return true
			}
		}
	}
}

func (b *bigNames) insert(i int, h uint32) {
	mask := uint32(len(b.table) - 1)
	j := h & mask
	for b.table[j] != 0 {
		j = (j + 1) & mask
	}
	b.table[j] = uint64(h)<<32 | uint64(i+1)
}

// grow rebuilds the table with room for twice the names, reusing its
// storage when it has the room.
func (ns *NameSet) grow() {
	b := ns.big
	size := 64
	for size < 4*ns.n {
		size *= 2
	}
	if cap(b.table) >= size {
		b.table = b.table[:size]
		clear(b.table)
	} else {
		b.table = make([]uint64, size)
	}
	for i := range ns.n {
		if i < len(ns.small) {
			b.insert(i, ns.hash[i])
		} else {
			b.insert(i, b.hashes[i-len(ns.small)])
		}
	}
}

func dup(name string) error {
	return Errorf("duplicate member %s", Quote(name))
}

// fold returns r folded as encoding/json folds member names: the smallest
// rune of its unicode.SimpleFold orbit, which for ASCII letters is the
// upper-case letter.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// FoldHash returns a hash of s folded as encoding/json folds member names:
// names equal under that folding have equal hashes.
func FoldHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); {
		c := s[i]
		r := rune(c)
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				r -= 'a' - 'A'
			}
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			r = fold(r)
			i += size
		}
		h = (h ^ uint32(r)) * 16777619
	}
	return h
}

// FoldEqual reports whether a and b are equal under encoding/json's folding
// of member names.
func FoldEqual(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			if ca != cb && fold(rune(ca)) != fold(rune(cb)) {
				return false
			}
			i++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if ra != rb && fold(ra) != fold(rb) {
			return false
		}
		i += na
		j += nb
	}
	return i == len(a) && j == len(b)
}

// Quote quotes s for an error message: in double quotes, with Go escapes for
// control characters and non-ASCII, and cut after 64 bytes.
func Quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.QuoteToASCII(s[:max]) + "..."
	}
	return strconv.QuoteToASCII(s)
}
