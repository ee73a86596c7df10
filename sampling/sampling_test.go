package sampling

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func testCommitment() Commitment {
	var c Commitment
	for i := range 32 {
		c.Root[i], c.RequestID[i], c.NodeID[i] = byte(i), byte(0x40+i), byte(0x80+i)
	}
	c.Rows = 64
	return c
}

// TestLog2MissEnumeration checks the exact bound against brute force: over
// every k-subset of n ≤ 12 rows, the fraction that avoids w wrong rows.
func TestLog2MissEnumeration(t *testing.T) {
	for n := 1; n <= 12; n++ {
		total := make([]int, n+1) // subsets by size
		for w := 0; w <= n; w++ {
			avoid := make([]int, n+1)
			wrong := uint32(1)<<w - 1 // rows 0..w−1; the bound is symmetric
			for set := uint32(0); set < 1<<n; set++ {
				k := bits.OnesCount32(set)
				if w == 0 {
					total[k]++
				}
				if set&wrong == 0 {
					avoid[k]++
				}
			}
			for k := 1; k <= n; k++ {
				want := float64(avoid[k]) / float64(total[k])
				got := Miss(n, k, w)
				if math.Abs(got-want) > 1e-12*math.Max(want, 1e-300) && !(want == 0 && got == 0) {
					t.Errorf("n=%d k=%d w=%d: Miss = %v, enumeration %d/%d = %v", n, k, w, got, avoid[k], total[k], want)
				}
			}
		}
	}
}

func TestLog2MissLargeAndWithReplacement(t *testing.T) {
	// Sampling without replacement is never weaker than (1 − w/n)^k.
	for _, tc := range []struct{ n, k, w int }{{4096, 271, 205}, {4096, 756, 205}, {512, 404, 26}, {1000, 999, 1}} {
		got, with := Log2Miss(tc.n, tc.k, tc.w), float64(tc.k)*math.Log2(1-float64(tc.w)/float64(tc.n))
		if got > with {
			t.Errorf("%+v: without replacement 2^%.3f > with replacement 2^%.3f", tc, got, with)
		}
	}
	if v := Log2Miss(10, 8, 3); !math.IsInf(v, -1) {
		t.Errorf("k > n − w must be −Inf, got %v", v)
	}
	if Log2Miss(10, 0, 3) != 0 || Log2Miss(10, 5, 0) != 0 {
		t.Error("k = 0 or w = 0 must give probability 1")
	}
}

func TestWrongRows(t *testing.T) {
	for _, tc := range []struct {
		n    int
		eps  float64
		want int
	}{{100, 0.05, 5}, {4096, 0.05, 205}, {512, 0.05, 26}, {64, 0.25, 16}, {3, 0.1, 1}, {10, 0.3, 3}, {10, 0.31, 4}, {7, 0.999, 7}, {0, 0.5, 1}} {
		if got := WrongRows(tc.n, tc.eps); got != tc.want {
			t.Errorf("WrongRows(%d, %v) = %d, want %d", tc.n, tc.eps, got, tc.want)
		}
	}
}

func TestRowsFor(t *testing.T) {
	for _, tc := range []struct {
		n      int
		target float64
		want   int
	}{{4096, -62, 756}, {2048, -62, 682}, {1024, -62, 562}, {512, -62, 404}, {256, -62, 241}, {128, -62, 128}, {64, -62, 64}, {4096, -20, 262}} {
		w := WrongRows(tc.n, 0.05)
		k := RowsFor(tc.n, w, tc.target)
		if k != tc.want {
			t.Errorf("RowsFor(n=%d, w=%d, 2^%v) = %d, want %d", tc.n, w, tc.target, k, tc.want)
		}
		if k < tc.n && (Log2Miss(tc.n, k, w) > tc.target || Log2Miss(tc.n, k-1, w) <= tc.target) {
			t.Errorf("n=%d: k = %d is not the smallest k reaching 2^%v", tc.n, k, tc.target)
		}
	}
}

func TestLog2Bound(t *testing.T) {
	if got := Log2Bound(-62.08, 64, 22); math.Abs(got-(-20.08)) > 1e-9 {
		t.Errorf("Log2Bound = %v", got)
	}
	if got := Log2Bound(-20.8, 64, 0); got != 0 {
		t.Errorf("an unhardened bound against 2^64 work must be 1 (log 0), got %v", got)
	}
	if got := Log2Bound(math.Inf(-1), 64, 0); !math.IsInf(got, -1) {
		t.Errorf("a zero bound stays zero, got %v", got)
	}
}

