package keytrust

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/consensys/gnark/constraint"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/ceremony"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/srs"
	"github.com/zkpoc/zkpoc/verifier"
)

// ErrMismatch is wrapped when a bundle's key is not what it says: the
// re-derived PLONK key, or the key the ceremony transcript yields, differs,
// or this machine's compile of the circuit is another constraint system.
var ErrMismatch = errors.New("the key bundle does not check out")

// ErrNotApplicable is wrapped when a check was asked for that does not
// apply to the bundle's key (an SRS for a Groth16 key, a transcript for a
// key from no ceremony, a directory without its beacon).
var ErrNotApplicable = errors.New("check does not apply")

// Compiler compiles the circuit shape a key id names (for the id's system:
// R1CS for Groth16, sparse R1CS for PLONK).
type Compiler func(keys.ID) (constraint.ConstraintSystem, error)

// Compile is the Compiler for zkpoc's circuits (prover.CompileFor).
func Compile(id keys.ID) (constraint.ConstraintSystem, error) {
	m, err := protocol.ParseMethod(id.Circuit)
	if err != nil {
		return nil, err
	}
	curve, err := protocol.ParseCurve(string(id.Curve))
	if err != nil {
		return nil, err
	}
	return prover.CompileFor(id.System, curve, m, id.N, id.FracBits)()
}

// Options say what a verifier has to check a bundle against.
type Options struct {
	// SRS is a PLONK key's SRS file (gnark-crypto's BN254 kzg.SRS
	// encoding): the one exported with the bundle (its srs_sha256), or the
	// file its provenance names; the key is re-derived from it.
	SRS string
	// CeremonyDir and Beacon are a ceremony key's transcript directory and
	// final beacon; the transcript is verified against the compiled circuit.
	CeremonyDir string
	Beacon      []byte
	// Compile compiles the circuit (default Compile).
	Compile  Compiler
	Progress io.Writer // progress lines of the long steps; nil: none
}

// Result is what Establish found: the record an import stores (Origin, with
// Source OriginImport) and the same for a verification in this run
// (Established, for verifier.Options.KeyEstablished), plus what could not
// be checked and why.
type Result struct {
	Bundle      *Bundle
	Origin      keys.Origin
	Established *verifier.KeyEstablished
	Notes       []string
}

