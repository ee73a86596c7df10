package keys

// PLONK (KZG) keys on BN254 and BLS12-381 (imported SRS files: BN254 only).
//
// A PLONK setup needs a KZG structured reference string (SRS): the powers
// [1, τ, τ², …, τ^(N+2)]·G1 and [1, τ]·G2 for a secret τ, where N is the
// circuit's evaluation domain (the next power of two at or above
// constraints + public inputs). Whoever knows τ can forge proofs, so the SRS's
// origin is the whole trust assumption. zkpoc takes it from one of two
// sources:
//
//   - DevSRS: gnark's test/unsafekzg draws τ in this process. The provenance is
//     ProvenanceDevSRS; IsDevSetup treats it as a dev setup and verdicts say
//     whoever made it could forge proofs.
//   - ImportSRS: a file in gnark-crypto's kzg.SRS encoding for BN254
//     (ecc/bn254/kzg: SRS.WriteTo, i.e. the G1 powers as a length-prefixed
//     point slice, then the verifying key [G1, G2, τ·G2] with its precomputed
//     pairing lines). The file's size is checked before it is read, every
//     point is decoded with subgroup checks, and CheckSRS verifies that the
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
// Whatever the converter, ImportSRS rechecks that the result is a power
// sequence, so a buggy conversion fails loudly; it cannot tell whether τ was
// really destroyed, which is why the provenance carries the file digest for
// comparison with the ceremony's published hashes.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	kzgbls "github.com/consensys/gnark-crypto/ecc/bls12-381/kzg"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/iop"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark-crypto/kzg"
	"github.com/consensys/gnark/backend/plonk"
	plonkbls "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/constraint"
	csbls "github.com/consensys/gnark/constraint/bls12-381"
	csbn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/protocol"
)

// ProvenanceDevSRS marks PLONK keys over an SRS whose τ was drawn by the
// process that ran the setup: whoever ran it could forge proofs.
const ProvenanceDevSRS = "srs(unsafe-dev, toxic waste known to the process that made it)"

// MaxSRSBytes bounds an imported SRS file: 2^25 compressed G1 points, enough
// for a 2^25-row PLONK circuit. Checked against the file size before reading.
const MaxSRSBytes int64 = 1<<30 + 1<<20

// MaxPlonkProofBytes bounds an encoded PLONK proof (a BN254 proof with one
// commitment is under 1 KiB).
const MaxPlonkProofBytes = 4096

// maxPlonkCommitments bounds the BSB22 commitments a key or proof may carry.
const maxPlonkCommitments = 8

// srsCheckPowers is how many leading powers CheckSRS checks one by one, by
// name, before the random linear combination over all of them.
const srsCheckPowers = 8

// ErrSRS is wrapped by every error about an SRS file's content.
var ErrSRS = errors.New("invalid KZG SRS")

// ErrPlonkProof is wrapped by ParsePlonkProof's errors.
var ErrPlonkProof = errors.New("malformed PLONK proof")

// SRS is a KZG SRS for PLONK setups, with where it came from.
type SRS struct {
	Canonical *kzgbn254.SRS
	// Lagrange is the Lagrange-basis form for exactly the circuit's domain,
	// when known (DevSRS computes it from τ); otherwise it is derived from
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

// PlonkDomainSize is the evaluation domain a PLONK setup of ccs uses: the
// next power of two at or above constraints + public inputs. The SRS needs
// PlonkDomainSize + 3 G1 powers.
func PlonkDomainSize(ccs constraint.ConstraintSystem) uint64 {
	return ecc.NextPowerOfTwo(uint64(ccs.GetNbConstraints() + ccs.GetNbPublicVariables()))
}

// DevSRS draws an unsafe development SRS sized for ccs (gnark's
// test/unsafekzg). τ is known to this process.
func DevSRS(ccs constraint.ConstraintSystem) (*SRS, error) {
	canonical, lagrange, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		return nil, fmt.Errorf("dev SRS: %w", err)
	}
	c, ok1 := canonical.(*kzgbn254.SRS)
	l, ok2 := lagrange.(*kzgbn254.SRS)
	if !ok1 || !ok2 {
		return &SRS{Provenance: ProvenanceDevSRS, other: [2]kzg.SRS{canonical, lagrange}}, nil
	}
	return &SRS{Canonical: c, Lagrange: l, Provenance: ProvenanceDevSRS}, nil
}

