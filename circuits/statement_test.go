package circuits

import (
	"crypto/sha256"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/zkpoc/zkpoc/protocol"
)

// instance is an honest statement: matrices, product, and public values.
type instance struct {
	curve   protocol.Curve
	n, f    int
	a, b    []int16
	c       []int64
	r       []int64
	pub     protocol.Public
	product [][]int64
}

func product(a, b []int16, n int) []int64 {
	s := make([]int64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for k := 0; k < n; k++ {
				s[i*n+j] += int64(a[i*n+k]) * int64(b[k*n+j])
			}
		}
	}
	return s
}

func poe(req, digest, node [32]byte) [32]byte {
	msg := append(append(append([]byte{}, req[:]...), digest[:]...), node[:]...)
	return sha256.Sum256(msg)
}

func newInstance(t testing.TB, n, f int, seed uint64) *instance {
	t.Helper()
	return newInstanceOn(t, protocol.BN254, n, f, seed)
}

func newInstanceOn(t testing.TB, curve protocol.Curve, n, f int, seed uint64) *instance {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	in := &instance{curve: curve, n: n, f: f, a: make([]int16, n*n), b: make([]int16, n*n)}
	for i := range in.a {
		in.a[i] = int16(rng.Uint32())
		in.b[i] = int16(rng.Uint32())
	}
	s := product(in.a, in.b, n)
	in.c = make([]int64, n*n)
	in.r = make([]int64, n*n)
	for i, v := range s {
		in.c[i] = v >> f
		in.r[i] = v - in.c[i]<<f
	}
	in.pub.RequestID = sha256.Sum256([]byte("request"))
	in.pub.NodeID = sha256.Sum256([]byte("node"))
	var err error
	if in.pub.InputCommitment, err = protocol.InputCommitmentOn(curve, in.a, in.b, n, f); err != nil {
		t.Fatal(err)
	}
	if in.pub.OutputDigest, err = protocol.OutputDigestOn(curve, in.c, n, f); err != nil {
		t.Fatal(err)
	}
	in.pub.PoE = poe(in.pub.RequestID, in.pub.OutputDigest, in.pub.NodeID)
	return in
}

// assignment converts the instance to a circuit assignment, entries as big
// integers so that tests can place values outside every native range.
type rawAssignment struct {
	curve      protocol.Curve
	a, b, c, r []*big.Int
	pub        protocol.Public
}

func (in *instance) raw() *rawAssignment {
	conv := func(xs []int64) []*big.Int {
		out := make([]*big.Int, len(xs))
		for i, x := range xs {
			out[i] = big.NewInt(x)
		}
		return out
	}
	a16 := make([]int64, len(in.a))
	b16 := make([]int64, len(in.b))
	for i := range in.a {
		a16[i], b16[i] = int64(in.a[i]), int64(in.b[i])
	}
	return &rawAssignment{curve: in.curve, a: conv(a16), b: conv(b16), c: conv(in.c), r: conv(in.r), pub: in.pub}
}

// shift returns x + 2^(bits-1) mod r for each x.
func shiftBig(xs []*big.Int, nbBits int, p *big.Int) []*big.Int {
	off := new(big.Int).Lsh(big.NewInt(1), uint(nbBits-1))
	out := make([]*big.Int, len(xs))
	for i, x := range xs {
		out[i] = new(big.Int).Add(x, off)
		out[i].Mod(out[i], p)
	}
	return out
}

// redigest recomputes commitments and PoE for whatever the raw entries now are,
// so that only the constraint under test can reject the assignment.
func (ra *rawAssignment) redigest(n, f int) {
	p := ra.curve.ScalarField()
	ra.pub.InputCommitment = protocol.DigestLimbs(ra.curve, protocol.InputTag(n, f), protocol.InputBits, shiftBig(ra.a, protocol.InputBits, p), shiftBig(ra.b, protocol.InputBits, p))
	b := protocol.OutputBits(n, f)
	ra.pub.OutputDigest = protocol.DigestLimbs(ra.curve, protocol.OutputTag(n, f, b), b, shiftBig(ra.c, b, p))
	ra.pub.PoE = poe(ra.pub.RequestID, ra.pub.OutputDigest, ra.pub.NodeID)
}

func (ra *rawAssignment) circuit(t testing.TB, m protocol.Method, n, f int, lay layout) *MatMul {
	c := newWithLayout(m, n, f, lay)
	assignPublic(c, ra.pub)
	for i := range c.A {
		c.A[i], c.B[i], c.R[i] = ra.a[i], ra.b[i], ra.r[i]
	}
	if err := c.setOutputs(ra.c); err != nil {
		t.Fatal(err)
	}
	return c
}

