package keytrust

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"

	"github.com/zkpoc/zkpoc/ceremony"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/setup"
)

// Small stand-ins for the statement keep these tests at setup costs of
// milliseconds (PLONK: a dev SRS of a few powers); the CLI testscript
// keytrust.txtar runs the real circuit.

// cubic and square are two circuits with the same public input: a key for
// one verifies proofs of the other's public inputs, which is what a bundle
// check must catch.
type cubic struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *cubic) Define(api frontend.API) error {
	api.AssertIsEqual(api.Add(api.Mul(c.X, c.X, c.X), c.X, 5), c.Y)
	cm, err := api.(frontend.Committer).Commit(c.X, c.Y)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cm, 0)
	return nil
}

type square struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *square) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

func testID(circuit string, system protocol.System) keys.ID {
	return keys.ID{Circuit: circuit, N: 1, FracBits: 0, Curve: "bn254", System: system}
}

// compileTest compiles the stand-in an id names, for its system.
func compileTest(id keys.ID) (constraint.ConstraintSystem, error) {
	var c frontend.Circuit = &cubic{}
	if id.Circuit == "square" {
		c = &square{}
	}
	if id.System == protocol.Plonk {
		return frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, c)
	}
	return frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
}

func compileFor(id keys.ID) func() (constraint.ConstraintSystem, error) {
	return func() (constraint.ConstraintSystem, error) { return compileTest(id) }
}

// setUp makes a cache holding this machine's own keys for id.
func setUp(t *testing.T, id keys.ID) keys.Cache {
	t.Helper()
	c := keys.Cache{Dir: t.TempDir()}
	if _, _, err := setup.LoadOrSetup(c, id, compileFor(id), nil); err != nil {
		t.Fatal(err)
	}
	return c
}

func export(t *testing.T, c keys.Cache, ref string) (*Bundle, string, []byte) {
	t.Helper()
	b, srs, err := Export(c, ref, compileTest)
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b, srs, data
}

func writeBundle(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGroth16DevRoundTrip: a dev Groth16 key exports to a bundle that
// decodes to the same thing and imports into another cache, apart from
// that machine's own keys, found there by fingerprint — with its circuit
// not established (nothing but its setup's runner can tie a dev Groth16
// key to a circuit) and the record saying so.
func TestGroth16DevRoundTrip(t *testing.T) {
	id := testID("cubic", protocol.Groth16)
	a := setUp(t, id)
	metas, _ := a.List()
	b, srs, data := export(t, a, "sha256:"+metas[0].Fingerprint)
	if srs != "" || b.Setup != SetupDev || b.Provenance != keys.ProvenanceDevSingleParty || b.ID != id {
		t.Fatalf("bundle %+v, srs %q", b, srs)
	}
	if byID, _, _ := export(t, a, id.String()); byID.Fingerprint != b.Fingerprint {
		t.Errorf("export by key id: %s", byID.Fingerprint)
	}
	ccs, _ := compileTest(id)
	if d, _, _ := keys.CCSDigest(ccs); d != b.CCSSHA256 {
		t.Errorf("ccs_sha256 %s, compiled %s", b.CCSSHA256, d)
	}
	back, err := Decode(data)
	if err != nil || !reflect.DeepEqual(back, b) {
		t.Fatalf("decode: %v\n%+v\n%+v", err, back, b)
	}

	verifierCache := setUp(t, id) // B has its own keys for the same circuit
	r, err := Import(verifierCache, writeBundle(t, data), Options{Compile: compileTest})
	if err != nil {
		t.Fatal(err)
	}
	if r.Origin.Circuit != "" || r.Established.Circuit != (keys.ID{}) || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "not established") {
		t.Errorf("a dev Groth16 key must import unestablished: %+v notes %q", r.Origin, r.Notes)
	}
	_, m, err := verifierCache.FindByFingerprint(b.Fingerprint)
	if err != nil || m.Origin == nil || m.Origin.Source != keys.OriginImport || m.Origin.BundleSHA256 == "" {
		t.Fatalf("imported key: %+v, %v", m, err)
	}
	own, err := verifierCache.Load(id)
	if err != nil || own.Meta.Fingerprint == b.Fingerprint {
		t.Errorf("the import must not replace this machine's own keys: %v", err)
	}
	again, _, _ := export(t, verifierCache, b.Fingerprint) // an imported key exports as its bundle
	if again.Fingerprint != b.Fingerprint {
		t.Errorf("re-export of the imported key: %s", again.Fingerprint)
	}
	if _, err := Establish(b, Options{SRS: "x", Compile: compileTest}); err == nil {
		t.Error("an SRS was accepted for a Groth16 key")
	}
}