// Establish checks a bundle (already Decoded) against what this verifier
// has: with o.SRS it re-derives a PLONK key, with o.CeremonyDir and
// o.Beacon it verifies a Groth16 key's ceremony transcript, each against
// the circuit this machine compiles. A check that runs and fails is an
// error wrapping ErrMismatch; one that cannot run leaves the circuit not
// established and says why in Notes.
func Establish(b *Bundle, o Options) (*Result, error) {
	if o.Compile == nil {
		o.Compile = Compile
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	plonk := b.ID.System == protocol.Plonk
	if o.SRS != "" && !plonk {
		return nil, fmt.Errorf("%w: an SRS re-derives PLONK keys; key %s is a %s key", ErrNotApplicable, b.Fingerprint, b.ID.System)
	}
	if (o.CeremonyDir == "") != (o.Beacon == nil) {
		return nil, fmt.Errorf("%w: a ceremony transcript is checked with its directory and its final beacon together", ErrNotApplicable)
	}
	if o.CeremonyDir != "" && b.Setup != SetupCeremony {
		return nil, fmt.Errorf("%w: key %s is not from a ceremony (setup %s): there is no transcript to check", ErrNotApplicable, b.Fingerprint, b.Setup)
	}
	r := &Result{Bundle: b, Origin: keys.Origin{Source: keys.OriginImport, CCSSHA256: b.CCSSHA256, Transcript: b.Transcript}}
	k := &verifier.KeyEstablished{Fingerprint: b.Fingerprint, Provenance: b.Provenance, Transcript: b.Transcript}
	r.Established = k
	switch {
	case o.SRS != "":
		how, setup, err := rederive(b, o, r)
		if err != nil {
			return nil, err
		}
		k.Circuit, k.How, k.SRSDigest = b.ID, how, r.Origin.SRSSHA256
		k.SetupHow = setup
	case o.CeremonyDir != "":
		how, err := checkTranscript(b, o, r)
		if err != nil {
			return nil, err
		}
		k.Circuit, k.How, k.SetupHow = b.ID, how, how
	default:
		note := "a Groth16 dev key can be tied to its circuit only by whoever ran its setup"
		switch {
		case plonk:
			note = "give the SRS (the file exported with the bundle, or the one its provenance names) to re-derive the key"
		case b.Setup == SetupCeremony:
			note = fmt.Sprintf("give the ceremony transcript and its final beacon to verify it, or pin its digest %s in a policy (trusted_transcripts)", b.TranscriptSHA256)
		}
		r.Notes = append(r.Notes, "circuit not established: "+note)
		k.How = "given as a key bundle whose circuit this verifier could not check (" + note + ")"
	}
	return r, nil
}

// rederive is Establish's PLONK check: the SRS file must be the bundle's
// (srs_sha256) or the one its provenance names; it is checked to be a power
// sequence, the circuit compiled, and the key set up again from them.
func rederive(b *Bundle, o Options, r *Result) (how, setupHow string, err error) {
	if b.ID.Curve != protocol.BN254 {
		return "", "", fmt.Errorf("%w: re-deriving a PLONK key needs a BN254 SRS file; key %s is on %s (pin it in a policy instead)", ErrNotApplicable, b.Fingerprint, b.ID.Curve)
	}
	digest, err := fileDigest(o.SRS, srs.MaxBytes)
	if err != nil {
		return "", "", err
	}
	named := keys.SRSProvenanceDigest(b.Provenance)
	if digest != b.SRSSHA256 && digest != named {
		return "", "", fmt.Errorf("%w: SRS file %s has SHA-256 %s, neither the bundle's srs_sha256 %q nor the file its provenance names (%q)", ErrMismatch, o.SRS, digest, b.SRSSHA256, named)
	}
	fmt.Fprintf(o.Progress, "checking SRS %s is a power sequence…\n", o.SRS)
	s, err := srs.Import(o.SRS, "bundle", 0)
	if err != nil {
		return "", "", err
	}
	ccs, err := compileChecked(b, o)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(o.Progress, "re-deriving the PLONK key of %s…\n", b.ID)
	vk, err := setup.RederivePLONK(ccs, s)
	if err != nil {
		return "", "", fmt.Errorf("re-derive PLONK key %s: %w", b.ID, err)
	}
	if fp := vk.FingerprintHex(); fp != b.Fingerprint {
		return "", "", fmt.Errorf("%w: the PLONK key of %s re-derived from SRS sha256:%s is sha256:%s, the bundle's is sha256:%s: it is not this circuit's key over this SRS",
			ErrMismatch, b.ID, digest, vk.FingerprintHex(), b.Fingerprint)
	}
	r.Origin.Circuit, r.Origin.SRSSHA256 = keys.EstablishedRederived, digest
	how = fmt.Sprintf("re-derived by this verifier from SRS sha256:%s and the circuit it compiled", digest)
	if digest == named {
		r.Origin.Setup = keys.EstablishedRederived
		setupHow = fmt.Sprintf("re-derived by this verifier from the SRS file sha256:%s its provenance names", digest)
	}
	return how, setupHow, nil
}

// checkTranscript is Establish's ceremony check: the transcript in
// o.CeremonyDir with o.Beacon must verify, be the bundle's record, and be
// for the constraint system of the circuit this machine compiles.
func checkTranscript(b *Bundle, o Options, r *Result) (string, error) {
	if _, err := ceremony.ReadManifest(o.CeremonyDir); err != nil {
		return "", err // not a ceremony directory: the caller's input
	}
	rep, err := ceremony.Verify(o.CeremonyDir, o.Beacon, ceremony.WithProgress(o.Progress))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrMismatch, err)
	}
	rec, err := rep.Transcript()
	if err != nil {
		return "", err
	}
	d, err := rec.Digest()
	if err != nil {
		return "", err
	}
	if d != b.TranscriptSHA256 {
		return "", fmt.Errorf("%w: the transcript in %s with that beacon has digest %s (key sha256:%s), the bundle's is %s", ErrMismatch, o.CeremonyDir, d, rec.Fingerprint, b.TranscriptSHA256)
	}
	if _, err := compileChecked(b, o); err != nil {
		return "", err
	}
	r.Origin.Circuit, r.Origin.Setup = keys.EstablishedTranscript, keys.EstablishedTranscript
	return fmt.Sprintf("ceremony transcript %s verified by this verifier against the circuit it compiled", d), nil
}

// compileChecked compiles the bundle's circuit and requires the bundle's
// constraint-system digest.
func compileChecked(b *Bundle, o Options) (constraint.ConstraintSystem, error) {
	fmt.Fprintf(o.Progress, "compiling %s…\n", b.ID)
	ccs, err := o.Compile(b.ID)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", b.ID, err)
	}
	d, _, err := keys.CCSDigest(ccs)
	if err != nil {
		return nil, err
	}
	if d != b.CCSSHA256 {
		return nil, fmt.Errorf("%w: this binary compiles %s to constraint system %s, the bundle's key is for %s (another circuit version or gnark version)", ErrMismatch, b.ID, d, b.CCSSHA256)
	}
	return ccs, nil
}

// maxCCSBytes bounds a cached constraint system read for its digest.
const maxCCSBytes = 64 << 30