// SRSProvenance is the provenance an SRS imported from path under name gets:
// "srs(<name>, sha256:<hex digest of the file>)". name is 1-64 characters of
// [a-z0-9._-].
func SRSProvenance(path, name string) (string, error) {
	if err := checkName(name, "-._"); err != nil {
		return "", fmt.Errorf("SRS name: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("SRS %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, MaxSRSBytes+1)); err != nil {
		return "", fmt.Errorf("SRS %s: %w", path, err)
	}
	return fmt.Sprintf("srs(%s, sha256:%s)", name, hex.EncodeToString(h.Sum(nil))), nil
}

// ImportSRS reads an SRS file (gnark-crypto's BN254 kzg.SRS encoding) of at
// most maxBytes (MaxSRSBytes when ≤ 0), decodes it with subgroup checks and
// verifies with CheckSRS that it is a power sequence of one τ.
func ImportSRS(path, name string, maxBytes int64) (*SRS, error) {
	if maxBytes <= 0 {
		maxBytes = MaxSRSBytes
	}
	if err := checkName(name, "-._"); err != nil {
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
		return nil, fmt.Errorf("import SRS %s: %w: %d bytes exceeds the limit of %d bytes", path, ErrSRS, st.Size(), maxBytes)
	}
	data, err := atomicfile.ReadLimited(path, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("import SRS %s: %w", path, err)
	}
	srs, err := ParseSRS(data)
	if err != nil {
		return nil, fmt.Errorf("import SRS %s: %w", path, err)
	}
	if err := CheckSRS(srs); err != nil {
		return nil, fmt.Errorf("import SRS %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	d := hex.EncodeToString(sum[:])
	return &SRS{Canonical: srs, Provenance: fmt.Sprintf("srs(%s, sha256:%s)", name, d), FileSHA256: d}, nil
}

// digest identifies the SRS a setup used: the imported file's SHA-256, or
// for a dev SRS that of the trimmed SRS the setup wrote (encoded).
func (s *SRS) digest(encoded []byte) string {
	if s.FileSHA256 != "" {
		return s.FileSHA256
	}
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:])
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

// ParseSRS decodes an SRS from untrusted bytes: the G1 slice length is checked
// against the bytes present before gnark-crypto's decoder (which allocates
// from it) runs, points are subgroup-checked, and every byte must be used.
func ParseSRS(data []byte) (srs *kzgbn254.SRS, err error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrSRS, len(data))
	}
	n := uint64(binary.BigEndian.Uint32(data))
	minVK := uint64(bn254G2Compressed*2 + bn254G1Compressed + kzgLinesBytes(ecc.BN254))
	if n < 2 || 4+n*bn254G1Compressed+minVK > uint64(len(data)) {
		return nil, fmt.Errorf("%w: header claims %d G1 powers, the file has %d bytes (truncated or not a kzg.SRS)", ErrSRS, n, len(data))
	}
	defer func() {
		if r := recover(); r != nil {
			srs, err = nil, fmt.Errorf("%w: decoder panic: %v", ErrSRS, r)
		}
	}()
	srs = new(kzgbn254.SRS)
	read, err := srs.ReadFrom(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: decode: %v", ErrSRS, err)
	}
	if read != int64(len(data)) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrSRS, int64(len(data))-read)
	}
	return srs, nil
}

