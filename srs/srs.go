// Package srs is the KZG structured reference string (SRS) PLONK keys are
// set up over, on BN254 and BLS12-381 (imported SRS files: BN254 only).
//
// A PLONK setup needs a KZG structured reference string (SRS): the powers
// [1, τ, τ², …, τ^(N+2)]·G1 and [1, τ]·G2 for a secret τ, where N is the
// circuit's evaluation domain (the next power of two at or above
// constraints + public inputs). Whoever knows τ can forge proofs, so the SRS's
// origin is the whole trust assumption. zkpoc takes it from one of two
// sources:
//
//   - Dev: gnark's test/unsafekzg draws τ in this process. The provenance is
//     keys.ProvenanceDevSRS; keys.IsDevSetup treats it as a dev setup and verdicts say
//     whoever made it could forge proofs.
//   - Import: a file in gnark-crypto's kzg.SRS encoding for BN254
//     (ecc/bn254/kzg: SRS.WriteTo, i.e. the G1 powers as a length-prefixed
//     point slice, then the verifying key [G1, G2, τ·G2] with its precomputed
//     pairing lines). The file's size is checked before it is read, every
//     point is decoded with subgroup checks, and Check verifies that the
//     points really are successive powers of one τ (pairing checks on the
//     first powers by name, and a random linear combination over all of
//     them). The provenance is "srs(<name>, sha256:<file digest>)": the
//     digest lets anyone compare the file with a published transcript; the
//     name is only what the importer said.
//
// Converting a public ceremony transcript (what is known, not implemented
// here because it cannot be tested offline):
//
//   - Perpetual Powers of Tau (the PSE/Semaphore "ppot" BN254 ceremony) and
//     the Hermez/snarkjs "powersOfTau28_hez_final_NN.ptau" files store G1
//     powers τ^i·G1 and G2 powers τ^i·G2 of one BN254 τ (the .ptau format: a
//     "ptau" header and sections, section 2 = tauG1, section 3 = tauG2,
//     coordinates as little-endian field elements in Montgomery form).
//     A converter reads the first N+3 tauG1 points and tauG2[0], tauG2[1],
//     builds kzg.SRS{Pk: {G1: …}, Vk: {G1: tauG1[0], G2: [tauG2[0], tauG2[1]]}},
//     fills Vk.Lines with bn254.PrecomputeLines and writes it with WriteTo.
//     gnark's own tooling does this in github.com/consensys/gnark-ignition-verifier
//     (for the Aztec Ignition transcript) and gnark-crypto has
//     ecc/bn254/kzg.SRS ReadFrom/WriteTo for the result.
//   - Aztec Ignition (BN254, 100.8M points) is split over transcript files
//     with their own big-endian layout; the same SRS is produced from its G1
//     points and its [τ]G2.
//
// Whatever the converter, Import rechecks that the result is a power
// sequence, so a buggy conversion fails loudly; it cannot tell whether τ was
// really destroyed, which is why the provenance carries the file digest for
// comparison with the ceremony's published hashes.
//
// The provenance constants and parsers a verifier needs (ProvenanceDevSRS,
// IsDevSRS, SRSProvenanceDigest) are package keys', so that a verifier does
// not import this package and with it gnark's test/unsafekzg.
package srs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark-crypto/kzg"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/keys"
)

// MaxBytes bounds an imported SRS file: 2^25 compressed G1 points, enough
// for a 2^25-row PLONK circuit. Checked against the file size before reading.
const MaxBytes = format.MaxSRSBytes

// checkPowers is how many leading powers Check checks one by one, by
// name, before the random linear combination over all of them.
const checkPowers = 8

// ErrInvalid is wrapped by every error about an SRS file's content.
var ErrInvalid = format.ErrSRS

// SRS is a KZG SRS for PLONK setups, with where it came from.
type SRS struct {
	Canonical *kzgbn254.SRS
	// Lagrange is the Lagrange-basis form for exactly the circuit's domain,
	// when known (Dev computes it from τ); otherwise it is derived from
	// Canonical with an FFT over G1.
	Lagrange   *kzgbn254.SRS
	Provenance string
	// FileSHA256 is the hex SHA-256 of the file an imported SRS was read
	// from ("" for a dev SRS).
	FileSHA256 string

	// other holds a dev SRS (canonical, Lagrange) on a curve other than
	// BN254, sized for one circuit; Canonical and Lagrange are nil then.
	other [2]kzg.SRS
}

// DomainSize is the evaluation domain a PLONK setup of ccs uses: the
// next power of two at or above constraints + public inputs. The SRS needs
// DomainSize + 3 G1 powers.
func DomainSize(ccs constraint.ConstraintSystem) uint64 {
	return ecc.NextPowerOfTwo(uint64(ccs.GetNbConstraints() + ccs.GetNbPublicVariables()))
}