// fileDigest is the hex SHA-256 of a file of at most limit bytes.
func fileDigest(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, limit+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if n > limit {
		return "", fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Import reads the bundle file path (bounded), checks it (Decode, then
// Establish with o) and stores its key in cache, apart from this machine's
// own keys, with a record of what was checked.
func Import(cache keys.Cache, path string, o Options) (*Result, error) {
	data, err := atomicfile.ReadLimited(path, MaxBundleBytes)
	if err != nil {
		return nil, fmt.Errorf("read key bundle: %w", err)
	}
	return ImportData(cache, path, data, o)
}

// ImportData is Import of a bundle already read (at most MaxBundleBytes,
// from standard input say); name names it in errors.
func ImportData(cache keys.Cache, path string, data []byte, o Options) (*Result, error) {
	b, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("key bundle %s: %w", path, err)
	}
	r, err := Establish(b, o)
	if err != nil {
		return nil, fmt.Errorf("key bundle %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	r.Origin.BundleSHA256 = hex.EncodeToString(sum[:])
	r.Origin.At = keys.Now()
	meta := keys.Meta{ID: b.ID, Fingerprint: b.Fingerprint, Provenance: b.Provenance, Constraints: b.Constraints,
		CreatedAt: b.CreatedAt, GnarkVersion: b.GnarkVersion, Origin: &r.Origin}
	if err := cache.StoreImported(meta, b.VerifyingKey, data); err != nil {
		return nil, err
	}
	return r, nil
}

// Export makes the bundle for the cached key ref names: a fingerprint
// ("sha256:" optional) or a key id (e.g. freivalds-v5_n4_f8_bn254_groth16;
// this machine's own keys before imported ones). It also returns the SRS
// file a PLONK key re-derives from, "" if the entry keeps none. An
// imported key is exported as the bundle it came in.
func Export(cache keys.Cache, ref string, compile Compiler) (*Bundle, string, error) {
	if compile == nil {
		compile = Compile
	}
	m, err := find(cache, ref)
	if err != nil {
		return nil, "", err
	}
	if m.Origin != nil && m.Origin.Source == keys.OriginImport {
		data, err := cache.ImportedBundle(m.Fingerprint, MaxBundleBytes)
		if err != nil {
			return nil, "", err
		}
		b, err := Decode(data)
		return b, "", err
	}
	vk, err := cache.VKBytes(m)
	if err != nil {
		return nil, "", err
	}
	b := &Bundle{Type: BundleType, ID: m.ID, Fingerprint: m.Fingerprint, VerifyingKey: vk, Constraints: m.Constraints,
		Provenance: m.Provenance, GnarkVersion: m.GnarkVersion, CreatedAt: m.CreatedAt}
	if b.CCSSHA256, err = ccsDigest(cache, m, compile); err != nil {
		return nil, "", err
	}
	_, _, mpc := keys.MPCContributions(m.Provenance)
	switch {
	case mpc:
		if m.Origin == nil || m.Origin.Transcript == nil {
			return nil, "", fmt.Errorf("export %s: its provenance is %s, but its cache entry records no ceremony transcript (finalized before transcripts were recorded): run zkpoc ceremony finalize again to record it", m.ID, m.Provenance)
		}
		b.Setup, b.Transcript = SetupCeremony, m.Origin.Transcript
		if b.TranscriptSHA256, err = b.Transcript.Digest(); err != nil {
			return nil, "", err
		}
	case keys.SRSProvenanceDigest(m.Provenance) != "":
		b.Setup = SetupSRS
	default:
		b.Setup = SetupDev
	}
	srsFile := ""
	if m.ID.System == protocol.Plonk {
		if srsFile = cache.SRSFile(m.ID); srsFile != "" {
			if b.SRSSHA256, err = fileDigest(srsFile, srs.MaxBytes); err != nil {
				return nil, "", err
			}
		}
	}
	if err := b.Validate(); err != nil {
		return nil, "", fmt.Errorf("export %s: %w", m.ID, err)
	}
	return b, srsFile, nil
}

// find is the cache entry ref names (see Export).
func find(cache keys.Cache, ref string) (keys.Meta, error) {
	metas, err := cache.List()
	if err != nil {
		return keys.Meta{}, err
	}
	want := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(ref), "sha256:"))
	for _, m := range metas {
		if strings.ToLower(m.Fingerprint) == want || m.ID.String() == ref {
			return m, nil
		}
	}
	return keys.Meta{}, fmt.Errorf("key %q in %s: %w", short(ref), cache.Dir, keys.ErrNotFound)
}

// ccsDigest is the constraint-system digest of the circuit a key of this
// machine was made for: its entry's ccs.bin, the digest its record keeps,
// or a fresh compile.
func ccsDigest(cache keys.Cache, m keys.Meta, compile Compiler) (string, error) {
	if p := cache.CCSFile(m.ID); p != "" {
		return fileDigest(p, maxCCSBytes)
	}
	if m.Origin != nil && m.Origin.CCSSHA256 != "" {
		return m.Origin.CCSSHA256, nil
	}
	ccs, err := compile(m.ID)
	if err != nil {
		return "", fmt.Errorf("compile %s for its constraint-system digest: %w", m.ID, err)
	}
	d, _, err := keys.CCSDigest(ccs)
	return d, err
}
