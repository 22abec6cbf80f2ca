package ids

import (
	"crypto/rand"
	"hash/fnv"
	mrand "math/rand/v2"
	"strings"
	"sync"
)

// Generator makes new identifiers. Implementations are safe for concurrent use.
type Generator interface {
	// NewID returns a resource ID: prefix, "-", the region's two-character code
	// and 18 lowercase base-36 characters, e.g. "i-bp1g6zv0ce8oghu7abcd".
	NewID(prefix, regionID string) string
	// NewRequestID returns an uppercase UUID version 4, the shape of RequestId,
	// e.g. "611CB80C-B6A9-43DB-9E38-0B0AC3D9B58F".
	NewRequestID() string
	// NewAccessKeyID returns "LTAI" followed by 20 letters and digits.
	NewAccessKeyID() string
	// NewSecret returns an AccessKey secret of 30 letters and digits.
	NewSecret() string
	// NewAccountID returns a positive 16-digit account ID: 1 followed by 15 digits.
	NewAccountID() int64
}

const (
	base36       = "0123456789abcdefghijklmnopqrstuvwxyz"
	alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	hexUpper     = "0123456789ABCDEF"

	// idRandomLen is the number of random base-36 characters after the region code.
	idRandomLen = 18
	// accountIDBase is the smallest 16-digit number; account IDs are base + [0, base).
	accountIDBase = 1_000_000_000_000_000
)

// Random returns a Generator backed by crypto/rand, for production use.
func Random() Generator {
	return &generator{fill: func(p []byte) { _, _ = rand.Read(p) }}
}

// Seeded returns a deterministic Generator for tests: two generators made with the
// same seed return the same sequence of IDs for the same sequence of calls. It is
// safe for concurrent use (calls are serialized), although concurrent callers then
// observe a schedule-dependent interleaving of that sequence.
func Seeded(seed int64) Generator {
	var key [32]byte
	for i := range 8 {
		key[i] = byte(uint64(seed) >> (8 * i))
	}
	copy(key[8:], "ecsd/ids deterministic source")
	src := mrand.NewChaCha8(key)
	return &generator{fill: func(p []byte) { _, _ = src.Read(p) }, mu: new(sync.Mutex)}
}

// generator formats IDs from a source of random bytes.
type generator struct {
	// fill overwrites p with random bytes.
	fill func(p []byte)
	// mu, when set, serializes whole calls, so that every call consumes a
	// contiguous run of a deterministic source; nil when fill is safe for
	// concurrent use on its own (crypto/rand).
	mu *sync.Mutex
}

// lock serializes a call when the source requires it; defer the result.
func (g *generator) lock() func() {
	if g.mu == nil {
		return func() {}
	}
	g.mu.Lock()
	return g.mu.Unlock
}

func (g *generator) NewID(prefix, regionID string) string {
	defer g.lock()()
	var b strings.Builder
	b.Grow(len(prefix) + 1 + 2 + idRandomLen)
	b.WriteString(prefix)
	b.WriteByte('-')
	b.WriteString(RegionCode(regionID))
	b.WriteString(g.chars(base36, idRandomLen))
	return b.String()
}

func (g *generator) NewRequestID() string {
	defer g.lock()()
	var u [16]byte
	g.fill(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	out := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexUpper[c>>4], hexUpper[c&0x0f])
	}
	return string(out)
}

func (g *generator) NewAccessKeyID() string {
	defer g.lock()()
	return "LTAI" + g.chars(alphanumeric, 20)
}

func (g *generator) NewSecret() string {
	defer g.lock()()
	return g.chars(alphanumeric, 30)
}

func (g *generator) NewAccountID() int64 {
	defer g.lock()()
	var b [8]byte
	// Rejection sampling keeps the 15 random digits uniform.
	const limit = (1 << 63) - (1<<63)%accountIDBase
	for {
		g.fill(b[:])
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		v >>= 1 // 63 bits
		if v < limit {
			return accountIDBase + int64(v%accountIDBase)
		}
	}
}

// chars returns n characters drawn uniformly from alphabet (at most 256 long).
func (g *generator) chars(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet) // bytes at or above limit would bias the draw
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+4)
	for len(out) < n {
		g.fill(buf)
		for _, c := range buf {
			if int(c) < limit {
				out = append(out, alphabet[int(c)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// RegionCode returns the two characters that follow the dash in resource IDs of
// regionID. Regions whose code is known from real Alibaba Cloud IDs get that code
// (cn-hangzhou "bp", cn-beijing "2z", cn-shanghai "uf", cn-qingdao "m5",
// cn-shenzhen "wz", cn-zhangjiakou "8v", cn-huhehaote "hp"); an empty region gets
// "ze"; any other region gets two base-36 characters derived from the FNV-1a hash
// of its ID, so they are stable across runs and machines but may coincide with
// another region's code.
func RegionCode(regionID string) string {
	switch regionID {
	case "cn-hangzhou":
		return "bp"
	case "cn-beijing":
		return "2z"
	case "cn-shanghai":
		return "uf"
	case "cn-qingdao":
		return "m5"
	case "cn-shenzhen":
		return "wz"
	case "cn-zhangjiakou":
		return "8v"
	case "cn-huhehaote":
		return "hp"
	case "":
		return "ze"
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(regionID))
	v := h.Sum32() % (36 * 36)
	return string([]byte{base36[v/36], base36[v%36]})
}