// CheckSRS verifies that srs is a KZG power sequence of one τ on BN254's
// standard generators: G1 power 0 and the verifying key's G1 are the G1
// generator, its first G2 is the G2 generator, τ ≠ 0, the precomputed
// pairing lines match the G2 points, e([τ]G1, G2) = e(G1, [τ]G2) and
// e([τ^(i+1)]G1, G2) = e([τ^i]G1, [τ]G2) for the first powers one by one,
// then for all powers at once through a random linear combination.
func CheckSRS(srs *kzgbn254.SRS) error {
	if srs == nil {
		return fmt.Errorf("%w: nil", ErrSRS)
	}
	g1s := srs.Pk.G1
	if len(g1s) < 2 {
		return fmt.Errorf("%w: %d G1 powers, need at least 2", ErrSRS, len(g1s))
	}
	_, _, g1, g2 := bn254.Generators()
	if !g1s[0].Equal(&g1) {
		return fmt.Errorf("%w: G1 power 0 is not the BN254 G1 generator", ErrSRS)
	}
	if !srs.Vk.G1.Equal(&g1) {
		return fmt.Errorf("%w: verifying key G1 is not the BN254 G1 generator", ErrSRS)
	}
	if !srs.Vk.G2[0].Equal(&g2) {
		return fmt.Errorf("%w: verifying key G2 is not the BN254 G2 generator", ErrSRS)
	}
	if g1s[1].IsInfinity() || srs.Vk.G2[1].IsInfinity() {
		return fmt.Errorf("%w: τ = 0 (the point at infinity)", ErrSRS)
	}
	for i := range 2 {
		if srs.Vk.Lines[i] != bn254.PrecomputeLines(srs.Vk.G2[i]) {
			return fmt.Errorf("%w: precomputed pairing lines %d do not match the verifying key's G2 point %d", ErrSRS, i, i)
		}
	}
	tauG2 := srs.Vk.G2[1]
	// e(a, G2) = e(b, [τ]G2)  ⇔  e(a, G2)·e(−b, [τ]G2) = 1
	pairEq := func(a, b *bn254.G1Affine) (bool, error) {
		var nb bn254.G1Affine
		nb.Neg(b)
		return bn254.PairingCheck([]bn254.G1Affine{*a, nb}, []bn254.G2Affine{g2, tauG2})
	}
	for i := 0; i+1 < len(g1s) && i < srsCheckPowers; i++ {
		ok, err := pairEq(&g1s[i+1], &g1s[i])
		if err != nil {
			return fmt.Errorf("%w: pairing: %v", ErrSRS, err)
		}
		if !ok {
			if i == 0 {
				return fmt.Errorf("%w: e([τ]G1, G2) ≠ e(G1, [τ]G2): the G1 power 1 and the G2 [τ] disagree", ErrSRS)
			}
			return fmt.Errorf("%w: e([τ^%d]G1, G2) ≠ e([τ^%d]G1, [τ]G2): G1 power %d is not τ times power %d", ErrSRS, i+1, i, i+1, i)
		}
	}
	if len(g1s) > srsCheckPowers+1 {
		// Σ r_i·[τ^(i+1)]G1 must equal τ·Σ r_i·[τ^i]G1 for random r_i: a
		// single wrong or swapped power makes this fail except with
		// probability about 1/|Fr|.
		m := len(g1s) - 1
		r := make([]fr.Element, m)
		for i := range r {
			if _, err := r[i].SetRandom(); err != nil {
				return fmt.Errorf("%w: randomness: %v", ErrSRS, err)
			}
		}
		var a, b bn254.G1Affine
		if _, err := a.MultiExp(g1s[1:], r, ecc.MultiExpConfig{}); err != nil {
			return fmt.Errorf("%w: multiexp: %v", ErrSRS, err)
		}
		if _, err := b.MultiExp(g1s[:m], r, ecc.MultiExpConfig{}); err != nil {
			return fmt.Errorf("%w: multiexp: %v", ErrSRS, err)
		}
		ok, err := pairEq(&a, &b)
		if err != nil {
			return fmt.Errorf("%w: pairing: %v", ErrSRS, err)
		}
		if !ok {
			return fmt.Errorf("%w: the %d G1 powers are not successive powers of the τ in [τ]G2 (random linear combination check; some power beyond the first %d is wrong or out of place)", ErrSRS, len(g1s), srsCheckPowers+1)
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
	size := PlonkDomainSize(ccs)
	have := uint64(len(s.Canonical.Pk.G1))
	if have < size+3 {
		return nil, nil, fmt.Errorf("%w: the SRS has %d G1 powers; the circuit (%d constraints + %d public inputs, domain %d) needs %d",
			ErrSRS, have, ccs.GetNbConstraints(), ccs.GetNbPublicVariables(), size, size+3)
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

// RederivePlonkVK computes the verifying key plonk.Setup gives for ccs (a
// BN254 sparse R1CS) over the SRS, without the SRS's Lagrange form. gnark
// commits to each trace polynomial (selectors, permutation, commitment
// columns), given by its evaluations on the domain, with the Lagrange-basis
// SRS; that commitment is the one to its coefficients with the canonical
// SRS (Σ p(ωⁱ)·[Lᵢ(τ)]G1 = [p(τ)]G1 = Σ cⱼ·[τʲ]G1), and the coefficients
// cost field FFTs, where the Lagrange SRS costs a G1 FFT (over two minutes
// for the 2^18 domain at n = 4 on 2 cores). The key's other fields (domain,
// coset shift, KZG key, commitment indexes, encoding version) come from
// plonk.Setup run over a placeholder Lagrange SRS.
func RederivePlonkVK(ccs constraint.ConstraintSystem, srs *SRS) (plonk.VerifyingKey, error) {
	spr, ok := ccs.(*csbn254.SparseR1CS)
	if !ok {
		return nil, fmt.Errorf("re-derive PLONK key: constraint system is %T, not a BN254 sparse R1CS", ccs)
	}
	if srs == nil || srs.Canonical == nil {
		return nil, errors.New("re-derive PLONK key: no BN254 SRS")
	}
	size := PlonkDomainSize(ccs)
	if have := uint64(len(srs.Canonical.Pk.G1)); have < size+3 {
		return nil, fmt.Errorf("%w: the SRS has %d G1 powers; the circuit (domain %d) needs %d", ErrSRS, have, size, size+3)
	}
	canonical := kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: srs.Canonical.Pk.G1[:size+3]}, Vk: srs.Canonical.Vk}
	placeholder := kzgbn254.SRS{Pk: kzgbn254.ProvingKey{G1: make([]bn254.G1Affine, size)}, Vk: srs.Canonical.Vk}
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
	return vk, nil
}

// pair returns the canonical and Lagrange SRS a PLONK setup of ccs takes.
func (s *SRS) pair(ccs constraint.ConstraintSystem) (kzg.SRS, kzg.SRS, error) {
	if s != nil && s.other[0] != nil {
		return s.other[0], s.other[1], nil // a dev SRS made for this circuit
	}
	if ccs.Field().Cmp(ecc.BN254.ScalarField()) != 0 {
		return nil, nil, fmt.Errorf("%w: an imported SRS is BN254; on other curves only a dev SRS is supported", ErrSRS)
	}
	return s.ForCircuit(ccs)
}

// SetupPlonk runs a PLONK setup of ccs over srs (DevSRS when nil), with the
// same progress lines as Setup. The key set's provenance is the SRS's.
func SetupPlonk(id ID, ccs constraint.ConstraintSystem, srs *SRS, progress io.Writer) (*Set, error) {
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("plonk setup: %w", err)
	}
	if id.System != protocol.Plonk {
		return nil, fmt.Errorf("plonk setup %s: key id names system %q", id, id.System)
	}
	if ccs == nil {
		return nil, fmt.Errorf("plonk setup %s: nil constraint system", id)
	}
	switch ccs.(type) {
	case *csbn254.SparseR1CS, *csbls.SparseR1CS:
	default:
		return nil, fmt.Errorf("plonk setup %s: constraint system is %T, not a BN254 or BLS12-381 sparse R1CS (compile with scs.NewBuilder)", id, ccs)
	}
	curve, _ := id.curveID()
	if ccs.Field().Cmp(curve.ScalarField()) != 0 {
		return nil, fmt.Errorf("plonk setup %s: constraint system is not over the %s scalar field", id, id.Curve)
	}
	if progress == nil {
		progress = io.Discard
	}
	nc := ccs.GetNbConstraints()
	start := time.Now()
	var pk plonk.ProvingKey
	var vk plonk.VerifyingKey
	var srsBytes []byte
	elapsed, err := whileTicking(progress, progressInterval, stillSettingUp(id), func() error {
		if srs == nil {
			fmt.Fprintf(progress, "drawing an unsafe dev KZG SRS for %s (domain %d)\n", id, PlonkDomainSize(ccs))
			var err error
			if srs, err = DevSRS(ccs); err != nil {
				return err
			}
		}
		canonical, lagrange, err := srs.pair(ccs)
		if err != nil {
			return err
		}
		fmt.Fprintf(progress, "setting up PLONK keys for %s: %s constraints, domain %d, SRS %s\n", id, groupThousands(nc), PlonkDomainSize(ccs), srs.Provenance)
		if pk, vk, err = plonk.Setup(ccs, canonical, lagrange); err != nil {
			return err
		}
		var b bytes.Buffer
		if _, err := canonical.WriteTo(&b); err != nil {
			return fmt.Errorf("encode the SRS: %w", err)
		}
		srsBytes = b.Bytes()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plonk setup %s: %w", id, err)
	}
	fmt.Fprintf(progress, "PLONK setup for %s done in %.1f s\n", id, elapsed.Seconds())
	fp, err := FingerprintHexPlonk(vk)
	if err != nil {
		return nil, fmt.Errorf("plonk setup %s: %w", id, err)
	}
	return &Set{
		Meta: Meta{
			ID:           id,
			Fingerprint:  fp,
			Provenance:   srs.Provenance,
			Constraints:  nc,
			SetupSeconds: elapsed.Seconds(),
			CreatedAt:    start.UTC().Format(time.RFC3339),
			GnarkVersion: GnarkVersion(),
			Origin:       &Origin{Source: OriginSetup, Circuit: EstablishedGenerated, Setup: EstablishedGenerated, SRSSHA256: srs.digest(srsBytes), At: Now()},
		},
		PlonkPK:  pk,
		PlonkVK:  vk,
		CCS:      ccs,
		PlonkSRS: srsBytes,
	}, nil
}

var srsProvenanceRE = regexp.MustCompile(`^srs\([a-z0-9][a-z0-9._-]{0,63}, sha256:([0-9a-f]{64})\)$`)

// SRSProvenanceDigest is the SRS file digest (hex) an imported-SRS
// provenance "srs(NAME, sha256:HEX)" names, "" for any other provenance.
func SRSProvenanceDigest(provenance string) string {
	if m := srsProvenanceRE.FindStringSubmatch(provenance); m != nil {
		return m[1]
	}
	return ""
}

// IsDevSRS reports whether a PLONK provenance is the unsafe dev SRS.
func IsDevSRS(provenance string) bool { return provenance == ProvenanceDevSRS }

// FingerprintPlonk is SHA-256 of a PLONK verifying key's vk.WriteTo bytes.
func FingerprintPlonk(vk plonk.VerifyingKey) ([32]byte, error) {
	if vk == nil {
		return [32]byte{}, errors.New("fingerprint: nil PLONK verifying key")
	}
	return fingerprintOf(vk, "PLONK verifying key")
}

// FingerprintHexPlonk is FingerprintPlonk as lower-case hex.
func FingerprintHexPlonk(vk plonk.VerifyingKey) (string, error) {
	fp, err := FingerprintPlonk(vk)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(fp[:]), nil
}

// WritePlonkVK atomically writes vk (vk.WriteTo, the fingerprinted form) to path.
func WritePlonkVK(path string, vk plonk.VerifyingKey) error {
	if vk == nil {
		return fmt.Errorf("write PLONK verifying key %s: nil key", path)
	}
	if err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		_, err := vk.WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("write PLONK verifying key %s: %w", path, err)
	}
	return nil
}

// ReadPlonkVK reads a BN254 PLONK verifying key from path with ParsePlonkVK's
// checks; files over MaxVKBytes are refused before reading.
func ReadPlonkVK(path string) (plonk.VerifyingKey, error) { return ReadPlonkVKFor(ecc.BN254, path) }

// ReadPlonkVKFor is ReadPlonkVK for a key on curve (BN254 or BLS12-381).
func ReadPlonkVKFor(curve ecc.ID, path string) (plonk.VerifyingKey, error) {
	data, err := atomicfile.ReadLimited(path, MaxVKBytes)
	if err != nil {
		return nil, fmt.Errorf("read PLONK verifying key %s: %w", path, err)
	}
	vk, err := ParsePlonkVKFor(curve, data)
	if err != nil {
		return nil, fmt.Errorf("read PLONK verifying key %s: %w", path, err)
	}
	return vk, nil
}

// ParsePlonkVK decodes a BN254 PLONK verifying key (gnark v0.16 versioned
// encoding, compressed points) from untrusted bytes: the layout is walked
// first so no length prefix reaches gnark's decoder unbacked, points are
// subgroup-checked, every byte must be used, and the decoded key is checked
// for consistency (domain size a power of two with its inverse and a
// generator of that order, public inputs and commitments in range, pairing
// lines matching the KZG G2 points). A decoder panic becomes an error.
func ParsePlonkVK(data []byte) (vk plonk.VerifyingKey, err error) {
	return ParsePlonkVKFor(ecc.BN254, data)
}

// ParsePlonkVKFor is ParsePlonkVK for a key on curve (BN254 or BLS12-381).
func ParsePlonkVKFor(curve ecc.ID, data []byte) (vk plonk.VerifyingKey, err error) {
	if len(data) > MaxVKBytes {
		return nil, fmt.Errorf("PLONK verifying key of %d bytes exceeds limit of %d bytes", len(data), MaxVKBytes)
	}
	enc, err := encodingOf(curve)
	if err != nil {
		return nil, err
	}
	if err := checkPlonkVKLayout(data, enc, kzgLinesBytes(curve)); err != nil {
		return nil, fmt.Errorf("malformed PLONK verifying key: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			vk, err = nil, fmt.Errorf("malformed PLONK verifying key: decoder panic: %v", r)
		}
	}()
	v := plonk.NewVerifyingKey(curve)
	n, err := v.ReadFrom(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("malformed PLONK verifying key: decode: %w", err)
	}
	if n != int64(len(data)) {
		return nil, fmt.Errorf("malformed PLONK verifying key: %d trailing bytes", int64(len(data))-n)
	}
	if err := checkPlonkVK(v); err != nil {
		return nil, fmt.Errorf("malformed PLONK verifying key: %w", err)
	}
	return v, nil
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

func (s *vkScanner) skip(n int, what string) error {
	if s.remaining() < n {
		return fmt.Errorf("%s: %w", what, errTruncated)
	}
	s.off += n
	return nil
}

func (s *vkScanner) compressedG1(what string) error { return s.compressed(s.enc.g1c, what) }

// compressed skips one compressed point of size bytes, refusing an uncompressed one.
func (s *vkScanner) compressed(size int, what string) error {
	if s.remaining() < size {
		return fmt.Errorf("%s: %w", what, errTruncated)
	}
	if !s.enc.compressed(s.b[s.off]) {
		return fmt.Errorf("%s: uncompressed point (want the compressed encoding)", what)
	}
	s.off += size
	return nil
}

// ParsePlonkProof decodes a BN254 PLONK proof (proof.WriteTo, compressed)
// from untrusted bytes: the framing (claimed-value and commitment counts) is
// checked before gnark's decoder allocates from it, points are
// subgroup-checked, every byte must be used, and a decoder panic becomes an
// error.
func ParsePlonkProof(raw []byte) (proof plonk.Proof, err error) {
	return ParsePlonkProofFor(ecc.BN254, raw)
}

// ParsePlonkProofFor is ParsePlonkProof for a proof on curve (BN254 or BLS12-381).
func ParsePlonkProofFor(curve ecc.ID, raw []byte) (proof plonk.Proof, err error) {
	enc, err := encodingOf(curve)
	if err != nil {
		return nil, err
	}
	if err := checkPlonkProofFraming(raw, enc); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			proof, err = nil, fmt.Errorf("%w: decoding panicked: %v", ErrPlonkProof, r)
		}
	}()
	p := plonk.NewProof(curve)
	n, err := p.ReadFrom(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPlonkProof, err)
	}
	if int(n) != len(raw) {
		return nil, fmt.Errorf("%w: decoder used %d of %d bytes", ErrPlonkProof, n, len(raw))
	}
	return p, nil
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

