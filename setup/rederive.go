package setup

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/iop"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/constraint"
	csbn254 "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/srs"
)

// RederivePLONK computes the verifying key plonk.Setup gives for ccs (a
// BN254 sparse R1CS) over the SRS, without the SRS's Lagrange form. gnark
// commits to each trace polynomial (selectors, permutation, commitment
// columns), given by its evaluations on the domain, with the Lagrange-basis
// SRS; that commitment is the one to its coefficients with the canonical
// SRS (Σ p(ωⁱ)·[Lᵢ(τ)]G1 = [p(τ)]G1 = Σ cⱼ·[τʲ]G1), and the coefficients
// cost field FFTs, where the Lagrange SRS costs a G1 FFT (over two minutes
// for the 2^18 domain at n = 4 on 2 cores). The key's other fields (domain,
// coset shift, KZG key, commitment indexes, encoding version) come from
// plonk.Setup run over a placeholder Lagrange SRS.
func RederivePLONK(ccs constraint.ConstraintSystem, s *srs.SRS) (proofsystem.VerifyingKey, error) {
	spr, ok := ccs.(*csbn254.SparseR1CS)
	if !ok {
		return nil, fmt.Errorf("re-derive PLONK key: constraint system is %T, not a BN254 sparse R1CS", ccs)
	}
	if s == nil || s.Canonical == nil {
		return nil, errors.New("re-derive PLONK key: no BN254 SRS")
	}
	size := srs.DomainSize(ccs)
	if have := uint64(len(s.Canonical.Pk.G1)); have < size+3 {
		return nil, fmt.Errorf("%w: the SRS has %d G1 powers; the circuit (domain %d) needs %d", srs.ErrInvalid, have, size, size+3)
	}
	canonical := kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: s.Canonical.Pk.G1[:size+3]}, Vk: s.Canonical.Vk}
	placeholder := kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: make([]bn254.G1Affine, size)}, Vk: s.Canonical.Vk}
	_, vk, err := plonkbn254.Setup(spr, canonical, placeholder)
	if err != nil {
		return nil, fmt.Errorf("re-derive PLONK key: %w", err)
	}
	domain := fft.NewDomain(uint64(spr.GetNbConstraints() + len(spr.Public)))
	if domain.Cardinality != vk.Size {
		return nil, fmt.Errorf("re-derive PLONK key: domain %d, the key's %d", domain.Cardinality, vk.Size)
	}
	trace := plonkbn254.NewTrace(spr, domain)
	pk := kzgbn254.ProvingKey{G1: canonical.Pk.G1[:size]}
	commit := func(p *iop.Polynomial, d *kzgbn254.Digest) {
		if err == nil {
			*d, err = kzgbn254.Commit(p.ToCanonical(domain).ToRegular().Coefficients(), pk)
		}
	}
	vk.Qcp = make([]kzgbn254.Digest, len(trace.Qcp))
	for i := range trace.Qcp {
		commit(trace.Qcp[i], &vk.Qcp[i])
	}
	for _, c := range []struct {
		p *iop.Polynomial
		d *kzgbn254.Digest
	}{{trace.Ql, &vk.Ql}, {trace.Qr, &vk.Qr}, {trace.Qm, &vk.Qm}, {trace.Qo, &vk.Qo}, {trace.Qk, &vk.Qk},
		{trace.S1, &vk.S[0]}, {trace.S2, &vk.S[1]}, {trace.S3, &vk.S[2]}} {
		commit(c.p, c.d)
	}
	if err != nil {
		return nil, fmt.Errorf("re-derive PLONK key: commit: %w", err)
	}
	return proofsystem.NewVerifyingKey(vk)
}
