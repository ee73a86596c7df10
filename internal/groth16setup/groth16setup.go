// Package groth16setup is zkpoc's faster single-party Groth16 setup for
// BN254 R1CS: gnark's own setup with fixed-base comb multiplications, the
// same keys in the same layout (Setup; gnark's groth16.Setup for other
// constraint systems).
package groth16setup

// The Groth16 setup below is gnark v0.16.1's BN254 setup
// (backend/groth16/bn254/setup.go, Copyright 2020-2026 Consensys Software
// Inc., Apache License 2.0), adapted: its two batch scalar multiplications
// are fixedBaseBatch, and gnark's internal helpers are inlined. The keys it
// writes are gnark's own ProvingKey and VerifyingKey types, laid out exactly
// as gnark's Setup lays them out, so gnark proves and verifies with them.

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/pedersen"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	cs "github.com/consensys/gnark/constraint/bn254"
)

// Setup is groth16.Setup, with the faster setup for BN254 R1CS
// (setupGroth16BN254: same keys, same layout, fixed-base comb
// multiplications).
func Setup(ccs constraint.ConstraintSystem) (groth16.ProvingKey, groth16.VerifyingKey, error) {
	if r1cs, ok := ccs.(*cs.R1CS); ok {
		return setupGroth16BN254(r1cs)
	}
	return groth16.Setup(ccs)
}

// toxicWaste is the setup's secret randomness (Montgomery form).
type toxicWaste struct {
	t, alpha, beta, gamma, delta fr.Element
	gammaInv, deltaInv           fr.Element
}

func sampleToxicWaste() (toxicWaste, error) {
	var tw toxicWaste
	for _, x := range []*fr.Element{&tw.t, &tw.alpha, &tw.beta, &tw.gamma, &tw.delta} {
		for x.IsZero() {
			if _, err := x.SetRandom(); err != nil {
				return tw, err
			}
		}
	}
	tw.gammaInv.Inverse(&tw.gamma)
	tw.deltaInv.Inverse(&tw.delta)
	return tw, nil
}

// setupGroth16BN254 is groth16.Setup for a BN254 R1CS, about ten times faster
// (see fixedBaseBatch).
func setupGroth16BN254(r1cs *cs.R1CS) (*groth16bn254.ProvingKey, *groth16bn254.VerifyingKey, error) {
	tw, err := sampleToxicWaste()
	if err != nil {
		return nil, nil, err
	}
	var pk groth16bn254.ProvingKey
	var vk groth16bn254.VerifyingKey
	if err := setupWith(r1cs, tw, &pk, &vk); err != nil {
		return nil, nil, err
	}
	return &pk, &vk, nil
}

