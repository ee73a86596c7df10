package format

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	kzgbls "github.com/consensys/gnark-crypto/ecc/bls12-381/kzg"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/plonk"
	plonkbls "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
)

// MaxPlonkProofBytes bounds an encoded PLONK proof (a BN254 proof with one
// commitment is under 1 KiB).
const MaxPlonkProofBytes = 4096

// maxPlonkCommitments bounds the BSB22 commitments a key or proof may carry.
const maxPlonkCommitments = 8

// ErrPlonkProof is wrapped by ParsePlonkProof's errors.
var ErrPlonkProof = errors.New("malformed PLONK proof")

// ParsePlonkVK decodes a PLONK verifying key on curve (BN254 or
// BLS12-381; gnark v0.16 versioned encoding, compressed points) from
// untrusted bytes: the layout is walked first so no length prefix reaches
// gnark's decoder unbacked, points are subgroup-checked, every byte must be
// used, and the decoded key is checked for consistency (domain size a power
// of two with its inverse and a generator of that order, public inputs and
// commitments in range, pairing lines matching the KZG G2 points). A
// decoder panic becomes an error.
func ParsePlonkVK(data []byte, curve ecc.ID) (plonk.VerifyingKey, error) {
	layout := func(b []byte, enc encoding) error { return checkPlonkVKLayout(b, enc, kzgLinesBytes(curve)) }
	return parseVK(data, curve, "PLONK verifying key", layout, plonk.NewVerifyingKey, checkPlonkVK)
}

// plonkVKFacts are what checkPlonkVK needs of a decoded key, read off its
// curve-specific type.
type plonkVKFacts struct {
	size, nbPublic    uint64
	sizeInvOK, genOK  bool
	nbQcp             int
	commitmentIndexes []uint64
	linesOK           [2]bool
}

// fieldFacts checks SizeInv·Size = 1 and Generator^Size = 1 in the key's field.
func fieldFacts[E any, PE interface {
	*E
	SetOne() *E
	SetUint64(uint64) *E
	Mul(*E, *E) *E
	Exp(E, *big.Int) *E
	Equal(*E) bool
}](size uint64, sizeInv, gen E) (invOK, genOK bool) {
	var one, x E
	PE(&one).SetOne()
	PE(&x).SetUint64(size)
	PE(&x).Mul(&x, &sizeInv)
	invOK = PE(&x).Equal(&one)
	PE(&x).Exp(gen, new(big.Int).SetUint64(size))
	return invOK, PE(&x).Equal(&one)
}

func factsOf(vk plonk.VerifyingKey) (plonkVKFacts, error) {
	var f plonkVKFacts
	switch v := vk.(type) {
	case *plonkbn254.VerifyingKey:
		f = plonkVKFacts{size: v.Size, nbPublic: v.NbPublicVariables, nbQcp: len(v.Qcp), commitmentIndexes: v.CommitmentConstraintIndexes}
		f.sizeInvOK, f.genOK = fieldFacts[fr.Element](v.Size, v.SizeInv, v.Generator)
		for i := range 2 {
			f.linesOK[i] = v.Kzg.Lines[i] == bn254.PrecomputeLines(v.Kzg.G2[i])
		}
	case *plonkbls.VerifyingKey:
		f = plonkVKFacts{size: v.Size, nbPublic: v.NbPublicVariables, nbQcp: len(v.Qcp), commitmentIndexes: v.CommitmentConstraintIndexes}
		f.sizeInvOK, f.genOK = fieldFacts[frbls.Element](v.Size, v.SizeInv, v.Generator)
		for i := range 2 {
			f.linesOK[i] = v.Kzg.Lines[i] == bls12381.PrecomputeLines(v.Kzg.G2[i])
		}
	default:
		return f, fmt.Errorf("unsupported PLONK verifying key type %T", vk)
	}
	return f, nil
}

