package diag

import (
	"encoding/binary"
	"math/bits"
)

// typeDict reproduces the order in which redis-cli 7.0 lists key types in
// the summary of --bigkeys and --memkeys. redis-cli keeps the types in its
// dict (a hash table with incremental rehashing) and prints them in the
// table's iteration order. That order is not a sort order: it depends on
// the SipHash-1-2 of each name (redis-cli leaves the hash seed at zero),
// and, because the sixth built-in type starts a rehash from 4 to 8 buckets
// that each later lookup advances by one bucket, on how many keys were
// looked up so far. With no key sampled redis-cli lists hash, list, string,
// stream, set, zset; after one key string, list, hash, ...; after two or
// more list, hash, string, stream, set, zset. Byte-identical output needs
// the same order, so typeDict runs the same table: insertions at the head
// of a bucket's chain, a rehash step per add and per lookup, expansion at
// a 1:1 load factor to the next power of two.
type typeDict struct {
	table     [2][]*typeEntry
	used      [2]int
	rehashIdx int // -1 when not rehashing
}

type typeEntry struct {
	t    *keyType
	next *typeEntry
}

// dictInitialSize is DICT_HT_INITIAL_SIZE.
const dictInitialSize = 4

func newTypeDict() *typeDict { return &typeDict{rehashIdx: -1} }

func (d *typeDict) rehashing() bool { return d.rehashIdx != -1 }

func (d *typeDict) size() int { return d.used[0] + d.used[1] }

// expand is dictExpand: the first table, or a second one that the
// following operations move the entries to.
func (d *typeDict) expand(size int) {
	n := dictInitialSize
	for n < size {
		n *= 2
	}
	if d.table[0] == nil {
		d.table[0] = make([]*typeEntry, n)
		return
	}
	d.table[1] = make([]*typeEntry, n)
	d.rehashIdx = 0
}

// rehashStep is dictRehash(d, 1): move one bucket, visiting at most ten
// empty ones.
func (d *typeDict) rehashStep() {
	if !d.rehashing() {
		return
	}
	emptyVisits := 10
	if d.used[0] != 0 {
		for d.table[0][d.rehashIdx] == nil {
			d.rehashIdx++
			emptyVisits--
			if emptyVisits == 0 {
				return
			}
		}
		mask := uint64(len(d.table[1]) - 1)
		for e := d.table[0][d.rehashIdx]; e != nil; {
			next := e.next
			i := sipHash12(e.t.name) & mask
			e.next = d.table[1][i]
			d.table[1][i] = e
			d.used[0]--
			d.used[1]++
			e = next
		}
		d.table[0][d.rehashIdx] = nil
		d.rehashIdx++
	}
	if d.used[0] == 0 {
		d.table[0], d.used[0] = d.table[1], d.used[1]
		d.table[1], d.used[1] = nil, 0
		d.rehashIdx = -1
	}
}

// add is dictAdd of a name that is not in the dict.
func (d *typeDict) add(t *keyType) {
	if d.rehashing() {
		d.rehashStep()
	}
	if !d.rehashing() {
		switch {
		case d.table[0] == nil:
			d.expand(dictInitialSize)
		case d.used[0] >= len(d.table[0]):
			d.expand(d.used[0] + 1)
		}
	}
	ht := 0
	if d.rehashing() {
		ht = 1
	}
	i := sipHash12(t.name) & uint64(len(d.table[ht])-1)
	d.table[ht][i] = &typeEntry{t: t, next: d.table[ht][i]}
	d.used[ht]++
}

// find is dictFind: a lookup, which also advances a rehash.
func (d *typeDict) find(name string) *keyType {
	if d.size() == 0 {
		return nil
	}
	if d.rehashing() {
		d.rehashStep()
	}
	h := sipHash12(name)
	for ht := 0; ht < 2; ht++ {
		if d.table[ht] == nil {
			break
		}
		for e := d.table[ht][h&uint64(len(d.table[ht])-1)]; e != nil; e = e.next {
			if e.t.name == name {
				return e.t
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// types returns the types in iteration order.
func (d *typeDict) types() []*keyType {
	var out []*keyType
	for ht := 0; ht < 2; ht++ {
		for _, e := range d.table[ht] {
			for ; e != nil; e = e.next {
				out = append(out, e.t)
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return out
}

// sipHash12 is SipHash-1-2 with a zero key, the hash of redis-cli's dict
// (dictGenHashFunction with the seed never set).
func sipHash12(s string) uint64 {
	v0 := uint64(0x736f6d6570736575)
	v1 := uint64(0x646f72616e646f6d)
	v2 := uint64(0x6c7967656e657261)
	v3 := uint64(0x7465646279746573)
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	b := []byte(s)
	last := uint64(len(b)) << 56
	for len(b) >= 8 {
		m := binary.LittleEndian.Uint64(b)
		v3 ^= m
		round()
		v0 ^= m
		b = b[8:]
	}
	for i := len(b) - 1; i >= 0; i-- {
		last |= uint64(b[i]) << (8 * uint(i))
	}
	v3 ^= last
	round()
	v0 ^= last
	v2 ^= 0xff
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
