package circuits

import (
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/std/math/bits"
	"github.com/consensys/gnark/test"

	"github.com/zkpoc/zkpoc/protocol"
)

// shaCircuit hashes len(Msg) 32-bit words (each given as its value and
// decomposed in-circuit) and asserts the digest words.
type shaCircuit struct {
	Msg    []frontend.Variable
	Digest [8]frontend.Variable
}

func (c *shaCircuit) Define(api frontend.API) error {
	g := bitGadget{api}
	msg := make([]word, len(c.Msg))
	for i, m := range c.Msg {
		msg[i] = wordsBE(bits.ToBinary(api, m, bits.WithNbDigits(32)), 1)[0]
	}
	out := g.sha256(msg)
	for i := range out {
		api.AssertIsEqual(g.value(out[i]), c.Digest[i])
	}
	return nil
}

func shaAssignment(msg []uint32) *shaCircuit {
	buf := make([]byte, 4*len(msg))
	c := &shaCircuit{Msg: make([]frontend.Variable, len(msg))}
	for i, m := range msg {
		binary.BigEndian.PutUint32(buf[4*i:], m)
		c.Msg[i] = m
	}
	d := sha256.Sum256(buf)
	for i := range c.Digest {
		c.Digest[i] = binary.BigEndian.Uint32(d[4*i:])
	}
	return c
}

func randomWords(rng *rand.Rand, k int) []uint32 {
	out := make([]uint32, k)
	for i := range out {
		out[i] = rng.Uint32()
	}
	return out
}

// TestSHA256MatchesStdlib checks the gadget against crypto/sha256 across the
// padding cases: empty, one block with room for the length, the length
// spilling into a second block, exactly one block, and the PoE's 24 words.
func TestSHA256MatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	field := ecc.BN254.ScalarField()
	for _, k := range []int{0, 1, 13, 14, 16, 24} {
		for _, msg := range [][]uint32{randomWords(rng, k), make([]uint32, k), allOnes(k)} {
			shape := &shaCircuit{Msg: make([]frontend.Variable, k)}
			if err := test.IsSolved(shape, shaAssignment(msg), field); err != nil {
				t.Errorf("%d words %08x: honest digest rejected: %v", k, msg, err)
				continue
			}
			bad := shaAssignment(msg)
			bad.Digest[rng.IntN(8)] = rng.Uint32()
			if err := test.IsSolved(shape, bad, field); err == nil {
				t.Fatalf("%d words: wrong digest accepted", k)
			}
		}
	}
}

func allOnes(k int) []uint32 {
	out := make([]uint32, k)
	for i := range out {
		out[i] = 0xffffffff
	}
	return out
}

// TestSHA256MaliciousDecompositions replaces the hint that splits each sum
// into result and carry bits with dishonest ones whose recombination still
// equals the sum: every one must be rejected.
func TestSHA256MaliciousDecompositions(t *testing.T) {
	field := ecc.BN254.ScalarField()
	msg := randomWords(rand.New(rand.NewPCG(3, 4)), 14)
	shape := &shaCircuit{Msg: make([]frontend.Variable, len(msg))}
	two32 := new(big.Int).Lsh(big.NewInt(1), 32)
	cases := []struct {
		name string
		// cheat rewrites the honest bits of the sum s in place; it reports
		// whether it changed anything for this s
		cheat func(s *big.Int, out []*big.Int) bool
	}{
		{"result bit 2 with the next bit cleared", func(s *big.Int, out []*big.Int) bool {
			for i := 1; i < 32; i++ {
				if out[i].Sign() == 1 && out[i-1].Sign() == 0 {
					out[i].SetInt64(0)
					out[i-1].SetInt64(2)
					return true
				}
			}
			return false
		}},
		{"carry bit 2 with the next carry cleared", func(s *big.Int, out []*big.Int) bool {
			if len(out) < 34 || out[33].Sign() == 0 || out[32].Sign() != 0 {
				return false
			}
			out[33].SetInt64(0)
			out[32].SetInt64(2)
			return true
		}},
		{"carry folded into result bit 0 as 1 + 2^32", func(s *big.Int, out []*big.Int) bool {
			if out[32].Sign() == 0 {
				return false
			}
			out[32].SetInt64(0)
			out[0].Add(out[0], two32)
			return true
		}},
		{"result bit −1 (p − 1) with the next bit set: 2^(i+1) − 2^i = 2^i", func(s *big.Int, out []*big.Int) bool {
			for i := 0; i < 31; i++ {
				if out[i].Sign() == 1 && out[i+1].Sign() == 0 {
					out[i+1].SetInt64(1)
					out[i].Sub(field, big.NewInt(1))
					return true
				}
			}
			return false
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cheated := 0
			hint := func(f *big.Int, in, out []*big.Int) error {
				if err := splitBitsHint(f, in, out); err != nil {
					return err
				}
				if cheated == 0 && tc.cheat(in[0], out) {
					cheated++
				}
				return nil
			}
			err := test.IsSolved(shape, shaAssignment(msg), field,
				test.WithReplacementHint(solver.GetHintID(splitBitsHint), hint))
			if cheated == 0 {
				t.Fatal("the cheat found no sum to apply to")
			}
			if err == nil {
				t.Fatal("dishonest decomposition accepted")
			}
		})
	}
}