// TestDecodeRejects: every inconsistency in a bundle is refused, naming
// the field.
func TestDecodeRejects(t *testing.T) {
	id := testID("cubic", protocol.Groth16)
	_, _, data := export(t, setUp(t, id), id.String())
	other := testID("square", protocol.Groth16)
	_, _, otherData := export(t, setUp(t, other), other.String())
	var otherB map[string]any
	if err := json.Unmarshal(otherData, &otherB); err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		out, _ := json.Marshal(m)
		return out
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"type", edit(func(m map[string]any) { m["type"] = "zkpoc-key-bundle/v0" }), "type"},
		{"unknown field", edit(func(m map[string]any) { m["extra"] = 1 }), "unknown field"},
		{"trailing data", append(append([]byte(nil), data...), []byte("{}")...), "trailing data"},
		{"fingerprint", edit(func(m map[string]any) { m["fingerprint"] = strings.Repeat("0", 64) }), "its fingerprint is"},
		{"fingerprint upper case", edit(func(m map[string]any) { m["fingerprint"] = strings.ToUpper(m["fingerprint"].(string)) }), "fingerprint: want 64 lower-case"},
		{"another key", edit(func(m map[string]any) { m["verifying_key"] = otherB["verifying_key"] }), "verifying_key: its fingerprint"},
		{"key bytes", edit(func(m map[string]any) { m["verifying_key"] = "AAAA" }), "verifying_key: not a bn254 groth16 key"},
		{"no key", edit(func(m map[string]any) { delete(m, "verifying_key") }), "verifying_key: missing"},
		{"id", edit(func(m map[string]any) { m["id"].(map[string]any)["system"] = "stark" }), "id:"},
		{"curve", edit(func(m map[string]any) { m["id"].(map[string]any)["curve"] = "bls12-381" }), "verifying_key: not a bls12-381"},
		{"ccs", edit(func(m map[string]any) { m["ccs_sha256"] = "00" }), "ccs_sha256"},
		{"constraints", edit(func(m map[string]any) { m["constraints"] = 0 }), "constraints"},
		{"setup", edit(func(m map[string]any) { m["setup"] = "trusted" }), "setup"},
		{"dev provenance", edit(func(m map[string]any) { m["provenance"] = "mpc(3+3 contributions, beacon 00)" }), "provenance"},
		{"ceremony without transcript", edit(func(m map[string]any) { m["setup"] = SetupCeremony }), "transcript record: missing"},
		{"srs for groth16", edit(func(m map[string]any) { m["srs_sha256"] = strings.Repeat("a", 64) }), "srs_sha256: a groth16 key has no SRS"},
		{"not JSON", []byte("\x00\x01"), "invalid key bundle"},
		{"too large", make([]byte, MaxBundleBytes+1), "exceeds the limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data)
			if err == nil || !errors.Is(err, ErrBundle) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrBundle naming %q", err, tc.want)
			}
		})
	}
}