func checkPlonkVK(vk plonk.VerifyingKey) error {
	v, err := factsOf(vk)
	if err != nil {
		return err
	}
	if v.size < 2 || v.size > 1<<28 || bits.OnesCount64(v.size) != 1 {
		return fmt.Errorf("domain size %d is not a power of two in [2, 2^28]", v.size)
	}
	if !v.sizeInvOK {
		return errors.New("SizeInv is not the inverse of Size")
	}
	if !v.genOK {
		return errors.New("generator does not have the domain's order")
	}
	if v.nbPublic < 1 || v.nbPublic >= v.size {
		return fmt.Errorf("%d public variables for a domain of %d", v.nbPublic, v.size)
	}
	if v.nbQcp != len(v.commitmentIndexes) || v.nbQcp > maxPlonkCommitments {
		return fmt.Errorf("%d commitment polynomials for %d commitment indexes (at most %d)", v.nbQcp, len(v.commitmentIndexes), maxPlonkCommitments)
	}
	for _, i := range v.commitmentIndexes {
		if i >= v.size {
			return fmt.Errorf("commitment constraint index %d outside the domain %d", i, v.size)
		}
	}
	for i, ok := range v.linesOK {
		if !ok {
			return fmt.Errorf("KZG pairing lines %d do not match G2 point %d", i, i)
		}
	}
	return nil
}

// checkPlonkVKLayout walks the versioned encoding
//
//	u64(0) u64(1) u64(Size) fr(SizeInv) fr(Generator) u64(NbPublic) fr(CosetShift)
//	[S0 S1 S2 Ql Qr Qm Qo Qk]1 u32(len Qcp) [Qcp]1… [G1]1 [G2]2 [τG2]2 lines u32(len idx) u64…
//
// requiring compressed points and every length backed by bytes present.
func checkPlonkVKLayout(b []byte, enc encoding, linesBytes int) error {
	s := newScanner(b, enc)
	marker, err := s.u64("version marker")
	if err != nil {
		return err
	}
	version, err := s.u64("version")
	if err != nil {
		return err
	}
	if marker != 0 || version != 1 {
		return fmt.Errorf("unsupported encoding (marker %d, version %d; want the versioned format 1)", marker, version)
	}
	if _, err := s.u64("size"); err != nil {
		return err
	}
	if err := s.skip(64, "size inverse and generator"); err != nil {
		return err
	}
	if _, err := s.u64("public variable count"); err != nil {
		return err
	}
	if err := s.skip(32, "coset shift"); err != nil {
		return err
	}
	for _, name := range []string{"S0", "S1", "S2", "Ql", "Qr", "Qm", "Qo", "Qk"} {
		if err := s.compressedG1(name); err != nil {
			return err
		}
	}
	nQcp, err := s.u32("Qcp length")
	if err != nil {
		return err
	}
	if nQcp > maxPlonkCommitments || nQcp > s.remaining()/s.enc.g1c {
		return fmt.Errorf("Qcp length %d out of range", nQcp)
	}
	for i := 0; i < nQcp; i++ {
		if err := s.compressedG1(fmt.Sprintf("Qcp[%d]", i)); err != nil {
			return err
		}
	}
	if err := s.compressedG1("KZG G1"); err != nil {
		return err
	}
	for _, name := range []string{"KZG G2", "KZG [τ]G2"} {
		if err := s.compressed(s.enc.g2c, name); err != nil {
			return err
		}
	}
	if err := s.skip(linesBytes, "KZG pairing lines"); err != nil {
		return err
	}
	nIdx, err := s.u32("commitment index count")
	if err != nil {
		return err
	}
	if nIdx != nQcp {
		return fmt.Errorf("%d commitment indexes for %d commitment polynomials", nIdx, nQcp)
	}
	if err := s.skip(8*nIdx, "commitment indexes"); err != nil {
		return err
	}
	if s.remaining() != 0 {
		return fmt.Errorf("%d trailing bytes", s.remaining())
	}
	return nil
}

// ParsePlonkProof decodes a PLONK proof on curve (BN254 or BLS12-381;
// proof.WriteTo, compressed) from untrusted bytes: the framing
// (claimed-value and commitment counts) is checked before gnark's decoder
// allocates from it, points are subgroup-checked, every byte must be used,
// and a decoder panic becomes an error.
func ParsePlonkProof(raw []byte, curve ecc.ID) (plonk.Proof, error) {
	return parseProof(raw, curve, ErrPlonkProof, checkPlonkProofFraming, plonk.NewProof)
}

