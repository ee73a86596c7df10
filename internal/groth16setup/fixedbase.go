package groth16setup

import (
	"runtime"
	"sync"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// affine and jacobian let fixedBaseBatch serve both BN254 groups.
type affine interface {
	curve.G1Affine | curve.G2Affine
}

type jacobian[A affine, J any] interface {
	*J
	FromAffine(*A) *J
	AddMixed(*A) *J
	DoubleAssign() *J
}

// fixedBaseBatch returns [s]base for every scalar s, in affine form, by the
// comb method: for every c-bit window j of a scalar it precomputes
// d·2^(c·j)·base for d = 1 … 2^c − 1, so each scalar costs one mixed
// addition per window and no doublings. gnark-crypto's
// BatchScalarMultiplicationG1/G2, which the Groth16 setup uses, spend about
// 254 doublings per scalar instead: that made the setup ~10× slower.
func fixedBaseBatch[A affine, J any, PJ jacobian[A, J]](base *A, scalars []fr.Element, toAffine func([]J) []A) []A {
	if len(scalars) == 0 {
		return nil
	}
	c := combWindow(len(scalars))
	chunks := (fr.Bits + c - 1) / c
	size := 1<<c - 1

	// chunkBase[j] = 2^(c·j)·base, affine.
	bases := make([]J, chunks)
	PJ(&bases[0]).FromAffine(base)
	for j := 1; j < chunks; j++ {
		bases[j] = bases[j-1]
		for range c {
			PJ(&bases[j]).DoubleAssign()
		}
	}
	basesAff := toAffine(bases)

	// table[j·size + d − 1] = d·chunkBase[j].
	table := make([]J, chunks*size)
	parallelFor(chunks, func(j int) {
		row := table[j*size : (j+1)*size]
		PJ(&row[0]).FromAffine(&basesAff[j])
		for d := 1; d < size; d++ {
			row[d] = row[d-1]
			PJ(&row[d]).AddMixed(&basesAff[j])
		}
	})
	tableAff := toAffine(table)
	table = nil

	out := make([]J, len(scalars))
	mask := uint64(size)
	parallelRange(len(scalars), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			limbs := scalars[i].Bits() // regular (non-Montgomery) form, little-endian words
			p := PJ(&out[i])
			for j := range chunks {
				bit := j * c
				w, off := bit/64, uint(bit%64)
				d := limbs[w] >> off
				if off+uint(c) > 64 && w+1 < len(limbs) {
					d |= limbs[w+1] << (64 - off)
				}
				if d &= mask; d != 0 {
					p.AddMixed(&tableAff[j*size+int(d)-1])
				}
			}
		}
	})
	return toAffine(out)
}

// combWindow picks the window c minimising the table (built and converted
// to affine: about 3 operations per entry) plus one addition per window per
// scalar, capped so that the G2 table stays below ~150 MB.
func combWindow(n int) int {
	best, bestCost := 2, -1
	for c := 2; c <= 15; c++ {
		chunks := (fr.Bits + c - 1) / c
		cost := 3*chunks*(1<<c-1) + n*chunks
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

// parallelFor runs f(0) … f(n−1) on all cores.
func parallelFor(n int, f func(i int)) {
	parallelRange(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

// parallelRange splits [0, n) into one contiguous range per core.
func parallelRange(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// batchJacobianToAffineG2 is BatchJacobianToAffineG1 for G2 (gnark-crypto has
// none): one E2 inversion for the whole batch, by Montgomery's trick.
func batchJacobianToAffineG2(points []curve.G2Jac) []curve.G2Affine {
	out := make([]curve.G2Affine, len(points))
	prefix := make([]curve.E2, len(points)) // product of the non-zero Z before i
	var acc curve.E2
	acc.SetOne()
	for i := range points {
		prefix[i] = acc
		if !points[i].Z.IsZero() {
			acc.Mul(&acc, &points[i].Z)
		}
	}
	var inv curve.E2
	inv.Inverse(&acc)
	for i := len(points) - 1; i >= 0; i-- {
		if points[i].Z.IsZero() {
			continue // (0, 0) is the point at infinity in affine form
		}
		var zInv, zInv2 curve.E2
		zInv.Mul(&inv, &prefix[i]) // 1/Z_i
		inv.Mul(&inv, &points[i].Z)
		zInv2.Square(&zInv)
		out[i].X.Mul(&points[i].X, &zInv2)
		out[i].Y.Mul(&points[i].Y, &zInv2).Mul(&out[i].Y, &zInv)
	}
	return out
}