// TestPlonkRederive: a PLONK key set up over a dev SRS keeps that SRS;
// exported with it, the key is re-derived on import from the SRS and the
// compiled circuit, with the same fingerprint. A bundle naming that
// circuit but carrying the key of another circuit (same public inputs,
// same SRS) fails the re-derivation; an SRS file that is neither the
// bundle's nor its provenance's is refused before any work.
func TestPlonkRederive(t *testing.T) {
	id := testID("cubic", protocol.Plonk)
	a := setUp(t, id)
	b, srs, data := export(t, a, id.String())
	if srs == "" || b.SRSSHA256 == "" || b.Setup != SetupDev || b.Provenance != keys.ProvenanceDevSRS {
		t.Fatalf("bundle: setup %s provenance %q srs %q (%s)", b.Setup, b.Provenance, b.SRSSHA256, srs)
	}
	verifierCache := keys.Cache{Dir: t.TempDir()}
	r, err := Import(verifierCache, writeBundle(t, data), Options{SRS: srs, Compile: compileTest})
	if err != nil {
		t.Fatal(err)
	}
	if r.Origin.Circuit != keys.EstablishedRederived || r.Origin.SRSSHA256 != b.SRSSHA256 || r.Established.Circuit != id ||
		!strings.Contains(r.Established.How, "re-derived by this verifier from SRS sha256:"+b.SRSSHA256) {
		t.Fatalf("re-derivation: origin %+v, established %+v", r.Origin, r.Established)
	}
	if _, m, err := verifierCache.FindByFingerprint(b.Fingerprint); err != nil || m.ID.System != protocol.Plonk || m.Origin.Circuit != keys.EstablishedRederived {
		t.Fatalf("imported PLONK key: %+v, %v", m, err)
	}
	// Without the SRS: imported, not established.
	if r, err := Establish(b, Options{Compile: compileTest}); err != nil || r.Established.Circuit != (keys.ID{}) || !strings.Contains(r.Notes[0], "give the SRS") || strings.Contains(r.Notes[0], "--") {
		t.Errorf("without the SRS: %+v, %v", r, err)
	}

	// The key of "square" under a bundle that says "cubic".
	sq := testID("square", protocol.Plonk)
	sqBundle, _, _ := export(t, setUp(t, sq), sq.String())
	forged := *b
	forged.VerifyingKey, forged.Fingerprint = sqBundle.VerifyingKey, sqBundle.Fingerprint
	if err := forged.Validate(); err != nil {
		t.Fatal(err) // self-consistent: only the re-derivation can tell
	}
	if _, err := Establish(&forged, Options{SRS: srs, Compile: compileTest}); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "not this circuit's key") {
		t.Fatalf("a square key under a cubic bundle: %v", err)
	}
	otherCCS := *b
	otherCCS.CCSSHA256 = sqBundle.CCSSHA256
	if _, err := Establish(&otherCCS, Options{SRS: srs, Compile: compileTest}); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "this binary compiles") {
		t.Fatalf("a bundle for another constraint system: %v", err)
	}
	wrong := filepath.Join(t.TempDir(), "srs.bin")
	junk := make([]byte, 1024)
	rand.Read(junk)
	if err := os.WriteFile(wrong, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Establish(b, Options{SRS: wrong, Compile: compileTest}); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "srs_sha256") {
		t.Fatalf("another SRS file: %v", err)
	}
}