// TestSHA256Constraints pins what the gadget costs in R1CS (one block of 13
// words, and the PoE's 24 words in two blocks), word decompositions included.
func TestSHA256Constraints(t *testing.T) {
	for k, want := range map[int]int{13: 26272, 24: 52810} {
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &shaCircuit{Msg: make([]frontend.Variable, k)})
		if err != nil {
			t.Fatal(err)
		}
		if got := ccs.GetNbConstraints(); got != want {
			t.Errorf("SHA-256 of %d words: %d R1CS constraints, pinned %d", k, got, want)
		}
	}
}

// TestPoEEncodingsCanonical: the PoE hashes the canonical bytes of its
// inputs, so witnesses that encode the same field values differently must
// be rejected — a 128-bit half carrying 2^128 (the other half lowered to
// keep hi·2^128 + lo), and the output digest decomposed as x + p (its PoE
// computed over those bytes, so only the modulus check can catch it).
func TestPoEEncodingsCanonical(t *testing.T) {
	const n, f = 2, 8
	field := ecc.BN254.ScalarField()
	two128 := new(big.Int).Lsh(big.NewInt(1), 128)

	in := newInstance(t, n, f, 5)
	honest, err := Assign(protocol.Freivalds, n, f, in.a, in.b, in.c, in.pub)
	if err != nil {
		t.Fatal(err)
	}
	shape, _ := New(protocol.Freivalds, n, f)
	if err := test.IsSolved(shape, honest, field); err != nil {
		t.Fatalf("honest assignment rejected: %v", err)
	}

	t.Run("request_id half of 129 bits", func(t *testing.T) {
		w, _ := Assign(protocol.Freivalds, n, f, in.a, in.b, in.c, in.pub)
		h := protocol.Halves(in.pub.RequestID)
		w.RequestID = [2]frontend.Variable{new(big.Int).Sub(h[0], big.NewInt(1)), new(big.Int).Add(h[1], two128)}
		if err := test.IsSolved(shape, w, field); err == nil {
			t.Fatal("a non-canonical request_id split was accepted")
		}
	})

	t.Run("output digest decomposed as x + p", func(t *testing.T) {
		// find an instance whose digest x has x + p < 2^254, so that the
		// 254 bits the circuit decomposes into can hold x + p
		limit := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 254), field)
		var inst *instance
		for seed := uint64(6); seed < 200; seed++ {
			c := newInstance(t, n, f, seed)
			if new(big.Int).SetBytes(c.pub.OutputDigest[:]).Cmp(limit) < 0 {
				inst = c
				break
			}
		}
		if inst == nil {
			t.Fatal("no instance with a small enough digest")
		}
		x := new(big.Int).SetBytes(inst.pub.OutputDigest[:])
		xp := new(big.Int).Add(x, field)
		var shifted [32]byte
		xp.FillBytes(shifted[:])
		pub := inst.pub
		pub.PoE = poe(pub.RequestID, shifted, pub.NodeID)
		w, err := Assign(protocol.Freivalds, n, f, inst.a, inst.b, inst.c, pub)
		if err != nil {
			t.Fatal(err)
		}
		used := false
		var nBits solver.Hint
		for _, h := range bits.GetHints() {
			if strings.HasSuffix(solver.GetHintName(h), ".nBits") {
				nBits = h
			}
		}
		if nBits == nil {
			t.Fatal("gnark's bit-decomposition hint not found")
		}
		hint := func(m *big.Int, inputs, outputs []*big.Int) error {
			v := inputs[0]
			if v.Cmp(x) == 0 && len(outputs) >= xp.BitLen() {
				v, used = xp, true
			}
			for i := range outputs {
				outputs[i].SetUint64(uint64(v.Bit(i)))
			}
			return nil
		}
		err = test.IsSolved(shape, w, field, test.WithReplacementHint(solver.GetHintID(nBits), hint))
		if !used {
			t.Fatal("the digest was never decomposed through the replaced hint")
		}
		if err == nil {
			t.Fatal("the output digest's bytes of x + p were accepted")
		}
	})
}
