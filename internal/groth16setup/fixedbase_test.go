package groth16setup

import (
	"testing"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// TestFixedBaseBatch: the comb batch multiplication agrees with
// gnark-crypto's BatchScalarMultiplication on both groups, for random
// scalars and the edge cases 0, 1, 2^k and r − 1, at several batch sizes
// (and so several window widths).
func TestFixedBaseBatch(t *testing.T) {
	_, _, g1, g2 := curve.Generators()
	for _, n := range []int{1, 7, 300, 5000} {
		scalars := make([]fr.Element, n)
		for i := range scalars {
			if _, err := scalars[i].SetRandom(); err != nil {
				t.Fatal(err)
			}
		}
		edge := []fr.Element{{}, fr.One()}
		var minusOne, pow fr.Element
		minusOne.Neg(&edge[1])
		pow.SetUint64(1 << 63)
		edge = append(edge, minusOne, pow)
		for i := 0; i < len(edge) && i < n; i++ {
			scalars[i] = edge[i]
		}
		got1 := fixedBaseBatch(&g1, scalars, curve.BatchJacobianToAffineG1)
		want1 := curve.BatchScalarMultiplicationG1(&g1, scalars)
		got2 := fixedBaseBatch(&g2, scalars, batchJacobianToAffineG2)
		want2 := curve.BatchScalarMultiplicationG2(&g2, scalars)
		if len(got1) != n || len(got2) != n {
			t.Fatalf("n=%d: %d G1 and %d G2 results", n, len(got1), len(got2))
		}
		for i := range scalars {
			if !got1[i].Equal(&want1[i]) {
				t.Fatalf("n=%d (window %d): G1 result %d differs for scalar %s", n, combWindow(n), i, scalars[i].String())
			}
			if !got2[i].Equal(&want2[i]) {
				t.Fatalf("n=%d (window %d): G2 result %d differs for scalar %s", n, combWindow(n), i, scalars[i].String())
			}
		}
	}
	if fixedBaseBatch(&g1, nil, curve.BatchJacobianToAffineG1) != nil {
		t.Fatal("empty batch")
	}
}