// Dev draws an unsafe development SRS sized for ccs (gnark's
// test/unsafekzg). τ is known to this process.
func Dev(ccs constraint.ConstraintSystem) (*SRS, error) {
	canonical, lagrange, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		return nil, fmt.Errorf("dev SRS: %w", err)
	}
	c, ok1 := canonical.(*kzgbn254.SRS)
	l, ok2 := lagrange.(*kzgbn254.SRS)
	if !ok1 || !ok2 {
		return &SRS{Provenance: keys.ProvenanceDevSRS, other: [2]kzg.SRS{canonical, lagrange}}, nil
	}
	return &SRS{Canonical: c, Lagrange: l, Provenance: keys.ProvenanceDevSRS}, nil
}

// Provenance is the provenance an SRS imported from path under name gets:
// "srs(<name>, sha256:<hex digest of the file>)". name is 1-64 characters of
// [a-z0-9._-].
func Provenance(path, name string) (string, error) {
	if err := keys.CheckName(name, "-._"); err != nil {
		return "", fmt.Errorf("SRS name: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("SRS %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, MaxBytes+1)); err != nil {
		return "", fmt.Errorf("SRS %s: %w", path, err)
	}
	return fmt.Sprintf("srs(%s, sha256:%s)", name, hex.EncodeToString(h.Sum(nil))), nil
}

// Import reads an SRS file (gnark-crypto's BN254 kzg.SRS encoding) of at
// most maxBytes (MaxBytes when ≤ 0), decodes it with subgroup checks and
// verifies with Check that it is a power sequence of one τ.
func Import(path, name string, maxBytes int64) (*SRS, error) {
	if maxBytes <= 0 {
		maxBytes = MaxBytes
	}
	if err := keys.CheckName(name, "-._"); err != nil {
		return nil, fmt.Errorf("import SRS %s: name: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import SRS: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("import SRS %s: not a regular file", path)
	}
	if st.Size() > maxBytes {
		return nil, fmt.Errorf("import SRS %s: %w: %d bytes exceeds the limit of %d bytes", path, ErrInvalid, st.Size(), maxBytes)
	}
	data, err := atomicfile.ReadLimited(path, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("import SRS %s: %w", path, err)
	}
	srs, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("import SRS %s: %w", path, err)
	}
	if err := Check(srs); err != nil {
		return nil, fmt.Errorf("import SRS %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	d := hex.EncodeToString(sum[:])
	return &SRS{Canonical: srs, Provenance: fmt.Sprintf("srs(%s, sha256:%s)", name, d), FileSHA256: d}, nil
}

// Digest identifies the SRS a setup used: the imported file's SHA-256, or
// for a dev SRS that of the trimmed SRS the setup wrote (encoded).
func (s *SRS) Digest(encoded []byte) string {
	if s.FileSHA256 != "" {
		return s.FileSHA256
	}
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:])
}

// Parse decodes an SRS in gnark-crypto's BN254 kzg.SRS encoding from
// untrusted bytes, bounded (internal/format.ParseSRS); it does not Check it.
func Parse(data []byte) (*kzgbn254.SRS, error) { return format.ParseSRS(data) }

// Check verifies that srs is a KZG power sequence of one τ on BN254's
// standard generators: G1 power 0 and the verifying key's G1 are the G1
// generator, its first G2 is the G2 generator, τ ≠ 0, the precomputed
// pairing lines match the G2 points, e([τ]G1, G2) = e(G1, [τ]G2) and
// e([τ^(i+1)]G1, G2) = e([τ^i]G1, [τ]G2) for the first powers one by one,
// then for all powers at once through a random linear combination.