// layouts are both range-check strategies, each forced at small n so that the
// test engine can exercise them: gnark's range checker and the lookup table.
func layouts(n, f int) map[string]layout {
	b := protocol.OutputBits(n, f)
	return map[string]layout{
		"rangecheck":         {outBits: b, limbBits: b, limbs: 1},
		"lookup":             lookupLayout(n, f, b, false),
		"lookup-10bit-limbs": {outBits: b, limbBits: 10, limbs: (b + 9) / 10, lookup: true},
	}
}

func TestNativeDigestMatchesCircuit(t *testing.T) {
	// A valid honest assignment solves only if native and in-circuit
	// packing, Poseidon2 and SHA-256 agree bit for bit.
	for _, curve := range protocol.Curves {
		for _, m := range []protocol.Method{protocol.Freivalds, protocol.Naive} {
			for _, tc := range []struct{ n, f int }{{1, 8}, {2, 0}, {3, 8}, {4, 16}, {5, 8}} {
				in := newInstanceOn(t, curve, tc.n, tc.f, uint64(tc.n*100+tc.f))
				shape, _ := New(m, tc.n, tc.f)
				w, err := Assign(m, tc.n, tc.f, in.a, in.b, in.c, in.pub)
				if err != nil {
					t.Fatal(err)
				}
				if err := test.IsSolved(shape, w, curve.ScalarField()); err != nil {
					t.Errorf("%s %s n=%d f=%d: honest assignment rejected: %v", curve, m.Name(), tc.n, tc.f, err)
				}
				// the other curve's digests must not satisfy this curve's circuit
				other := newInstanceOn(t, otherCurve(curve), tc.n, tc.f, uint64(tc.n*100+tc.f))
				w2, _ := Assign(m, tc.n, tc.f, other.a, other.b, other.c, other.pub)
				if err := test.IsSolved(shape, w2, curve.ScalarField()); err == nil {
					t.Errorf("%s %s n=%d: digests of %s accepted", curve, m.Name(), tc.n, otherCurve(curve))
				}
			}
		}
	}
}

func otherCurve(c protocol.Curve) protocol.Curve {
	if c == protocol.BN254 {
		return protocol.BLS12381
	}
	return protocol.BN254
}

func TestExtremeInputsSolve(t *testing.T) {
	// All −32768 squared reaches the positive output bound; 32767·−32768 the negative one.
	n, f := 4, 8
	for _, vals := range [][2]int16{{-32768, -32768}, {32767, -32768}, {32767, 32767}} {
		in := newInstance(t, n, f, 1)
		for i := range in.a {
			in.a[i], in.b[i] = vals[0], vals[1]
		}
		s := product(in.a, in.b, n)
		for i, v := range s {
			in.c[i] = v >> f
		}
		in.pub.InputCommitment, _ = protocol.InputCommitment(in.a, in.b, n, f)
		var err error
		if in.pub.OutputDigest, err = protocol.OutputDigest(in.c, n, f); err != nil {
			t.Fatal(err)
		}
		in.pub.PoE = poe(in.pub.RequestID, in.pub.OutputDigest, in.pub.NodeID)
		shape, _ := New(protocol.Freivalds, n, f)
		w, err := Assign(protocol.Freivalds, n, f, in.a, in.b, in.c, in.pub)
		if err != nil {
			t.Fatal(err)
		}
		test.NewAssert(t).SolvingSucceeded(shape, w, test.WithCurves(ecc.BN254), test.WithBackends(backend.GROTH16))
	}
}

func TestAssignRefusesWrongProduct(t *testing.T) {
	in := newInstance(t, 3, 8, 9)
	in.c[4]++
	if _, err := Assign(protocol.Freivalds, 3, 8, in.a, in.b, in.c, in.pub); err == nil {
		t.Fatal("Assign accepted a wrong C'")
	}
}

// TestMaliciousAssignments: for every constraint family, a witness crafted so
// that all other constraints hold must be rejected.
func TestMaliciousAssignments(t *testing.T) {
	count := 0
	for _, curve := range protocol.Curves {
		count += maliciousAssignments(t, curve)
	}
	t.Logf("%d malicious assignments, all rejected", count)
}

