package circuits

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/protocol"
)

// TestBreakdown logs the constraints each part of the statement costs per
// output element (go test ./circuits -run TestBreakdown -v -breakdown-n 256).
func TestBreakdown(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles several circuits")
	}
	n := *breakdownN
	count := func(skip parts) int {
		c, err := New(protocol.Freivalds, n, 8)
		if err != nil {
			t.Fatal(err)
		}
		c.skip = skip
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
		if err != nil {
			t.Fatal(err)
		}
		return ccs.GetNbConstraints()
	}
	all := count(parts{})
	noPoE := count(parts{poe: true})
	product := count(parts{poe: true, hashes: true})
	el := float64(n * n)
	t.Logf("n=%d: whole %d; without PoE %d (%.1f/elem); product+range checks %d (%.1f/elem); hashes %.1f/elem; PoE %d",
		n, all, noPoE, float64(noPoE)/el, product, float64(product)/el, float64(noPoE-product)/el, all-noPoE)
	if noPoE >= all || product >= noPoE {
		t.Errorf("parts do not add up: %d %d %d", all, noPoE, product)
	}
}

// TestSyntheticBreakdown is TestBreakdown for freivalds-s2, and logs the
// other range-check gadget's count at the same n (go test ./circuits -run
// TestSyntheticBreakdown -v -breakdown-n 512).
func TestSyntheticBreakdown(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles several circuits")
	}
	n, f := *breakdownN, 8
	count := func(lay layout, skip parts) int {
		c := newSyntheticWithLayout(n, f, lay)
		c.skip = skip
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
		if err != nil {
			t.Fatal(err)
		}
		return ccs.GetNbConstraints()
	}
	lay := chooseLayoutFor(n, f, true)
	all := count(lay, parts{})
	noPoE := count(lay, parts{poe: true})
	product := count(lay, parts{poe: true, hashes: true})
	el := float64(n * n)
	t.Logf("freivalds-s2 n=%d %+v: whole %d (%.2f/elem); without PoE %d (%.2f/elem); product+range checks %d (%.2f/elem); digest %.2f/elem; PoE %d",
		n, lay, all, float64(all)/el, noPoE, float64(noPoE)/el, product, float64(product)/el, float64(noPoE-product)/el, all-noPoE)
	if noPoE >= all || product >= noPoE {
		t.Errorf("parts do not add up: %d %d %d", all, noPoE, product)
	}
	other := layout{outBits: lay.outBits, limbBits: lay.outBits, limbs: 1, noInputs: true}
	if !lay.lookup {
		other = lookupLayout(n, f, lay.outBits, true)
	}
	t.Logf("other gadget %+v: product+range checks %d (%.2f/elem)", other, count(other, parts{poe: true, hashes: true}), float64(count(other, parts{poe: true, hashes: true}))/el)
}