// TestCeremonyTranscript: keys finalized from a ceremony export with their
// transcript record; a verifier that has the transcript directory and the
// final beacon verifies it against the compiled circuit on import, and one
// that has neither imports the key unestablished, told which digest a
// policy could pin. A wrong beacon, or a record edited consistently (so the
// bundle still decodes), fails against the transcript.
func TestCeremonyTranscript(t *testing.T) {
	id := testID("cubic", protocol.Groth16)
	dir := filepath.Join(t.TempDir(), "ceremony")
	ccs, err := compileTest(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := ceremony.Init(dir, id, ccs); err != nil {
		t.Fatal(err)
	}
	beacon1, beacon2 := bytes.Repeat([]byte{0xb1}, 32), bytes.Repeat([]byte{0xb2}, 32)
	for phase := 1; phase <= 2; phase++ {
		for i := 0; i < 2; i++ {
			if _, _, err := ceremony.Contribute(dir, phase, rand.Reader); err != nil {
				t.Fatal(err)
			}
		}
		if phase == 1 {
			if err := ceremony.SealPhase1(dir, beacon1); err != nil {
				t.Fatal(err)
			}
		}
	}
	digest, _, _ := keys.CCSDigest(ccs)
	a := keys.Cache{Dir: t.TempDir()}
	set, err := ceremony.Finalize(dir, beacon2, a, ceremony.WithCompiledCCS(digest))
	if err != nil {
		t.Fatal(err)
	}
	if o := set.Meta.Origin; o == nil || o.Source != keys.OriginCeremony || o.Circuit != keys.EstablishedTranscript || o.Transcript == nil {
		t.Fatalf("finalized keys' origin: %+v", o)
	}
	b, _, data := export(t, a, id.String())
	if b.Setup != SetupCeremony || b.Transcript == nil || b.Provenance != set.Meta.Provenance || len(b.Transcript.Phase1) != 2 || len(b.Transcript.Phase2) != 2 {
		t.Fatalf("ceremony bundle: %+v", b)
	}

	v := keys.Cache{Dir: t.TempDir()}
	r, err := Import(v, writeBundle(t, data), Options{CeremonyDir: dir, Beacon: beacon2, Compile: compileTest})
	if err != nil {
		t.Fatal(err)
	}
	if r.Origin.Circuit != keys.EstablishedTranscript || r.Origin.Setup != keys.EstablishedTranscript || r.Established.SetupHow == "" || r.Established.Circuit != id {
		t.Fatalf("transcript import: %+v %+v", r.Origin, r.Established)
	}
	r, err = Establish(b, Options{Compile: compileTest})
	if err != nil || r.Established.Circuit != (keys.ID{}) || !strings.Contains(r.Notes[0], b.TranscriptSHA256) {
		t.Errorf("without the transcript: %+v, %v", r, err)
	}
	if _, err := Establish(b, Options{CeremonyDir: dir, Beacon: beacon1, Compile: compileTest}); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong final beacon: %v", err)
	}
	edited := *b
	rec := *b.Transcript
	rec.Phase2 = append([]string{strings.Repeat("7", 64)}, rec.Phase2[1:]...)
	edited.Transcript = &rec
	edited.TranscriptSHA256, _ = rec.Digest()
	if err := edited.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := Establish(&edited, Options{CeremonyDir: dir, Beacon: beacon2, Compile: compileTest}); !errors.Is(err, ErrMismatch) {
		t.Errorf("edited transcript record: %v", err)
	}
	if _, err := Establish(b, Options{CeremonyDir: dir, Compile: compileTest}); err == nil {
		t.Error("a ceremony directory without its beacon was accepted")
	}
}

// FuzzDecode: the bundle decoder never panics on hostile bytes, and what it
// accepts re-encodes to a bundle that decodes the same.
func FuzzDecode(f *testing.F) {
	c := keys.Cache{Dir: f.TempDir()}
	id := testID("cubic", protocol.Groth16)
	if _, _, err := setup.LoadOrSetup(c, id, compileFor(id), nil); err != nil {
		f.Fatal(err)
	}
	b, _, err := Export(c, id.String(), compileTest)
	if err != nil {
		f.Fatal(err)
	}
	data, _ := b.Encode()
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(`{"type":"zkpoc-key-bundle/v1","verifying_key":"AAAAAAAA"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			return
		}
		out, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		b2, err := Decode(out)
		if err != nil || !reflect.DeepEqual(b, b2) {
			t.Fatalf("re-encoded bundle: %v", err)
		}
	})
}