// checkPlonkProofFraming walks
//
//	[L R O Z H0 H1 H2 Wζ]1 u32(m) fr×m [Wζω]1 fr u32(c) [C]1×c
func checkPlonkProofFraming(raw []byte, enc encoding) error {
	if len(raw) > MaxPlonkProofBytes {
		return fmt.Errorf("%w: %d bytes exceeds the limit of %d", ErrPlonkProof, len(raw), MaxPlonkProofBytes)
	}
	s := newScanner(raw, enc)
	for _, name := range []string{"L", "R", "O", "Z", "H0", "H1", "H2", "batched opening"} {
		if err := s.compressedG1(name); err != nil {
			return fmt.Errorf("%w: %v", ErrPlonkProof, err)
		}
	}
	m, err := s.u32("claimed value count")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPlonkProof, err)
	}
	if m > 6+maxPlonkCommitments {
		return fmt.Errorf("%w: claims %d opened values (at most %d)", ErrPlonkProof, m, 6+maxPlonkCommitments)
	}
	if err := s.skip(32*m, "claimed values"); err != nil {
		return fmt.Errorf("%w: %v", ErrPlonkProof, err)
	}
	if err := s.compressedG1("shifted opening"); err != nil {
		return fmt.Errorf("%w: %v", ErrPlonkProof, err)
	}
	if err := s.skip(32, "shifted claimed value"); err != nil {
		return fmt.Errorf("%w: %v", ErrPlonkProof, err)
	}
	c, err := s.u32("commitment count")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPlonkProof, err)
	}
	if c > maxPlonkCommitments {
		return fmt.Errorf("%w: claims %d commitments (at most %d)", ErrPlonkProof, c, maxPlonkCommitments)
	}
	for i := 0; i < c; i++ {
		if err := s.compressedG1(fmt.Sprintf("commitment %d", i)); err != nil {
			return fmt.Errorf("%w: %v", ErrPlonkProof, err)
		}
	}
	if s.remaining() != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrPlonkProof, s.remaining())
	}
	return nil
}

// CheckPlonkProofShape checks that a decoded proof has the commitment and
// opening counts vk expects, so gnark's verifier never indexes past them.
func CheckPlonkProofShape(proof plonk.Proof, vk plonk.VerifyingKey) error {
	var commitments, opened, qcp int
	switch p := proof.(type) {
	case *plonkbn254.Proof:
		v, ok := vk.(*plonkbn254.VerifyingKey)
		if !ok {
			return fmt.Errorf("%w: a BN254 proof with a %T key", ErrPlonkProof, vk)
		}
		commitments, opened, qcp = len(p.Bsb22Commitments), len(p.BatchedProof.ClaimedValues), len(v.Qcp)
	case *plonkbls.Proof:
		v, ok := vk.(*plonkbls.VerifyingKey)
		if !ok {
			return fmt.Errorf("%w: a BLS12-381 proof with a %T key", ErrPlonkProof, vk)
		}
		commitments, opened, qcp = len(p.Bsb22Commitments), len(p.BatchedProof.ClaimedValues), len(v.Qcp)
	default:
		return fmt.Errorf("%w: unsupported proof type %T", ErrPlonkProof, proof)
	}
	if commitments != qcp {
		return fmt.Errorf("%w: %d commitments, the verifying key expects %d", ErrPlonkProof, commitments, qcp)
	}
	if want := 6 + qcp; opened != want {
		return fmt.Errorf("%w: %d opened values, the verifying key expects %d", ErrPlonkProof, opened, want)
	}
	return nil
}

// kzgLinesBytes is the size of the precomputed pairing lines in an encoded
// kzg.VerifyingKey of the curve (BN254: 2×2×66 line evaluations of two E2
// elements, 33,792 bytes): the lines are written raw, so their encoded size
// is their binary size.
func kzgLinesBytes(curve ecc.ID) int {
	if curve == ecc.BLS12_381 {
		return binary.Size(kzgbls.VerifyingKey{}.Lines)
	}
	return binary.Size(kzgbn254.VerifyingKey{}.Lines)
}