func setupWith(r1cs *cs.R1CS, toxicWaste toxicWaste, pk *groth16bn254.ProvingKey, vk *groth16bn254.VerifyingKey) error {
	nbWires := r1cs.NbInternalVariables + r1cs.GetNbPublicVariables() + r1cs.GetNbSecretVariables()

	commitmentInfo, ok := r1cs.CommitmentInfo.(constraint.Groth16Commitments)
	if !ok {
		return fmt.Errorf("groth16 setup: unexpected commitment info %T", r1cs.CommitmentInfo)
	}
	commitmentWires := commitmentInfo.CommitmentIndexes()
	privateCommitted := commitmentInfo.GetPrivateCommitted()
	nbPrivateCommittedWires := 0
	for _, s := range privateCommitted {
		nbPrivateCommittedWires += len(s)
	}

	// A commitment is a hint to the prover (private), but the verifier injects
	// it, so at the Groth16 level it is public.
	nbPublicWires := r1cs.GetNbPublicVariables() + len(commitmentInfo)
	nbPrivateWires := r1cs.GetNbSecretVariables() + r1cs.NbInternalVariables - nbPrivateCommittedWires - len(commitmentInfo)

	domain := fft.NewDomain(uint64(r1cs.GetNbConstraints()))
	A, B, C := setupABC(r1cs, domain, toxicWaste)
	_, _, g1, g2 := curve.Generators()

	// G1 scalars: [α], [β], [δ], A(i), B(i), Z(i), vk.K(i), pk.K(i), ck.K(i).
	pkK := make([]fr.Element, nbPrivateWires)
	vkK := make([]fr.Element, nbPublicWires)
	ckK := make([][]fr.Element, len(commitmentInfo))
	for i := range commitmentInfo {
		ckK[i] = make([]fr.Element, 0, len(privateCommitted[i]))
	}
	var t0, t1 fr.Element
	computeK := func(i int, coeff *fr.Element) {
		t1.Mul(&A[i], &toxicWaste.beta)
		t0.Mul(&B[i], &toxicWaste.alpha)
		t1.Add(&t1, &t0).Add(&t1, &C[i]).Mul(&t1, coeff)
	}
	vI := 0 // public wires seen so far
	committed := newMergeIterator(privateCommitted)
	nbPrivateCommittedSeen := 0
	nbCommitmentsSeen := 0
	for i := range A {
		commitmentIndex := committed.indexIfNext(i) // the commitment committing to wire i, or −1
		isCommitment, isPublic := false, i < r1cs.GetNbPublicVariables()
		if !isPublic && nbCommitmentsSeen < len(commitmentWires) && commitmentWires[nbCommitmentsSeen] == i {
			isCommitment = true
			nbCommitmentsSeen++
		}
		if isPublic || isCommitment || commitmentIndex != -1 {
			computeK(i, &toxicWaste.gammaInv)
			if isPublic || isCommitment {
				vkK[vI] = t1
				vI++
			} else {
				ckK[commitmentIndex] = append(ckK[commitmentIndex], t1)
				nbPrivateCommittedSeen++
			}
		} else {
			computeK(i, &toxicWaste.deltaInv)
			pkK[i-vI-nbPrivateCommittedSeen] = t1
		}
	}

	// Z(i) = t^i·(t^n − 1)/δ.
	Z := make([]fr.Element, domain.Cardinality)
	one := fr.One()
	var zdt fr.Element
	zdt.Exp(toxicWaste.t, new(big.Int).SetUint64(domain.Cardinality)).Sub(&zdt, &one).Mul(&zdt, &toxicWaste.deltaInv)
	for i := range Z {
		Z[i] = zdt
		zdt.Mul(&zdt, &toxicWaste.t)
	}

	// Points at infinity are marked and filtered out of A and B.
	A, pk.InfinityA = dropZeros(A)
	B, pk.InfinityB = dropZeros(B)
	pk.NbInfinityA = uint64(nbWires - len(A))
	pk.NbInfinityB = uint64(nbWires - len(B))

	g1Scalars := make([]fr.Element, 0, 3+len(A)+len(B)+len(Z)+len(vkK)+len(pkK)+2*nbPrivateCommittedWires)
	g1Scalars = append(g1Scalars, toxicWaste.alpha, toxicWaste.beta, toxicWaste.delta)
	g1Scalars = append(g1Scalars, A...)
	g1Scalars = append(g1Scalars, B...)
	g1Scalars = append(g1Scalars, Z...)
	g1Scalars = append(g1Scalars, vkK...)
	g1Scalars = append(g1Scalars, pkK...)
	for i := range ckK {
		g1Scalars = append(g1Scalars, ckK[i]...)
	}
	// Pedersen commitment keys: pedersen.Setup multiplies every basis point
	// by its σ one variable-base multiplication at a time; the basis points
	// are ckK·g1, so σ·basis = (σ·ckK)·g1 joins the fixed-base batch.
	sigmas := make([]fr.Element, len(ckK))
	for i := range ckK {
		for sigmas[i].IsZero() {
			if _, err := sigmas[i].SetRandom(); err != nil {
				return err
			}
		}
		for j := range ckK[i] {
			var s fr.Element
			s.Mul(&ckK[i][j], &sigmas[i])
			g1Scalars = append(g1Scalars, s)
		}
	}
	g1Points := fixedBaseBatch(&g1, g1Scalars, curve.BatchJacobianToAffineG1)

	pk.G1.Alpha, pk.G1.Beta, pk.G1.Delta = g1Points[0], g1Points[1], g1Points[2]
	offset := 3
	pk.G1.A = g1Points[offset : offset+len(A)]
	offset += len(A)
	pk.G1.B = g1Points[offset : offset+len(B)]
	offset += len(B)
	bitReverse(g1Points[offset : offset+int(domain.Cardinality)])
	pk.G1.Z = g1Points[offset : offset+int(domain.Cardinality)-1] // deg(H) = n − 2
	offset += int(domain.Cardinality)
	vk.G1.K = g1Points[offset : offset+nbPublicWires]
	offset += nbPublicWires
	pk.G1.K = g1Points[offset : offset+nbPrivateWires]
	offset += nbPrivateWires

	cG2, err := curve.RandomOnG2()
	if err != nil {
		return err
	}
	if len(ckK) > 0 {
		pk.CommitmentKeys = make([]pedersen.ProvingKey, len(ckK))
		vk.CommitmentKeys = make([]pedersen.VerifyingKey, len(ckK))
	}
	for i := range ckK {
		pk.CommitmentKeys[i].Basis = g1Points[offset : offset+len(ckK[i])]
		offset += len(ckK[i])
	}
	for i := range ckK {
		pk.CommitmentKeys[i].BasisExpSigma = g1Points[offset : offset+len(ckK[i])]
		offset += len(ckK[i])
		var sigmaNeg fr.Element
		sigmaNeg.Neg(&sigmas[i])
		vk.CommitmentKeys[i].G = cG2
		vk.CommitmentKeys[i].GSigmaNeg.ScalarMultiplication(&cG2, sigmaNeg.BigInt(new(big.Int)))
	}
	if offset != len(g1Points) {
		return errors.New("groth16 setup: G1 points not all consumed")
	}
	vk.PublicAndCommitmentCommitted = commitmentInfo.GetPublicAndCommitmentCommitted(commitmentWires, r1cs.GetNbPublicVariables())

	// G2 scalars: B(i), [β], [δ], [γ].
	g2Scalars := append(B, toxicWaste.beta, toxicWaste.delta, toxicWaste.gamma)
	g2Points := fixedBaseBatch(&g2, g2Scalars, batchJacobianToAffineG2)
	pk.G2.B = g2Points[:len(B)]
	pk.G2.Beta = g2Points[len(B)]
	pk.G2.Delta = g2Points[len(B)+1]
	vk.G2.Delta = g2Points[len(B)+1]
	vk.G2.Gamma = g2Points[len(B)+2]

	vk.G1.Alpha = pk.G1.Alpha
	vk.G2.Beta = pk.G2.Beta
	vk.G1.Beta = pk.G1.Beta   // unused, kept as gnark does
	vk.G1.Delta = pk.G1.Delta // unused, kept as gnark does
	if err := vk.Precompute(); err != nil {
		return err
	}
	pk.Domain = *domain
	return nil
}

