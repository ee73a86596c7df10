package sampling

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"
)

// Domain tags of the v2 derivations (see the package documentation).
const (
	domainPoW       = "zkpoc/sample/pow/v2"
	domainChallenge = "zkpoc/sample/challenge/v2"
	domainRows      = "zkpoc/sample/rows/v2"
)

// Limits a verifier enforces on a sampling box.
const (
	// MaxPoWBits bounds the proof-of-work difficulty a receipt may state:
	// the check is one hash whatever it says, but more than 64 bits is work
	// no prover can have done.
	MaxPoWBits = 64
	// NonceBytes is the length of a proof-of-work nonce (big-endian uint64),
	// carried as 16 hex characters.
	NonceBytes = 8
	// MinChallengeBytes and MaxChallengeBytes bound a challenge: at least
	// 128 bits, so that a node cannot have guessed it in advance.
	MinChallengeBytes = 16
	MaxChallengeBytes = 64
)

// Commitment is what is fixed before a sample's randomness exists: the
// Merkle root of the output rows (bound to the request and node by the PoE),
// the request, the node and the number of rows.
type Commitment struct {
	Root, RequestID, NodeID [32]byte
	Rows                    int // n, the leaves of the tree
}

func (c Commitment) prefix(domain string) []byte {
	b := make([]byte, 0, len(domain)+3*32+4+8)
	b = append(b, domain...)
	b = append(b, c.Root[:]...)
	b = append(b, c.RequestID[:]...)
	b = append(b, c.NodeID[:]...)
	return binary.BigEndian.AppendUint32(b, uint32(c.Rows))
}

// PoWChallenge is c = SHA-256("zkpoc/sample/pow/v2" ‖ root ‖ request_id ‖
// node_id ‖ uint32_be(n) ‖ uint8(g)), the value a proof-of-work nonce is
// searched for. g is part of it, so a solution is valid for one difficulty.
func (c Commitment) PoWChallenge(powBits int) [32]byte {
	return sha256.Sum256(append(c.prefix(domainPoW), byte(powBits)))
}

// PoWDigest is h = SHA-256(c ‖ uint64_be(nonce)): 40 bytes, one SHA-256
// block per try. A nonce solves difficulty g when h has at least g leading
// zero bits; h is then the sample seed.
func PoWDigest(c [32]byte, nonce uint64) [32]byte {
	var msg [32 + NonceBytes]byte
	copy(msg[:32], c[:])
	binary.BigEndian.PutUint64(msg[32:], nonce)
	return sha256.Sum256(msg[:])
}

// LeadingZeros counts the leading zero bits of h (256 for all zeros).
func LeadingZeros(h [32]byte) int {
	for i := 0; i < 4; i++ {
		if w := binary.BigEndian.Uint64(h[8*i:]); w != 0 {
			return 64*i + bits.LeadingZeros64(w)
		}
	}
	return 256
}

// PoWSeed checks that nonce solves difficulty powBits for this commitment
// and returns the sample seed h. The error names sampling.nonce.
func (c Commitment) PoWSeed(powBits int, nonce uint64) ([32]byte, error) {
	h := PoWDigest(c.PoWChallenge(powBits), nonce)
	if z := LeadingZeros(h); z < powBits {
		return h, fmt.Errorf("sampling.nonce %016x does not solve the proof of work: SHA-256(c ‖ nonce) has %d leading zero bits, sampling.pow_bits states %d", nonce, z, powBits)
	}
	return h, nil
}

// SolvePoW returns the smallest nonce whose PoWDigest with c has at least
// powBits leading zero bits, searched by workers goroutines (nonces
// interleaved, so the answer does not depend on the number of workers), and
// the number of hashes evaluated. Expected work: 2^powBits hashes.
func SolvePoW(c [32]byte, powBits, workers int) (nonce, tries uint64) {
	if workers < 1 {
		workers = 1
	}
	var best, total atomic.Uint64
	best.Store(math.MaxUint64)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(x uint64) {
			defer wg.Done()
			var msg [32 + NonceBytes]byte
			copy(msg[:32], c[:])
			var n uint64
			for ; x < best.Load(); x += uint64(workers) {
				n++
				binary.BigEndian.PutUint64(msg[32:], x)
				if LeadingZeros(sha256.Sum256(msg[:])) >= powBits {
					for cur := best.Load(); x < cur && !best.CompareAndSwap(cur, x); cur = best.Load() {
					}
					break
				}
			}
			total.Add(n)
		}(uint64(w))
	}
	wg.Wait()
	return best.Load(), total.Load()
}

// ChallengeSeed is SHA-256("zkpoc/sample/challenge/v2" ‖ root ‖ request_id
// ‖ node_id ‖ uint32_be(n) ‖ uint16_be(len) ‖ challenge): the sample seed of
// a challenge issued after the root was committed.
func (c Commitment) ChallengeSeed(challenge []byte) [32]byte {
	b := binary.BigEndian.AppendUint16(c.prefix(domainChallenge), uint16(len(challenge)))
	return sha256.Sum256(append(b, challenge...))
}

