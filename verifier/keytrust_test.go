package verifier_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// TestMissingKeyHolds: a valid receipt whose verifying key this verifier
// does not have is held (the evidence could not be checked), not rejected
// like a forgery; the verdict names the fingerprint and how to get the key.
// A forgery with the key missing is still rejected on what could be checked.
func TestMissingKeyHolds(t *testing.T) {
	f := getFixture(t)
	st, _, _ := f.env.Statement()
	fp := strings.TrimPrefix(st.Predicate.Proof.KeyFingerprint, "sha256:")
	empty := keys.Cache{Dir: t.TempDir()}
	for _, o := range []verifier.Options{{Cache: empty}, {}} {
		v := verifier.Verify(f.env, o)
		if v.PolicyDecision.Status != verifier.Hold {
			t.Fatalf("status %s (failed %v), want hold: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
		}
		if v.KeyNeeded != "sha256:"+fp {
			t.Errorf("key_needed %q, want sha256:%s", v.KeyNeeded, fp)
		}
		for _, want := range []string{fp, "zkpoc keys import", "the key file"} { // the flag is the CLI's hint

			if !strings.Contains(v.PolicyDecision.Reason, want) {
				t.Errorf("hold reason lacks %q: %s", want, v.PolicyDecision.Reason)
			}
		}
		if strings.Contains(v.AllowedClaim, "correct fixed-point product") {
			t.Errorf("a held receipt's claim names the product: %s", v.AllowedClaim)
		}
		i := slices.IndexFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool { return c.Name == "proof.verify" })
		if i < 0 || v.PolicyDecision.Checks[i].Status != "skip" {
			t.Errorf("proof.verify must be skipped without the key: %+v", v.PolicyDecision.Checks)
		}
	}
	// a forgery re-signed consistently (receipt_id recomputed, as a node would)
	forged := resign(t, f.env, f.key, func(st *receipt.Statement) {
		st.Predicate.OutputDigest = flipHex(st.Predicate.OutputDigest)
		id, err := st.Predicate.ComputeID()
		if err != nil {
			t.Fatal(err)
		}
		st.Predicate.ReceiptID = id
	})
	v := verifier.Verify(forged, verifier.Options{Cache: empty})
	if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "poe") || v.KeyNeeded == "" {
		t.Fatalf("forgery without the key: %s %v key_needed %q", v.PolicyDecision.Status, v.Failed(), v.KeyNeeded)
	}
}

// otherCircuit has the statement's four public inputs and proves nothing
// about them: a key for it accepts a proof for any public inputs.
type otherCircuit struct {
	P    [4]frontend.Variable `gnark:",public"`
	X, Y frontend.Variable
}

func (c *otherCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// otherKeyReceipt re-signs the fixture's receipt with a proof of its own
// public inputs under a key for otherCircuit, naming that key.
func otherKeyReceipt(t *testing.T, f fixture) (*receipt.Envelope, proofsystem.VerifyingKey) {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &otherCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := f.env.Statement()
	var a otherCircuit
	for i, x := range st.Predicate.Proof.PublicInputs {
		a.P[i] = x
	}
	a.X, a.Y = 3, 9
	w, err := frontend.NewWitness(&a, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pk, w, proofsystem.ProverOptions(protocol.Groth16)...)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := proof.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	fp, err := keys.FingerprintHex(vk)
	if err != nil {
		t.Fatal(err)
	}
	env := resign(t, f.env, f.key, func(st *receipt.Statement) {
		st.Predicate.Proof.Bytes = raw.Bytes()
		st.Predicate.Proof.KeyFingerprint = "sha256:" + fp
		id, err := st.Predicate.ComputeID()
		if err != nil {
			t.Fatal(err)
		}
		st.Predicate.ReceiptID = id
	})
	return env, wrapVK(t, vk)
}

// wrapVK is a gnark verifying key behind proofsystem's interface.
func wrapVK(t testing.TB, vk any) proofsystem.VerifyingKey {
	t.Helper()
	k, err := proofsystem.NewVerifyingKey(vk)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKeyForAnotherCircuit: a key given as a file is accepted when its
// fingerprint is the one the receipt names, even a key for a circuit that
// proves nothing; so the claim must not name the receipt's circuit unless
// something established that the key belongs to it, and zk-strict-v1 holds.
// The same holds for the real key given as a bare file: a file is no
// evidence of which circuit it was made for.
func TestKeyForAnotherCircuit(t *testing.T) {
	f := getFixture(t)
	env, vk := otherKeyReceipt(t, f)
	strict := verifier.BuiltinPolicies["zk-strict-v1"]
	for _, tc := range []struct {
		name string
		env  *receipt.Envelope
		vk   proofsystem.VerifyingKey
	}{{"other circuit", env, vk}, {"real key as a file", f.env, f.vk}} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(tc.env, verifier.Options{VK: tc.vk})
			if v.PolicyDecision.Status != verifier.Pass {
				t.Fatalf("zk-dev-v1: %s %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
			}
			if strings.HasPrefix(v.AllowedClaim, "Output digest") || !strings.Contains(v.AllowedClaim, "circuit was not established") {
				t.Errorf("the claim names the circuit of a key nothing tied to it: %s", v.AllowedClaim)
			}
			if !slices.ContainsFunc(v.BlockedClaims, func(c string) bool { return strings.Contains(c, "is the correct fixed-point product") }) {
				t.Errorf("the product claim is not blocked: %q", v.BlockedClaims)
			}
			i := slices.IndexFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool { return c.Name == "proof.key_circuit" })
			if i < 0 || v.PolicyDecision.Checks[i].Status != "skip" {
				t.Errorf("proof.key_circuit must be listed as not established (skip): %+v", v.PolicyDecision.Checks)
			}
			v = verifier.Verify(tc.env, verifier.Options{VK: tc.vk, Policy: &strict})
			if v.PolicyDecision.Status != verifier.Hold || !strings.Contains(v.PolicyDecision.Reason, "not established") {
				t.Errorf("zk-strict-v1: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
			}
		})
	}
	// From this machine's own cache the key is established: it was
	// generated here for the circuit its entry names.
	v := verifier.Verify(f.env, verifier.Options{Cache: f.cache})
	if v.PolicyDecision.Status != verifier.Pass || !strings.HasPrefix(v.AllowedClaim, "Output digest") || !strings.Contains(v.AllowedClaim, "generated locally") {
		t.Errorf("cached key: %s: %s", v.PolicyDecision.Status, v.AllowedClaim)
	}
}