func maliciousAssignments(t *testing.T, curve protocol.Curve) int {
	const n, f = 4, 8
	p := curve.ScalarField()
	cases := []struct {
		name   string
		mutate func(ra *rawAssignment)
		// redigest recomputes commitments and PoE after the mutation
		redigest bool
	}{
		{"wrong product entry", func(ra *rawAssignment) { ra.c[5].Add(ra.c[5], big.NewInt(1)) }, true},
		{"wrong product entry, remainder adjusted within range", func(ra *rawAssignment) {
			// C'+1 and R kept: only the product check sees it
			ra.c[0].Add(ra.c[0], big.NewInt(1))
			ra.r[0].SetInt64(0)
		}, true},
		{"remainder = 2^f with C' shifted down", func(ra *rawAssignment) {
			ra.c[3].Sub(ra.c[3], big.NewInt(1))
			ra.r[3].Add(ra.r[3], big.NewInt(1<<f))
		}, true},
		{"negative remainder with C' shifted up", func(ra *rawAssignment) {
			ra.c[7].Add(ra.c[7], big.NewInt(1))
			ra.r[7].Sub(ra.r[7], big.NewInt(1<<f))
		}, true},
		{"C' outside its bound (field wrap, R = 0)", func(ra *rawAssignment) {
			// δ = R·2^-f mod p: A·B = 2^f(C'+δ) + 0 holds in the field
			i := slices.IndexFunc(ra.r, func(x *big.Int) bool { return x.Sign() != 0 })
			inv := new(big.Int).ModInverse(big.NewInt(1<<f), p)
			d := new(big.Int).Mul(ra.r[i], inv)
			d.Mod(d, p)
			ra.c[i].Add(ra.c[i], d)
			ra.r[i].SetInt64(0)
		}, true},
		{"input entry 32768 (not int16)", func(ra *rawAssignment) {
			ra.a[0].SetInt64(32768)
			recompute(ra, n, f)
		}, true},
		{"input entry -32769 (not int16)", func(ra *rawAssignment) {
			ra.b[n*n-1].SetInt64(-32769)
			recompute(ra, n, f)
		}, true},
		{"output digest of a different C'", func(ra *rawAssignment) {
			other := make([]int64, n*n)
			d, _ := protocol.OutputDigestOn(curve, other, n, f)
			ra.pub.OutputDigest = d
			ra.pub.PoE = poe(ra.pub.RequestID, d, ra.pub.NodeID)
		}, false},
		{"input commitment of different matrices", func(ra *rawAssignment) {
			z := make([]int16, n*n)
			ra.pub.InputCommitment, _ = protocol.InputCommitmentOn(curve, z, z, n, f)
		}, false},
		{"PoE for another node", func(ra *rawAssignment) {
			ra.pub.PoE = poe(ra.pub.RequestID, ra.pub.OutputDigest, sha256.Sum256([]byte("other node")))
		}, false},
		{"node_id swapped, PoE kept", func(ra *rawAssignment) {
			ra.pub.NodeID = sha256.Sum256([]byte("other node"))
		}, false},
		{"request_id swapped, PoE kept", func(ra *rawAssignment) {
			ra.pub.RequestID = sha256.Sum256([]byte("other request"))
		}, false},
	}
	count := 0
	for lname, lay := range layouts(n, f) {
		for _, m := range []protocol.Method{protocol.Freivalds, protocol.Naive} {
			prefix := string(curve) + "/" + lname + "/" + m.Name() + "/"
			t.Run(prefix+"honest", func(t *testing.T) {
				ra := newInstanceOn(t, curve, n, f, 42).raw()
				if err := test.IsSolved(newWithLayout(m, n, f, lay), ra.circuit(t, m, n, f, lay), p); err != nil {
					t.Fatalf("honest assignment rejected: %v", err)
				}
			})
			for _, tc := range cases {
				count++
				t.Run(prefix+tc.name, func(t *testing.T) {
					in := newInstanceOn(t, curve, n, f, 42)
					ra := in.raw()
					tc.mutate(ra)
					if tc.redigest {
						ra.redigest(n, f)
					}
					if err := test.IsSolved(newWithLayout(m, n, f, lay), ra.circuit(t, m, n, f, lay), p); err == nil {
						t.Fatal("malicious assignment accepted")
					}
				})
			}
		}
	}
	return count
}

// recompute sets C' and R to the true floor division of the (possibly
// out-of-range) integer product, so only the input range check can fail.
func recompute(ra *rawAssignment, n, f int) {
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := new(big.Int)
			for k := 0; k < n; k++ {
				s.Add(s, new(big.Int).Mul(ra.a[i*n+k], ra.b[k*n+j]))
			}
			c := new(big.Int).Rsh(s, uint(f)) // floor for negatives too
			ra.c[i*n+j] = c
			ra.r[i*n+j] = new(big.Int).Sub(s, new(big.Int).Lsh(c, uint(f)))
		}
	}
}

var _ frontend.Circuit = (*MatMul)(nil)
