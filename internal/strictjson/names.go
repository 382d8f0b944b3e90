package strictjson

import (
	"strconv"
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
// that it keeps an open-addressed table of folded-name hashes.
type NameSet struct {
	small [16]string
	hash  [16]uint32
	n     int
	more  []string // names past the 16th
	mhash []uint32
	table []int32 // index+1 into all names; nil until more is used
}

// Add records name, or returns an error wrapping ErrMalformed if an earlier
// name folds to the same string.
func (ns *NameSet) Add(name string) error {
	h := FoldHash(name)
	if ns.table == nil {
		for i := range min(ns.n, len(ns.small)) {
			if ns.hash[i] == h && FoldEqual(ns.small[i], name) {
				return dup(name)
			}
		}
		if ns.n < len(ns.small) {
			ns.small[ns.n], ns.hash[ns.n] = name, h
			ns.n++
			return nil
		}
		ns.grow()
	} else if ns.find(name, h, true) >= 0 {
		return dup(name)
	}
	ns.more = append(ns.more, name)
	ns.mhash = append(ns.mhash, h)
	ns.n++
	if 2*ns.n > len(ns.table) {
		ns.grow()
	} else {
		ns.insert(ns.n-1, h)
	}
	return nil
}

// Has reports whether name itself (not a case variant) was added.
func (ns *NameSet) Has(name string) bool {
	if ns.table == nil {
		for _, prev := range ns.small[:ns.n] {
			if prev == name {
				return true
			}
		}
		return false
	}
	return ns.find(name, FoldHash(name), false) >= 0
}

// Len returns the number of names added.
func (ns *NameSet) Len() int { return ns.n }

func (ns *NameSet) name(i int) (string, uint32) {
	if i < len(ns.small) {
		return ns.small[i], ns.hash[i]
	}
	return ns.more[i-len(ns.small)], ns.mhash[i-len(ns.small)]
}

// find returns the index of the name equal to name (under folding if fold),
// or -1.
func (ns *NameSet) find(name string, h uint32, fold bool) int {
	mask := uint32(len(ns.table) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		e := ns.table[j]
		if e == 0 {
			return -1
		}
		prev, ph := ns.name(int(e - 1))
		if ph == h && (prev == name || fold && FoldEqual(prev, name)) {
			return int(e - 1)
		}
	}
}

func (ns *NameSet) insert(i int, h uint32) {
	mask := uint32(len(ns.table) - 1)
	j := h & mask
	for ns.table[j] != 0 {
		j = (j + 1) & mask
	}
	ns.table[j] = int32(i + 1)
}

// grow rebuilds the table with room for twice the names.
func (ns *NameSet) grow() {
	size := 64
	for size < 4*ns.n {
		size *= 2
	}
	ns.table = make([]int32, size)
	for i := range ns.n {
		_, h := ns.name(i)
		ns.insert(i, h)
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