// dropZeros removes the zero scalars from s in place (their points would be
// at infinity) and marks where they were.
func dropZeros(s []fr.Element) ([]fr.Element, []bool) {
	zero := make([]bool, len(s))
	n := 0
	for i := range s {
		if s[i].IsZero() {
			zero[i] = true
			continue
		}
		s[n] = s[i]
		n++
	}
	return s[:n], zero
}

// setupABC evaluates, for every wire, the sums over constraints of its
// coefficients in L, R and O times the Lagrange polynomials at t.
func setupABC(r1cs *cs.R1CS, domain *fft.Domain, toxicWaste toxicWaste) (A, B, C []fr.Element) {
	nbWires := r1cs.NbInternalVariables + r1cs.GetNbPublicVariables() + r1cs.GetNbSecretVariables()
	A = make([]fr.Element, nbWires)
	B = make([]fr.Element, nbWires)
	C = make([]fr.Element, nbWires)
	one := fr.One()

	// [t − wⁱ] and their inverses.
	w := domain.Generator
	wi := fr.One()
	t := make([]fr.Element, r1cs.GetNbConstraints()+1)
	for i := range t {
		t[i].Sub(&toxicWaste.t, &wi)
		wi.Mul(&wi, &w)
	}
	tInv := fr.BatchInvert(t)

	// L₀ = (tⁿ − 1)/(n·(t − 1)); Lᵢ₊₁ = w·Lᵢ·(t − wⁱ)/(t − wⁱ⁺¹).
	var L fr.Element
	L.Exp(toxicWaste.t, new(big.Int).SetUint64(domain.Cardinality)).Sub(&L, &one)
	L.Mul(&L, &tInv[0]).Mul(&L, &domain.CardinalityInv)

	accumulate := func(res *fr.Element, term constraint.Term, value *fr.Element) {
		switch cID := term.CoeffID(); cID {
		case constraint.CoeffIdZero:
		case constraint.CoeffIdOne:
			res.Add(res, value)
		case constraint.CoeffIdMinusOne:
			res.Sub(res, value)
		case constraint.CoeffIdTwo:
			var buf fr.Element
			buf.Double(value)
			res.Add(res, &buf)
		default:
			var buf fr.Element
			buf.Mul(&r1cs.Coefficients[cID], value)
			res.Add(res, &buf)
		}
	}
	j := 0
	it := r1cs.GetR1CIterator()
	for c := it.Next(); c != nil; c = it.Next() {
		for _, term := range c.L {
			accumulate(&A[term.WireID()], term, &L)
		}
		for _, term := range c.R {
			accumulate(&B[term.WireID()], term, &L)
		}
		for _, term := range c.O {
			accumulate(&C[term.WireID()], term, &L)
		}
		L.Mul(&L, &w).Mul(&L, &t[j]).Mul(&L, &tInv[j+1])
		j++
	}
	return A, B, C
}

func bitReverse[T any](a []T) {
	n := uint64(len(a))
	nn := uint64(64 - bits.TrailingZeros64(n))
	for i := uint64(0); i < n; i++ {
		irev := bits.Reverse64(i) >> nn
		if irev > i {
			a[i], a[irev] = a[irev], a[i]
		}
	}
}

// mergeIterator walks the merge of several sorted slices (gnark's
// backend/groth16/internal.MergeIterator).
type mergeIterator struct {
	slices [][]int
	least  int
}

func newMergeIterator(s [][]int) *mergeIterator {
	m := &mergeIterator{slices: make([][]int, len(s))}
	copy(m.slices, s)
	m.findLeast()
	return m
}

func (m *mergeIterator) findLeast() {
	value := math.MaxInt
	m.least = -1
	for j := range m.slices {
		if len(m.slices[j]) > 0 && m.slices[j][0] < value {
			value, m.least = m.slices[j][0], j
		}
	}
}

// indexIfNext returns the index of the slice whose next value is value, and
// advances past it; otherwise −1.
func (m *mergeIterator) indexIfNext(value int) int {
	if m.least == -1 || m.slices[m.least][0] != value {
		return -1
	}
	idx := m.least
	m.slices[idx] = m.slices[idx][1:]
	m.findLeast()
	return idx
}