func Check(srs *kzgbn254.SRS) error {
	if srs == nil {
		return fmt.Errorf("%w: nil", ErrInvalid)
	}
	g1s := srs.Pk.G1
	if len(g1s) < 2 {
		return fmt.Errorf("%w: %d G1 powers, need at least 2", ErrInvalid, len(g1s))
	}
	_, _, g1, g2 := bn254.Generators()
	if !g1s[0].Equal(&g1) {
		return fmt.Errorf("%w: G1 power 0 is not the BN254 G1 generator", ErrInvalid)
	}
	if !srs.Vk.G1.Equal(&g1) {
		return fmt.Errorf("%w: verifying key G1 is not the BN254 G1 generator", ErrInvalid)
	}
	if !srs.Vk.G2[0].Equal(&g2) {
		return fmt.Errorf("%w: verifying key G2 is not the BN254 G2 generator", ErrInvalid)
	}
	if g1s[1].IsInfinity() || srs.Vk.G2[1].IsInfinity() {
		return fmt.Errorf("%w: τ = 0 (the point at infinity)", ErrInvalid)
	}
	for i := range 2 {
		if srs.Vk.Lines[i] != bn254.PrecomputeLines(srs.Vk.G2[i]) {
			return fmt.Errorf("%w: precomputed pairing lines %d do not match the verifying key's G2 point %d", ErrInvalid, i, i)
		}
	}
	tauG2 := srs.Vk.G2[1]
	// e(a, G2) = e(b, [τ]G2)  ⇔  e(a, G2)·e(−b, [τ]G2) = 1
	pairEq := func(a, b *bn254.G1Affine) (bool, error) {
		var nb bn254.G1Affine
		nb.Neg(b)
		return bn254.PairingCheck([]bn254.G1Affine{*a, nb}, []bn254.G2Affine{g2, tauG2})
	}
	for i := 0; i+1 < len(g1s) && i < checkPowers; i++ {
		ok, err := pairEq(&g1s[i+1], &g1s[i])
		if err != nil {
			return fmt.Errorf("%w: pairing: %v", ErrInvalid, err)
		}
		if !ok {
			if i == 0 {
				return fmt.Errorf("%w: e([τ]G1, G2) ≠ e(G1, [τ]G2): the G1 power 1 and the G2 [τ] disagree", ErrInvalid)
			}
			return fmt.Errorf("%w: e([τ^%d]G1, G2) ≠ e([τ^%d]G1, [τ]G2): G1 power %d is not τ times power %d", ErrInvalid, i+1, i, i+1, i)
		}
	}
	if len(g1s) > checkPowers+1 {
		// Σ r_i·[τ^(i+1)]G1 must equal τ·Σ r_i·[τ^i]G1 for random r_i: a
		// single wrong or swapped power makes this fail except with
		// probability about 1/|Fr|.
		m := len(g1s) - 1
		r := make([]fr.Element, m)
		for i := range r {
			if _, err := r[i].SetRandom(); err != nil {
				return fmt.Errorf("%w: randomness: %v", ErrInvalid, err)
			}
		}
		var a, b bn254.G1Affine
		if _, err := a.MultiExp(g1s[1:], r, ecc.MultiExpConfig{}); err != nil {
			return fmt.Errorf("%w: multiexp: %v", ErrInvalid, err)
		}
		if _, err := b.MultiExp(g1s[:m], r, ecc.MultiExpConfig{}); err != nil {
			return fmt.Errorf("%w: multiexp: %v", ErrInvalid, err)
		}
		ok, err := pairEq(&a, &b)
		if err != nil {
			return fmt.Errorf("%w: pairing: %v", ErrInvalid, err)
		}
		if !ok {
			return fmt.Errorf("%w: the %d G1 powers are not successive powers of the τ in [τ]G2 (random linear combination check; some power beyond the first %d is wrong or out of place)", ErrInvalid, len(g1s), checkPowers+1)
		}
	}
	return nil
}

// ForCircuit returns the canonical SRS trimmed to what ccs needs and its
// Lagrange form, or an error naming both sizes if the SRS is too small.
func (s *SRS) ForCircuit(ccs constraint.ConstraintSystem) (canonical, lagrange *kzgbn254.SRS, err error) {
	if s == nil || s.Canonical == nil {
		return nil, nil, errors.New("no SRS")
	}
	size := DomainSize(ccs)
	have := uint64(len(s.Canonical.Pk.G1))
	if have < size+3 {
		return nil, nil, fmt.Errorf("%w: the SRS has %d G1 powers; the circuit (%d constraints + %d public inputs, domain %d) needs %d",
			ErrInvalid, have, ccs.GetNbConstraints(), ccs.GetNbPublicVariables(), size, size+3)
	}
	canonical = &kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: s.Canonical.Pk.G1[:size+3]}, Vk: s.Canonical.Vk}
	if s.Lagrange != nil && uint64(len(s.Lagrange.Pk.G1)) == size {
		return canonical, s.Lagrange, nil
	}
	lg, err := kzgbn254.ToLagrangeG1(s.Canonical.Pk.G1[:size])
	if err != nil {
		return nil, nil, fmt.Errorf("SRS to Lagrange form (domain %d): %w", size, err)
	}
	return canonical, &kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: lg}, Vk: s.Canonical.Vk}, nil
}

// Pair returns the canonical and Lagrange SRS a PLONK setup of ccs takes.
func (s *SRS) Pair(ccs constraint.ConstraintSystem) (kzg.SRS, kzg.SRS, error) {
	if s != nil && s.other[0] != nil {
		return s.other[0], s.other[1], nil // a dev SRS made for this circuit
	}
	if ccs.Field().Cmp(ecc.BN254.ScalarField()) != 0 {
		return nil, nil, fmt.Errorf("%w: an imported SRS is BN254; on other curves only a dev SRS is supported", ErrInvalid)
	}
	return s.ForCircuit(ccs)
}