// ---- cache ----

// loadPlonk reads a PLONK entry; the caller holds the lock and has checked meta.
func (c Cache) loadPlonk(id ID, meta Meta) (*Set, error) {
	dir := c.EntryDir(id)
	curve, _ := id.curveID()
	vk, err := ReadPlonkVKFor(curve, filepath.Join(dir, fileVK))
	if err != nil {
		return nil, fmt.Errorf("load keys %s: %w", id, err)
	}
	if err := checkFingerprintPlonk(vk, meta.Fingerprint); err != nil {
		return nil, fmt.Errorf("load keys %s: %w", id, err)
	}
	set := &Set{Meta: meta, PlonkVK: vk}
	// Our own file in the local cache, read without subgroup checks (fast).
	set.PlonkPK = plonk.NewProvingKey(curve)
	if err := readFile(filepath.Join(dir, filePK), func(r io.Reader) error {
		_, err := set.PlonkPK.UnsafeReadFrom(r)
		return err
	}); err != nil {
		return nil, fmt.Errorf("load keys %s: proving key: %w", id, err)
	}
	ccsPath := filepath.Join(dir, fileCCS)
	if _, err := os.Stat(ccsPath); err == nil {
		set.CCS = plonk.NewCS(curve)
		if err := readFile(ccsPath, func(r io.Reader) error {
			_, err := set.CCS.ReadFrom(r)
			return err
		}); err != nil {
			return nil, fmt.Errorf("load keys %s: constraint system: %w", id, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load keys %s: %w", id, err)
	}
	return set, nil
}

func checkFingerprintPlonk(vk plonk.VerifyingKey, want string) error {
	got, err := FingerprintHexPlonk(vk)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("PLONK verifying key fingerprint %s does not match meta.json fingerprint %q", got, want)
	}
	return nil
}

// storePlonkKeys writes the PLONK keys of an entry; the caller holds the lock,
// has removed meta.json and writes it afterwards.
func storePlonkKeys(dir string, set *Set) error {
	if err := atomicfile.WriteFunc(filepath.Join(dir, filePK), 0o644, func(w io.Writer) error {
		_, err := set.PlonkPK.WriteRawTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("proving key: %w", err)
	}
	srsPath := filepath.Join(dir, fileSRS)
	if set.PlonkSRS != nil {
		if err := atomicfile.Write(srsPath, set.PlonkSRS, 0o644); err != nil {
			return fmt.Errorf("SRS: %w", err)
		}
	} else if err := os.Remove(srsPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale SRS: %w", err)
	}
	return WritePlonkVK(filepath.Join(dir, fileVK), set.PlonkVK)
}

// SRSFile is the path of the SRS a cached PLONK entry was set up over, ""
// when the entry has none (set up before it was kept).
func (c Cache) SRSFile(id ID) string { return regularFile(filepath.Join(c.EntryDir(id), fileSRS)) }

// LoadOrSetupPlonk is LoadOrSetup for a PLONK id with a chosen SRS: srs is
// called (after compiling) only when no entry is cached. When want is not
// empty, a cached entry of another provenance is an error naming both, so an
// explicit SRS is never silently replaced by keys made from another one.
func (c Cache) LoadOrSetupPlonk(id ID, compile func() (constraint.ConstraintSystem, error), srs func(constraint.ConstraintSystem) (*SRS, error), want string, progress io.Writer) (*Set, bool, error) {
	if id.System != protocol.Plonk {
		return nil, false, fmt.Errorf("load or set up PLONK keys: key id %s names system %q", id, id.System)
	}
	set, cached, err := c.loadOrSetup(id, compile, func(ccs constraint.ConstraintSystem) (*Set, error) {
		s, err := srs(ccs)
		if err != nil {
			return nil, err
		}
		return SetupPlonk(id, ccs, s, progress)
	})
	if err != nil {
		return nil, false, err
	}
	if cached && want != "" && set.Meta.Provenance != want {
		return nil, false, fmt.Errorf("keys %s are cached from %s, not from the SRS given (%s): remove %s to set them up again",
			id, set.Meta.Provenance, want, c.EntryDir(id))
	}
	return set, cached, nil
}

// FindPlonkByFingerprint is FindByFingerprint for PLONK keys.
func (c Cache) FindPlonkByFingerprint(fp string) (plonk.VerifyingKey, Meta, error) {
	return findByFingerprint(c, fp, protocol.Plonk, "PLONK verifying key", ReadPlonkVKFor, FingerprintHexPlonk)
}