func TestIndices(t *testing.T) {
	var seed [32]byte
	for _, tc := range []struct{ n, k int }{{64, 8}, {64, 63}, {5, 4}, {4096, 756}, {1, 1}} {
		idx := Indices(seed, tc.n, tc.k)
		if len(idx) != tc.k || !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != tc.k {
			t.Fatalf("n=%d k=%d: %v is not k distinct sorted rows", tc.n, tc.k, idx)
		}
		if idx[0] < 0 || idx[len(idx)-1] >= tc.n {
			t.Fatalf("n=%d: row out of range in %v", tc.n, idx)
		}
	}
	if all := Indices(seed, 16, 20); len(all) != 16 || all[15] != 15 {
		t.Errorf("k ≥ n must open every row, got %v", all)
	}
	if Indices(seed, 0, 3) != nil || Indices(seed, 3, 0) != nil {
		t.Error("n or k ≤ 0 must give no rows")
	}
	// Nested: the sample for k is inside the sample for k' > k, so a prover
	// choosing k after seeing the seed only adds rows.
	small, big := Indices(seed, 512, 40), Indices(seed, 512, 404)
	for _, i := range small {
		if !slices.Contains(big, i) {
			t.Fatalf("row %d of the k = 40 sample is missing from the k = 404 one", i)
		}
	}
	other := seed
	other[0] ^= 1
	if slices.Equal(Indices(other, 512, 40), small) {
		t.Error("the sample does not depend on the seed")
	}
}

// TestVectors pins the v2 derivations (checked against an independent
// Python hashlib implementation) so other implementations can test against
// them: root bytes 0..31, request_id 0x40.., node_id 0x80.., n = 64.
func TestVectors(t *testing.T) {
	c := testCommitment()
	pc := c.PoWChallenge(8)
	nonce, _ := SolvePoW(pc, 8, 1)
	seed, err := c.PoWSeed(8, nonce)
	if err != nil {
		t.Fatal(err)
	}
	ch := c.ChallengeSeed([]byte("0123456789abcdef"))
	for _, v := range []struct{ name, got, want string }{
		{"pow challenge c (g = 8)", hex.EncodeToString(pc[:]), "370d3840e2ec538d89084ae0a2af73724404b7d7153e977b2ebebe21fdeab786"},
		{"smallest nonce", FormatNonce(nonce), "000000000000003a"},
		{"pow seed", hex.EncodeToString(seed[:]), "00d912321c87fc13f8d3465a4f207d2f4cac9a9ccebbfb4bef5f603631782d23"},
		{"pow rows (k = 8)", fmt.Sprint(Indices(seed, 64, 8)), "[14 21 25 26 27 32 49 59]"},
		{"challenge seed (\"0123456789abcdef\")", hex.EncodeToString(ch[:]), "7e6413c3feac777c7bdd4e1f3624d26f878e61f0823cb42256731697d63f48e0"},
		{"challenge rows (k = 8)", fmt.Sprint(Indices(ch, 64, 8)), "[2 15 17 23 34 36 43 55]"},
	} {
		if v.got != v.want {
			t.Errorf("%s: %s, want %s", v.name, v.got, v.want)
		}
	}
}