// cacheWithMeta copies the fixture's verifying key into a fresh cache whose
// meta.json edit changed, as anyone who can write a cache can.
func cacheWithMeta(t *testing.T, f fixture, edit func(m *keys.Meta)) keys.Cache {
	t.Helper()
	metas, err := f.cache.List()
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := f.env.Statement()
	fp := strings.TrimPrefix(st.Predicate.Proof.KeyFingerprint, "sha256:")
	i := slices.IndexFunc(metas, func(m keys.Meta) bool { return m.Fingerprint == fp })
	if i < 0 {
		t.Fatalf("fixture key %s not in %s", fp, f.cache.Dir)
	}
	m := metas[i]
	c := keys.Cache{Dir: t.TempDir()}
	dir := c.EntryDir(m.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	vk, err := os.ReadFile(filepath.Join(f.cache.EntryDir(m.ID), "vk.bin"))
	if err != nil {
		t.Fatal(err)
	}
	edit(&m)
	meta, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"vk.bin": vk, "meta.json": meta} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// withProvenance re-signs the fixture's receipt stating provenance.
func withProvenance(t *testing.T, f fixture, provenance string) *receipt.Envelope {
	return resign(t, f.env, f.key, func(st *receipt.Statement) {
		st.Predicate.Proof.SetupProvenance = provenance
		id, err := st.Predicate.ComputeID()
		if err != nil {
			t.Fatal(err)
		}
		st.Predicate.ReceiptID = id
	})
}

// TestStrictProvenanceFromMetaAlone: zk-strict-v1 must not pass a key
// because an unauthenticated meta.json says it came from a ceremony (one
// contribution per phase, which one party can make alone): nothing this
// verifier checked shows it.
func TestStrictProvenanceFromMetaAlone(t *testing.T) {
	f := getFixture(t)
	const mpc = "mpc(1+1 contributions, beacon 00000000000000000000000000000000)"
	cache := cacheWithMeta(t, f, func(m *keys.Meta) { m.Provenance = mpc })
	strict := verifier.BuiltinPolicies["zk-strict-v1"]
	v := verifier.Verify(withProvenance(t, f, mpc), verifier.Options{Cache: cache, Policy: &strict})
	if v.PolicyDecision.Status != verifier.Hold {
		t.Fatalf("zk-strict-v1 on a meta.json provenance: %s: %s", v.PolicyDecision.Status, v.AllowedClaim)
	}
}

// TestPolicyPins: a policy vouches for keys (trusted_keys: circuit and,
// optionally, provenance) and ceremony transcripts (trusted_transcripts:
// the record's digest, which covers the key it yields); under such a pin
// zk-strict-v1's rules pass a ceremony key with enough contributions and
// the claim states the honest-contributor assumption. A pin never
// overrides a mismatch: a key pinned for another circuit, or a pinned
// transcript that yields another key, is rejected.
func TestPolicyPins(t *testing.T) {
	f := getFixture(t)
	st, _, _ := f.env.Statement()
	rc := st.Predicate
	fp := strings.TrimPrefix(rc.Proof.KeyFingerprint, "sha256:")
	id := keys.ID{Circuit: rc.Proof.Circuit, N: rc.Task.Payload.MatrixSize, FracBits: rc.Task.Payload.FracBits, Curve: rc.Proof.Curve, System: rc.Proof.System}
	mpc := func(p1, p2 int) string {
		return fmt.Sprintf("mpc(%d+%d contributions, beacon %s)", p1, p2, strings.Repeat("ab", 32))
	}
	strictWith := func(edit func(p *verifier.Policy)) *verifier.Policy {
		p := verifier.BuiltinPolicies["zk-strict-v1"]
		p.ID = "strict-pinned"
		edit(&p)
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		return &p
	}
	pinKey := func(provenance string, n int) *verifier.Policy {
		return strictWith(func(p *verifier.Policy) {
			p.TrustedKeys = []verifier.TrustedKey{{Fingerprint: "sha256:" + fp, Circuit: id.Circuit, N: n, FracBits: id.FracBits, Curve: id.Curve, System: id.System, Provenance: provenance}}
		})
	}
	record := &keys.TranscriptRecord{ID: id, CCSSHA256: strings.Repeat("c", 64), Phase2Base: strings.Repeat("d", 64),
		Phase1: []string{strings.Repeat("1", 64), strings.Repeat("2", 64), strings.Repeat("3", 64)}, Phase1Beacon: strings.Repeat("b1", 32),
		Phase2: []string{strings.Repeat("4", 64), strings.Repeat("5", 64), strings.Repeat("6", 64)}, Beacon: strings.Repeat("b2", 32), Fingerprint: fp}
	digest, err := record.Digest()
	if err != nil {
		t.Fatal(err)
	}
	otherRecord := *record
	otherRecord.Fingerprint = strings.Repeat("e", 64)
	otherDigest, _ := otherRecord.Digest()
	imported := func(r *keys.TranscriptRecord) *verifier.KeyEstablished {
		return &verifier.KeyEstablished{Fingerprint: fp, How: "imported from a bundle whose transcript was not given", Provenance: r.Provenance(), Transcript: r}
	}
	pinTranscript := func(d string) *verifier.Policy {
		return strictWith(func(p *verifier.Policy) { p.TrustedTranscripts = []string{d} })
	}
	for _, tc := range []struct {
		name       string
		provenance string // the receipt's
		o          verifier.Options
		status     string
		want       []string // in the claim (pass) or reason (hold) or failed checks (reject)
	}{
		{"key pinned with a 3+3 ceremony", mpc(3, 3), verifier.Options{VK: f.vk, Policy: pinKey(mpc(3, 3), id.N)}, verifier.Pass,
			[]string{"established for circuit " + id.Circuit, "pinned by policy strict-pinned", "at least one of its 3 phase-1 and one of its 3 phase-2 contributors was honest"}},
		{"key pinned with a 1+1 ceremony", mpc(1, 1), verifier.Options{VK: f.vk, Policy: pinKey(mpc(1, 1), id.N)}, verifier.Hold,
			[]string{"1 phase-1 and 1 phase-2 contributions; the policy requires at least 2 per phase"}},
		{"key pinned for another circuit", mpc(3, 3), verifier.Options{VK: f.vk, Policy: pinKey(mpc(3, 3), 8)}, verifier.Reject,
			[]string{"proof.key_circuit"}},
		{"transcript pinned", record.Provenance(), verifier.Options{VK: f.vk, KeyEstablished: imported(record), Policy: pinTranscript(digest)}, verifier.Pass,
			[]string{"ceremony transcript " + digest + " pinned by policy strict-pinned", "at least one of its 3 phase-1"}},
		{"transcript not pinned", record.Provenance(), verifier.Options{VK: f.vk, KeyEstablished: imported(record), Policy: pinTranscript(otherDigest)}, verifier.Hold,
			[]string{"circuit was not established", "only stated, not verified"}},
		{"pinned transcript yields another key", record.Provenance(), verifier.Options{VK: f.vk, KeyEstablished: imported(&otherRecord), Policy: pinTranscript(otherDigest)}, verifier.Reject,
			[]string{"proof.key_circuit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(withProvenance(t, f, tc.provenance), tc.o)
			if v.PolicyDecision.Status != tc.status {
				t.Fatalf("status %s (failed %v), want %s: %s", v.PolicyDecision.Status, v.Failed(), tc.status, v.PolicyDecision.Reason)
			}
			t.Logf("%s: %s", v.PolicyDecision.Status, v.AllowedClaim)
			text := map[string]string{verifier.Pass: v.AllowedClaim, verifier.Hold: v.PolicyDecision.Reason, verifier.Reject: strings.Join(v.Failed(), ",")}[tc.status]
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			if tc.status == verifier.Pass && !slices.Contains(v.BlockedClaims, "The ceremony's contributors were independent parties.") {
				t.Errorf("a ceremony claim must block contributor independence: %q", v.BlockedClaims)
			}
		})
	}
	// A pinned policy round-trips through a policy file.
	path := filepath.Join(t.TempDir(), "pinned.json")
	raw, _ := json.Marshal(pinKey(mpc(3, 3), id.N))
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := verifier.LookupPolicy(path); err != nil || len(p.TrustedKeys) != 1 || p.MinContributions != 2 {
		t.Fatalf("policy file: %+v, %v", p, err)
	}
	bad := strictWith(func(p *verifier.Policy) {})
	bad.TrustedKeys = []verifier.TrustedKey{{Fingerprint: "xyz", Circuit: "Bad"}}
	bad.TrustedTranscripts = []string{"sha256:00"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "trusted_keys[0].fingerprint") || !strings.Contains(err.Error(), "trusted_transcripts[0]") {
		t.Errorf("bad pins: %v", err)
	}
}

// TestCacheOrigins: what a verifier takes from its own cache's record
// depends on what the record says this machine checked: keys it finalized
// from a transcript it verified are established with their provenance (the
// claim says it is the cache's record); a ceremony whose constraint system
// was not checked, or a bundle imported without a check, is not.
func TestCacheOrigins(t *testing.T) {
	f := getFixture(t)
	st, _, _ := f.env.Statement()
	rc := st.Predicate
	fp := strings.TrimPrefix(rc.Proof.KeyFingerprint, "sha256:")
	id := keys.ID{Circuit: rc.Proof.Circuit, N: rc.Task.Payload.MatrixSize, FracBits: rc.Task.Payload.FracBits, Curve: rc.Proof.Curve, System: rc.Proof.System}
	rec := &keys.TranscriptRecord{ID: id, CCSSHA256: strings.Repeat("c", 64), Phase2Base: strings.Repeat("d", 64),
		Phase1: []string{strings.Repeat("1", 64), strings.Repeat("2", 64)}, Phase1Beacon: strings.Repeat("b1", 32),
		Phase2: []string{strings.Repeat("4", 64), strings.Repeat("5", 64)}, Beacon: strings.Repeat("b2", 32), Fingerprint: fp}
	strict := verifier.BuiltinPolicies["zk-strict-v1"]
	for _, tc := range []struct {
		name   string
		origin keys.Origin
		status string
		want   string
	}{
		{"finalized here from a verified transcript", keys.Origin{Source: keys.OriginCeremony, Circuit: keys.EstablishedTranscript, Setup: keys.EstablishedTranscript, Transcript: rec},
			verifier.Pass, "verified by this machine when it finalized the keys (this machine's key cache record)"},
		{"finalized here, constraint system unchecked", keys.Origin{Source: keys.OriginCeremony, Setup: keys.EstablishedTranscript, Transcript: rec},
			verifier.Hold, "whose constraint system was not checked"},
		{"imported unchecked", keys.Origin{Source: keys.OriginImport, Transcript: rec},
			verifier.Hold, "could not check"},
		{"imported with the transcript verified", keys.Origin{Source: keys.OriginImport, Circuit: keys.EstablishedTranscript, Setup: keys.EstablishedTranscript, Transcript: rec},
			verifier.Pass, "verified by this machine on import (this machine's key cache record)"},
		{"imported, re-derived (as for PLONK), setup unverified", keys.Origin{Source: keys.OriginImport, Circuit: keys.EstablishedRederived, SRSSHA256: strings.Repeat("5", 64), Transcript: rec},
			verifier.Hold, "only stated, not verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := cacheWithMeta(t, f, func(m *keys.Meta) { m.Provenance, m.Origin = rec.Provenance(), &tc.origin })
			v := verifier.Verify(withProvenance(t, f, rec.Provenance()), verifier.Options{Cache: cache, Policy: &strict})
			text := v.AllowedClaim
			if tc.status == verifier.Hold {
				text = v.PolicyDecision.Reason
			}
			if v.PolicyDecision.Status != tc.status || !strings.Contains(text, tc.want) {
				t.Fatalf("%s (failed %v), want %s with %q: %s", v.PolicyDecision.Status, v.Failed(), tc.status, tc.want, text)
			}
		})
	}
}