// Indices derives k distinct row indices in [0, n) from a sample seed, sorted.
// Block j of the stream is SHA-256("zkpoc/sample/rows/v2" ‖ seed ‖
// uint64_be(j)), read as four big-endian uint64 words; a word v is used as
// v mod n unless v falls in the final incomplete range (rejection, so every
// row is equally likely), and repeats are skipped: the rows are a uniform
// k-subset. k is not hashed: the sample for k is the first k distinct rows
// of one stream, so a prover gains nothing by choosing k after seeing the
// seed (a larger k only adds rows). With k ≥ n every row is returned.
func Indices(seed [32]byte, n, k int) []int {
	if n <= 0 || k <= 0 {
		return nil
	}
	if k >= n {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	var msg [len(domainRows) + 32 + 8]byte
	copy(msg[:], domainRows)
	copy(msg[len(domainRows):], seed[:])
	limit := math.MaxUint64 - math.MaxUint64%uint64(n) // accept v < limit
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for j := uint64(0); len(out) < k; j++ {
		binary.BigEndian.PutUint64(msg[len(domainRows)+32:], j)
		block := sha256.Sum256(msg[:])
		for w := 0; w < 4 && len(out) < k; w++ {
			v := binary.BigEndian.Uint64(block[8*w:])
			if v >= limit {
				continue
			}
			if i := int(v % uint64(n)); !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

// WrongRows is w = ⌈ε·n⌉, the fewest wrong rows an output with at least a
// fraction ε of its n rows wrong has, clamped to [1, n]. ε·n is rounded
// down within a relative 1e-9 first, so that a decimal ε such as 0.05
// (stored as 0.05000000000000000277) gives w = 5 at n = 100, not 6: the
// rounding can only lower w, which only raises (weakens) the bound.
func WrongRows(n int, epsilon float64) int {
	x := epsilon * float64(n)
	w := int(math.Ceil(x - 1e-9*math.Max(1, x)))
	return min(max(w, 1), max(n, 1))
}

// Log2Miss is log2 of the probability that k distinct rows drawn uniformly
// from n include none of w wrong ones (sampling without replacement):
// C(n−w, k)/C(n, k) = Π_{i=0}^{k−1} (n−w−i)/(n−i), summed as
// Σ log1p(−w/(n−i)) in order of i, so prover and verifier get the same
// value up to the last bits of a platform's log1p. It is −Inf when
// k > n − w (every sample contains a wrong row) and 0 when k ≤ 0 or w ≤ 0.
func Log2Miss(n, k, w int) float64 {
	if k <= 0 || w <= 0 {
		return 0
	}
	if k > n-w {
		return math.Inf(-1)
	}
	s := 0.0
	for i := 0; i < k; i++ {
		s += math.Log1p(-float64(w) / float64(n-i))
	}
	return s / math.Ln2
}

// Miss is 2^Log2Miss(n, k, w): the per-attempt probability that an output
// with w wrong rows passes a sample of k rows (0 when k > n − w).
func Miss(n, k, w int) float64 { return math.Exp2(Log2Miss(n, k, w)) }

// RowsFor is the number of rows to open at n with w wrong: the smallest k
// with Log2Miss(n, k, w) ≤ targetLog2, or n (every row) when that k would
// exceed n − w: a bound of zero then costs at most w − 1 rows more than
// opening everything, and opening everything states no bound at all.
func RowsFor(n, w int, targetLog2 float64) int {
	s := 0.0
	for k := 1; k <= n-w; k++ {
		s += math.Log1p(-float64(w)/float64(n-k+1)) / math.Ln2
		if s <= targetLog2 {
			return k
		}
	}
	return n
}

// Log2Bound is the bound an attacker with 2^workLog2 evaluations of
// SHA-256 gets against a proof-of-work sample of difficulty powBits:
// log2 min(1, 2^(workLog2 − powBits) · 2^log2Miss).
func Log2Bound(log2Miss float64, workLog2, powBits int) float64 {
	return min(0, log2Miss+float64(workLog2-powBits))
}

// ParseNonce decodes a proof-of-work nonce: 16 hex characters, big-endian.
func ParseNonce(s string) (uint64, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != NonceBytes {
		return 0, fmt.Errorf("sampling.nonce must be %d bytes of hex (%d characters)", NonceBytes, 2*NonceBytes)
	}
	return binary.BigEndian.Uint64(b), nil
}

// FormatNonce is the receipt's encoding of a nonce.
func FormatNonce(nonce uint64) string { return fmt.Sprintf("%016x", nonce) }

// ParseChallenge decodes a challenge: hex, MinChallengeBytes to
// MaxChallengeBytes long. field names it in the error.
func ParseChallenge(field, s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not hex: %v", field, err)
	}
	if len(b) < MinChallengeBytes || len(b) > MaxChallengeBytes {
		return nil, fmt.Errorf("%s is %d bytes, want %d to %d (at least 128 unpredictable bits)", field, len(b), MinChallengeBytes, MaxChallengeBytes)
	}
	return b, nil
}
