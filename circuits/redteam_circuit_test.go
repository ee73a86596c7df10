package circuits

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRedteamCompiledNonLookupLayouts: the test engine checks gnark's range
// checker natively (a big-integer comparison), so for the layouts New picks
// at n < 128 TestLayoutsRejectNonIntegers exercises no range-check
// constraint at all; TestForgeryRejectedByCompiledSystems runs the compiled
// gadget for f = 8 only. Here the edge cases f = 0 (R asserted 0), f = 1
// (R boolean: gnark's checker special-cases 1 bit), f = 16, at the layouts of
// n = 1 and n = 127, go through the compiled R1CS (and SCS for f = 16):
// half-integer inputs keeping the input commitment, and C' ± 1/2 with R
// compensated, must not solve (every attack of nonIntegerAttacks).
func TestRedteamCompiledNonLookupLayouts(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles circuits")
	}
	count := 0
	defer func() { t.Logf("%d forged witnesses through compiled systems, all rejected", count) }()
	for _, f := range []int{0, 1, 16} {
		for _, n := range []int{1, 127} {
			lay := chooseLayout(n, f)
			if lay.lookup {
				t.Fatalf("n = %d chose lookup tables", n)
			}
			builders := []string{"r1cs"}
			if f == 16 && n == 1 {
				builders = append(builders, "scs")
			}
			for _, bname := range builders {
				name := fmt.Sprintf("f=%d/layout(n=%d)=%+v/%s", f, n, lay, bname)
				honest := newForged(t, protocol.BN254, 4, f, lay, 7)
				honest.rangeOnly = true
				honest.redigest()
				ccs, err := compileWith(protocol.BN254, bname, honest.shape(protocol.Freivalds))
				if err != nil {
					t.Fatal(err)
				}
				w, err := frontend.NewWitness(honest.circuit(protocol.Freivalds), protocol.BN254.ScalarField())
				if err != nil {
					t.Fatal(err)
				}
				if err := ccs.IsSolved(w); err != nil {
					t.Fatalf("%s: honest witness: %v", name, err)
				}
				t.Logf("%s: %d constraints", name, ccs.GetNbConstraints())
				for _, at := range nonIntegerAttacks {
					fg := newForged(t, protocol.BN254, 4, f, lay, 7)
					fg.rangeOnly = true
					if !at.apply(fg) {
						continue
					}
					fg.redigest()
					count++
					w, err := frontend.NewWitness(fg.circuit(protocol.Freivalds), protocol.BN254.ScalarField())
					if err != nil {
						t.Fatal(err)
					}
					if err := ccs.IsSolved(w); err == nil {
						t.Errorf("%s: %s solves the compiled system", name, at.name)
					}
				}
			}
		}
	}
}

// TestRedteamDigestPackingAndTags: for every (n, f) a digest can be taken at
// (SNARK n ≤ protocol.MaxN; sampled and binding receipts commit inputs on protocol.BN254 up
// to workload.MaxMatrixSize), the packed elements stay below both moduli
// (so packing is injective) and the domain tags are pairwise distinct
// (n, f and the limb width cannot be confused, nor inputs with outputs).
func TestRedteamDigestPackingAndTags(t *testing.T) {
	seen := map[uint64]string{}
	minBits := protocol.BN254.ScalarField().BitLen() - 1 // every value below 2^253 is < p for both curves
	for n := 1; n <= workload.MaxMatrixSize; n++ {
		for f := 0; f <= workload.MaxFracBits; f++ {
			b := protocol.OutputBits(n, f)
			if protocol.PerElement(b)*b > minBits || protocol.PerElement(protocol.InputBits)*protocol.InputBits > minBits {
				t.Fatalf("n=%d f=%d: packing %d×%d bits", n, f, protocol.PerElement(b), b)
			}
			if n <= protocol.MaxN && (b < 2 || b > 62) {
				t.Fatalf("n=%d f=%d: output width %d", n, f, b)
			}
			for _, tag := range []struct {
				v    uint64
				what string
			}{{protocol.InputTag(n, f), fmt.Sprintf("input n=%d f=%d", n, f)}, {protocol.OutputTag(n, f, b), fmt.Sprintf("output n=%d f=%d", n, f)}} {
				if other, ok := seen[tag.v]; ok {
					t.Fatalf("domain tag %x of %s is also %s", tag.v, tag.what, other)
				}
				seen[tag.v] = tag.what
			}
		}
	}
	// The integer identity: |D| < p/2 at the largest n and every f.
	for f := 0; f <= 16; f++ {
		n := int64(protocol.MaxN)
		b := protocol.OutputBits(protocol.MaxN, f)
		d := new(big.Int).Lsh(big.NewInt(n), 30)
		d.Add(d, new(big.Int).Lsh(big.NewInt(1), uint(f+b-1)))
		d.Add(d, new(big.Int).Lsh(big.NewInt(1), uint(f)))
		if d.Cmp(new(big.Int).Rsh(protocol.BN254.ScalarField(), 1)) >= 0 {
			t.Fatalf("f=%d: |D| bound %v not below p/2", f, d)
		}
		// and the true product bound fits in b bits
		lo, hi := workload.OutputBound(protocol.MaxN, f), b
		if lo != hi {
			t.Fatalf("protocol.OutputBits and workload.OutputBound disagree")
		}
		maxProd := new(big.Int).Lsh(big.NewInt(n), 30) // n·(−2^15)², the largest |Σ a·b|
		if new(big.Int).Rsh(maxProd, uint(f)).Cmp(new(big.Int).Lsh(big.NewInt(1), uint(b-1))) >= 0 {
			t.Fatalf("f=%d: floor(n·2^30/2^f) is not below 2^(b−1)", f)
		}
	}
}