func TestPoW(t *testing.T) {
	c := testCommitment()
	for _, g := range []int{0, 1, 8, 12} {
		pc := c.PoWChallenge(g)
		serial, _ := SolvePoW(pc, g, 1)
		parallel, _ := SolvePoW(pc, g, 4)
		if serial != parallel {
			t.Fatalf("g=%d: the search is not deterministic: %d serially, %d with 4 workers", g, serial, parallel)
		}
		if _, err := c.PoWSeed(g, serial); err != nil {
			t.Fatalf("g=%d: the solution does not verify: %v", g, err)
		}
		for x := uint64(0); x < serial; x++ {
			if LeadingZeros(PoWDigest(pc, x)) >= g {
				t.Fatalf("g=%d: nonce %d < %d also solves it: not the smallest", g, x, serial)
			}
		}
	}
	pc := c.PoWChallenge(12)
	nonce, _ := SolvePoW(pc, 12, 2)
	for _, tc := range []struct {
		name string
		c    Commitment
		g    int
		x    uint64
	}{
		{"nonce changed", c, 12, nonce + 1},
		{"pow_bits raised", c, 40, nonce},
		{"root changed", func() Commitment { d := c; d.Root[0] ^= 1; return d }(), 12, nonce},
		{"rows changed", func() Commitment { d := c; d.Rows++; return d }(), 12, nonce},
	} {
		if _, err := tc.c.PoWSeed(tc.g, tc.x); err == nil || !strings.Contains(err.Error(), "sampling.nonce") {
			if LeadingZeros(PoWDigest(tc.c.PoWChallenge(tc.g), tc.x)) < tc.g { // a lucky hash would be a valid solution
				t.Errorf("%s: error %v, want one naming sampling.nonce", tc.name, err)
			}
		}
	}
}

func TestLeadingZeros(t *testing.T) {
	var h [32]byte
	if LeadingZeros(h) != 256 {
		t.Error("all zeros")
	}
	h[9] = 0x10
	if LeadingZeros(h) != 75 {
		t.Errorf("got %d, want 75", LeadingZeros(h))
	}
}

func TestParse(t *testing.T) {
	if x, err := ParseNonce("00000000000001ff"); err != nil || x != 511 {
		t.Errorf("ParseNonce: %d %v", x, err)
	}
	for _, bad := range []string{"", "1ff", "zz000000000001ff", "00000000000001ff00"} {
		if _, err := ParseNonce(bad); err == nil || !strings.Contains(err.Error(), "sampling.nonce") {
			t.Errorf("ParseNonce(%q): %v", bad, err)
		}
	}
	if _, err := ParseChallenge("c", strings.Repeat("ab", 16)); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", strings.Repeat("ab", 15), strings.Repeat("ab", 65), "xyz"} {
		if _, err := ParseChallenge("sampling.challenge", bad); err == nil || !strings.Contains(err.Error(), "sampling.challenge") {
			t.Errorf("ParseChallenge(%q): %v", bad, err)
		}
	}
}

// BenchmarkSolvePoW measures the honest prover's search at the default 22
// bits on all cores (go test ./sampling -bench SolvePoW -benchtime 16x):
// ns/op is the mean search time, hashes/op its work (2^22 ≈ 4.2M expected).
func BenchmarkSolvePoW(b *testing.B) {
	const g = 22
	c := testCommitment()
	var hashes uint64
	for i := 0; b.Loop(); i++ {
		c.Root[30], c.Root[31] = byte(i>>8), byte(i)
		_, tries := SolvePoW(c.PoWChallenge(g), g, runtime.GOMAXPROCS(0))
		hashes += tries
	}
	b.ReportMetric(float64(hashes)/float64(b.N), "hashes/op")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(hashes), "ns/hash")
}

// FuzzParse: the sampling decoders never panic, and what they accept re-encodes.
func FuzzParse(f *testing.F) {
	f.Add("00000000000001ff")
	f.Add(strings.Repeat("ab", 16))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if x, err := ParseNonce(s); err == nil && FormatNonce(x) != strings.ToLower(s) {
			t.Fatalf("nonce %q decoded to %d, re-encodes as %s", s, x, FormatNonce(x))
		}
		if b, err := ParseChallenge("c", s); err == nil && (len(b) < MinChallengeBytes || len(b) > MaxChallengeBytes) {
			t.Fatalf("challenge of %d bytes accepted", len(b))
		}
	})
}

// FuzzBound: the bound never panics, stays a probability, and falls with k.
func FuzzBound(f *testing.F) {
	f.Add(4096, 756, 205)
	f.Add(10, 11, 3)
	f.Fuzz(func(t *testing.T, n, k, w int) {
		if n < -1<<20 || n > 1<<16 || k > 1<<16 {
			return
		}
		v := Log2Miss(n, k, w)
		if math.IsNaN(v) || v > 0 {
			t.Fatalf("Log2Miss(%d, %d, %d) = %v", n, k, w, v)
		}
		if k >= 1 && w >= 1 && n >= 1 && Log2Miss(n, k+1, w) > v {
			t.Fatalf("Log2Miss rises with k at n=%d k=%d w=%d", n, k, w)
		}
	})
}
