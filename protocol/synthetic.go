package protocol

import (
	"fmt"
	"hash"
	"math/big"

	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	h2fbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/hash_to_field"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	h2f "github.com/consensys/gnark-crypto/ecc/bn254/fr/hash_to_field"
)

// SyntheticCircuitID names the statement for synthetic tasks (package
// circuits, SyntheticMatMul): the circuit proves s = uᵀ·(2^f·C' + R)·v with
// s computed by the verifier from the A and B it regenerates: the name of
// Method Synthetic. freivalds-s2 is freivalds-s1 with its lookup quotients
// and digest S-boxes written for Groth16's B side and no sponge lane pins:
// the same relation, another constraint system, so other keys.
const SyntheticCircuitID = "freivalds-s2"

// retiredSyntheticID is the name of the first constraint system of the
// statement, whose keys and proofs the current one does not accept.
const retiredSyntheticID = "freivalds-s1"

// IsSynthetic says whether a circuit name is the synthetic statement's,
// current or retired: what no chain verifier can check either way.
func IsSynthetic(circuit string) bool {
	return circuit == SyntheticCircuitID || circuit == retiredSyntheticID
}

// CommitmentDst is the domain separator gnark's Groth16 prover and verifier
// hash a BSB22 commitment with (gnark's constraint.CommitmentDst; protocol
// may not import gnark's constraint package, a test in package circuits
// pins the copy).
const CommitmentDst = "bsb22-commitment"

// SyntheticChallenge is the Freivalds challenge r of a freivalds-s2 proof:
// hash_to_field(CommitmentDst, commitment) with commitment the
// uncompressed encoding (Marshal) of the proof's one BSB22 commitment point,
// exactly as gnark's Groth16 verifier derives the commitment wire (the
// statement commits no public wire, so nothing else is hashed).
func SyntheticChallenge(curve Curve, commitment []byte) (*big.Int, error) {
	var h hash.Hash
	var size int
	switch curve {
	case BN254:
		h, size = h2f.New([]byte(CommitmentDst)), fr.Bytes
	case BLS12381:
		h, size = h2fbls.New([]byte(CommitmentDst)), frbls.Bytes
	default:
		return nil, fmt.Errorf("synthetic challenge: unknown curve %q", curve)
	}
	if _, err := h.Write(commitment); err != nil {
		return nil, fmt.Errorf("synthetic challenge: %w", err)
	}
	sum := h.Sum(nil)
	if len(sum) > size {
		sum = sum[:size]
	}
	r := new(big.Int).SetBytes(sum)
	return r.Mod(r, curve.ScalarField()), nil
}

// SyntheticCheck is the public input s = uᵀ·A·B·v (mod p) of freivalds-s2,
// with u_i = r^(n·i) and v_j = r^j (so s = Σ_ij (AB)_ij·r^(n·i+j)), computed
// in O(n²) as x = B·v, then uᵀ·(A·x). A and B are the n×n int16 matrices
// the verifier regenerated, row-major.
func SyntheticCheck(curve Curve, r *big.Int, a, b []int16, n int) (*big.Int, error) {
	if n < 1 || len(a) != n*n || len(b) != n*n {
		return nil, fmt.Errorf("synthetic check: want %d entries per matrix at n = %d, have A=%d B=%d", n*n, n, len(a), len(b))
	}
	switch curve {
	case BN254:
		return syntheticCheck[fr.Element](r, a, b, n), nil
	case BLS12381:
		return syntheticCheck[frbls.Element](r, a, b, n), nil
	}
	return nil, fmt.Errorf("synthetic check: unknown curve %q", curve)
}

// arith is the part of a gnark-crypto fr.Element that SyntheticCheck uses.
type arith[E any] interface {
	fieldElement[E]
	SetInt64(int64) *E
	SetOne() *E
	Mul(x, y *E) *E
	Add(x, y *E) *E
}

func syntheticCheck[E any, PE arith[E]](rBig *big.Int, a, b []int16, n int) *big.Int {
	var r E
	PE(&r).SetBigInt(rBig)
	v := make([]E, n) // v_j = r^j
	PE(&v[0]).SetOne()
	for j := 1; j < n; j++ {
		PE(&v[j]).Mul(&v[j-1], &r)
	}
	var t E
	x := make([]E, n) // x = B·v
	for k := 0; k < n; k++ {
		row := b[k*n : (k+1)*n]
		for j, bkj := range row {
			PE(&t).SetInt64(int64(bkj))
			PE(&t).Mul(&t, &v[j])
			PE(&x[k]).Add(&x[k], &t)
		}
	}
	// rn = r^n; s = Σ_i u_i·(A·x)_i with u_i = rn^i, by Horner from the last row
	var rn, s, y E
	PE(&rn).Mul(&v[n-1], &r)
	for i := n - 1; i >= 0; i-- {
		row := a[i*n : (i+1)*n]
		y = *new(E)
		for k, aik := range row {
			PE(&t).SetInt64(int64(aik))
			PE(&t).Mul(&t, &x[k])
			PE(&y).Add(&y, &t)
		}
		PE(&s).Mul(&s, &rn)
		PE(&s).Add(&s, &y)
	}
	return PE(&s).BigInt(new(big.Int))
}

// SyntheticPublicInputs lists freivalds-s2's public inputs in the order of
// its public witness (circuits.SyntheticMatMul's public fields in
// declaration order): output_digest; s; PoE hi, lo. s is the verifier's own
// SyntheticCheck, never a value the prover supplies.
func SyntheticPublicInputs(p Public, s *big.Int) []*big.Int {
	poe := Halves(p.PoE)
	return []*big.Int{new(big.Int).SetBytes(p.OutputDigest[:]), new(big.Int).Set(s), poe[0], poe[1]}
}
