package proofsystem

import (
	"fmt"
	"io"

	"github.com/consensys/gnark/backend/groth16"
	groth16bls "github.com/consensys/gnark/backend/groth16/bls12-381"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/plonk"
	plonkbls "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/protocol"
)

// key is the VerifyingKey of either system: the gnark key, what it is, and
// its fingerprint, computed once.
type key struct {
	system   protocol.System
	curve    protocol.Curve
	nbPublic int
	fp       [32]byte
	vk       io.WriterTo // groth16.VerifyingKey or plonk.VerifyingKey
}

// NewVerifyingKey wraps a gnark verifying key (groth16.VerifyingKey or
// plonk.VerifyingKey on BN254 or BLS12-381), e.g. one a setup made. Keys
// from elsewhere are read with ReadVerifyingKey instead.
func NewVerifyingKey(vk any) (VerifyingKey, error) {
	k := &key{}
	switch v := vk.(type) {
	case *groth16bn254.VerifyingKey:
		k.system, k.curve, k.nbPublic = protocol.Groth16, protocol.BN254, v.NbPublicWitness()-len(v.PublicAndCommitmentCommitted)
	case *groth16bls.VerifyingKey:
		k.system, k.curve, k.nbPublic = protocol.Groth16, protocol.BLS12381, v.NbPublicWitness()-len(v.PublicAndCommitmentCommitted)
	case *plonkbn254.VerifyingKey:
		k.system, k.curve, k.nbPublic = protocol.Plonk, protocol.BN254, int(v.NbPublicVariables)
	case *plonkbls.VerifyingKey:
		k.system, k.curve, k.nbPublic = protocol.Plonk, protocol.BLS12381, int(v.NbPublicVariables)
	default:
		return nil, fmt.Errorf("unsupported verifying key type %T (want a Groth16 or PLONK key on bn254 or bls12-381)", vk)
	}
	k.vk = vk.(io.WriterTo)
	fp, err := Fingerprint(k.vk)
	if err != nil {
		return nil, err
	}
	k.fp = fp
	return k, nil
}

func (k *key) System() protocol.System            { return k.system }
func (k *key) Curve() protocol.Curve              { return k.curve }
func (k *key) NbPublic() int                      { return k.nbPublic }
func (k *key) Fingerprint() [32]byte              { return k.fp }
func (k *key) FingerprintHex() string             { return hexOf(k.fp) }
func (k *key) Gnark() any                         { return k.vk }
func (k *key) WriteTo(w io.Writer) (int64, error) { return k.vk.WriteTo(w) }

func (k *key) ExportSolidity(w io.Writer) error {
	return k.vk.(solidity.VerifyingKey).ExportSolidity(w)
}

// Verify verifies proof for the public witness under the key (see
// VerifyingKey.Verify).
func (k *key) Verify(proof Proof, publicWitness witness.Witness) (err error) {
	if proof == nil {
		return fmt.Errorf("%s: nil proof", k.system)
	}
	if proof.System() != k.system || proof.Curve() != k.curve {
		return fmt.Errorf("a %s proof on %s under a %s key on %s", proof.System(), proof.Curve(), k.system, k.curve)
	}
	what := ""
	if k.system == protocol.Plonk {
		what = "PLONK "
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%sproof verification panicked: %v", what, r)
		}
	}()
	switch k.system {
	case protocol.Groth16:
		err = groth16.Verify(proof.Gnark().(groth16.Proof), k.vk.(groth16.VerifyingKey), publicWitness, VerifierOptions(protocol.Groth16)...)
	case protocol.Plonk:
		p, vk := proof.Gnark().(plonk.Proof), k.vk.(plonk.VerifyingKey)
		if err := format.CheckPlonkProofShape(p, vk); err != nil {
			return err
		}
		err = plonk.Verify(p, vk, publicWitness, VerifierOptions(protocol.Plonk)...)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", k.system, err)
	}
	return nil
}

// proof is the Proof of either system.
type proof struct {
	system protocol.System
	curve  protocol.Curve
	p      io.WriterTo // groth16.Proof or plonk.Proof
}

// NewProof wraps a gnark proof (groth16.Proof or plonk.Proof on BN254 or
// BLS12-381), e.g. one a prover made. Proofs from elsewhere are read with
// ReadProof instead.
func NewProof(p any) (Proof, error) {
	pr := &proof{}
	switch p.(type) {
	case *groth16bn254.Proof:
		pr.system, pr.curve = protocol.Groth16, protocol.BN254
	case *groth16bls.Proof:
		pr.system, pr.curve = protocol.Groth16, protocol.BLS12381
	case *plonkbn254.Proof:
		pr.system, pr.curve = protocol.Plonk, protocol.BN254
	case *plonkbls.Proof:
		pr.system, pr.curve = protocol.Plonk, protocol.BLS12381
	default:
		return nil, fmt.Errorf("unsupported proof type %T (want a Groth16 or PLONK proof on bn254 or bls12-381)", p)
	}
	pr.p = p.(io.WriterTo)
	return pr, nil
}

func (p *proof) System() protocol.System            { return p.system }
func (p *proof) Curve() protocol.Curve              { return p.curve }
func (p *proof) Gnark() any                         { return p.p }
func (p *proof) WriteTo(w io.Writer) (int64, error) { return p.p.WriteTo(w) }
