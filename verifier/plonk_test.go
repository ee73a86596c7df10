package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/plonk"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// plonkFixture is one real PLONK receipt for n = 4 over a dev SRS, proved
// once per test binary (setup and proof of ~611k sparse constraints in a
// 2^20 domain take minutes on 2 cores).
type plonkFixture struct {
	env   *receipt.Envelope
	res   *prover.Result
	cache keys.Cache
	key   ed25519.PrivateKey
	set   *keys.Set
}

var (
	plonkOnce sync.Once
	plonkFix  plonkFixture
	plonkErr  error
)

func getPlonkFixture(t *testing.T) plonkFixture {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real PLONK setup and proof")
	}
	plonkOnce.Do(func() {
		if plonkFix.cache, plonkErr = testfixture.KeyCache(); plonkErr != nil {
			return
		}
		plonkFix.key = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
		seed := workload.DeriveSeed([32]byte{4, 5, 6}, "cpc1qplonkworker")
		task, err := workload.NewSyntheticTask("5b2d1c0e-7a8f-4b3c-9d2e-1f0a9b8c7d6e", seed, 4, 8, "1000", 1795000000)
		if err != nil {
			plonkErr = err
			return
		}
		var progress bytes.Buffer
		res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: plonkFix.key, Cache: plonkFix.cache, System: protocol.Plonk, Progress: &progress})
		if err != nil {
			plonkErr = err
			return
		}
		t.Logf("PLONK n=4: setup %.1f s, prove %.1f s, %d constraints, %d proof bytes\n%s",
			res.Timings.Setup.Seconds(), res.Timings.Prove.Seconds(), res.Receipt.BenchmarkResult.Constraints, len(res.Receipt.Proof.Bytes), progress.String())
		plonkFix.env, plonkFix.res = res.Envelope, res
		plonkFix.set, plonkErr = plonkFix.cache.Load(keys.IDFor(protocol.BN254, protocol.Plonk, protocol.Freivalds, 4, 8))
	})
	if plonkErr != nil {
		t.Fatal(plonkErr)
	}
	return plonkFix
}

func TestPlonkVerifyPass(t *testing.T) {
	f := getPlonkFixture(t)
	rc := f.res.Receipt
	if rc.Mode != protocol.ModePlonk || rc.Proof.System != "plonk" || rc.Proof.SetupProvenance != keys.ProvenanceDevSRS {
		t.Fatalf("mode %q, proof box: system %q provenance %q", rc.Mode, rc.Proof.System, rc.Proof.SetupProvenance)
	}
	for _, tc := range []struct {
		name, claim string
		o           verifier.Options
	}{
		{"key from cache", "could forge proofs", verifier.Options{Cache: f.cache}},
		// a bare key file does not show its circuit (keytrust re-derives it)
		{"key given", "circuit was not established", verifier.Options{VK: f.set.VK}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			v := verifier.Verify(f.env, tc.o)
			t.Logf("verify: %s", time.Since(start))
			if v.PolicyDecision.Status != verifier.Pass {
				t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
			}
			if !strings.Contains(v.AllowedClaim, "PLONK") || !strings.Contains(v.AllowedClaim, tc.claim) {
				t.Errorf("a dev-SRS PLONK claim must name PLONK and say %q: %s", tc.claim, v.AllowedClaim)
			}
		})
	}
	// Without its key the receipt is held, naming the key (TestMissingKeyHolds).
	if v := verifier.Verify(f.env, verifier.Options{Cache: keys.Cache{Dir: t.TempDir()}}); v.PolicyDecision.Status != verifier.Hold || v.KeyNeeded != f.res.Receipt.Proof.KeyFingerprint {
		t.Errorf("key not in the cache: %s %v, key_needed %q", v.PolicyDecision.Status, v.Failed(), v.KeyNeeded)
	}
	// The strict policy holds a dev SRS.
	pol := verifier.BuiltinPolicies["zk-strict-v1"]
	if v := verifier.Verify(f.env, verifier.Options{Cache: f.cache, Policy: &pol}); v.PolicyDecision.Status != verifier.Hold {
		t.Errorf("zk-strict-v1 on a dev SRS: %s (%v)", v.PolicyDecision.Status, v.Failed())
	}
	// Re-derived (by whoever passes KeyEstablished, package keytrust) from
	// an SRS the policy trusts, the key passes zk-strict-v1's rules; from
	// an SRS it does not list, it is held.
	const srs = "5151515151515151515151515151515151515151515151515151515151515151"
	ke := &verifier.KeyEstablished{Fingerprint: f.set.Meta.Fingerprint, Circuit: f.set.Meta.ID, How: "re-derived from SRS sha256:" + srs + " and the compiled circuit",
		Provenance: f.set.Meta.Provenance, SRSDigest: srs}
	trusting := pol
	trusting.ID, trusting.TrustedSRS = "strict-srs", []string{srs}
	v := verifier.Verify(f.env, verifier.Options{VK: f.set.VK, KeyEstablished: ke, Policy: &trusting})
	if v.PolicyDecision.Status != verifier.Pass || !strings.Contains(v.AllowedClaim, "re-derived from SRS") || !strings.Contains(v.AllowedClaim, "which policy strict-srs trusts") {
		t.Errorf("re-derived from a trusted SRS: %s: %s %s", v.PolicyDecision.Status, v.PolicyDecision.Reason, v.AllowedClaim)
	}
	if v := verifier.Verify(f.env, verifier.Options{VK: f.set.VK, KeyEstablished: ke, Policy: &pol}); v.PolicyDecision.Status != verifier.Hold || !strings.Contains(v.PolicyDecision.Reason, "unsafe dev KZG SRS") {
		t.Errorf("re-derived from an untrusted SRS: %s: %s", v.PolicyDecision.Status, v.PolicyDecision.Reason)
	}
	// The cache's lookup (one for both systems) returns a PLONK key as a
	// PLONK key, never as a Groth16 one (the verifier refuses a key of
	// another system than the proof's: TestBLS12381's relabelling cases).
	if vk, m, err := f.cache.FindByFingerprint(f.set.Meta.Fingerprint); err != nil || vk.System() != protocol.Plonk || m.ID.System != protocol.Plonk {
		t.Errorf("FindByFingerprint on a PLONK fingerprint: %v", err)
	}
}

func TestPlonkRejects(t *testing.T) {
	f := getPlonkFixture(t)
	reID := func(st *receipt.Statement) {
		id, err := st.Predicate.ComputeID()
		if err != nil {
			t.Fatal(err)
		}
		st.Predicate.ReceiptID = id
	}
	other := *f.set.VK.Gnark().(*plonkbn254.VerifyingKey)
	other.Qk = other.Ql
	for _, tc := range []struct {
		name   string
		env    *receipt.Envelope
		o      verifier.Options
		failed string
	}{
		{"flipped proof byte", resign(t, f.env, f.key, func(st *receipt.Statement) {
			b := slices.Clone(st.Predicate.Proof.Bytes)
			b[len(b)/2] ^= 0x01
			st.Predicate.Proof.Bytes = b
			reID(st)
		}), verifier.Options{Cache: f.cache}, "proof.verify"},
		{"wrong public input", resign(t, f.env, f.key, func(st *receipt.Statement) {
			in := slices.Clone(st.Predicate.Proof.PublicInputs)
			in[1] = "12345"
			st.Predicate.Proof.PublicInputs = in
			reID(st)
		}), verifier.Options{Cache: f.cache}, "proof.public_inputs"},
		{"mode says groth16", resign(t, f.env, f.key, func(st *receipt.Statement) {
			st.Predicate.Mode = protocol.ModeGroth16
			reID(st)
		}), verifier.Options{Cache: f.cache}, "proof.system"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(tc.env, tc.o)
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.failed) {
				t.Fatalf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.failed)
			}
			t.Logf("%s: %v", tc.name, v.Failed())
		})
	}
	// A given key that is not the receipt's is the receipt's key missing.
	if v := verifier.Verify(f.env, verifier.Options{VK: wrapVK(t, &other)}); v.PolicyDecision.Status != verifier.Hold || v.KeyNeeded != f.res.Receipt.Proof.KeyFingerprint {
		t.Errorf("wrong verifying key given: %s (failed %v), key_needed %q", v.PolicyDecision.Status, v.Failed(), v.KeyNeeded)
	}

	// Below the receipt checks: the SNARK itself rejects a wrong public
	// input and a wrong key.
	parsed, err := proofsystem.ParseProof(f.res.Receipt.Proof.Bytes, protocol.Plonk, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	proof := parsed.Gnark().(plonk.Proof)
	st, _, _ := f.env.Statement()
	rc := &st.Predicate
	seed, _ := rc.Task.SeedBytes()
	a, b, err := workload.Generate(seed, 4)
	if err != nil {
		t.Fatal(err)
	}
	p, err := protocol.PublicValues(protocol.BN254, rc.Task, f.key.Public().(ed25519.PublicKey), a, b, f.res.Output)
	if err != nil {
		t.Fatal(err)
	}
	pubWitness := func(p protocol.Public) witness.Witness {
		asg, err := circuits.PublicAssignment(protocol.Freivalds, 4, 8, p)
		if err != nil {
			t.Fatal(err)
		}
		w, err := frontend.NewWitness(asg, ecc.BN254.ScalarField(), frontend.PublicOnly())
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if err := plonk.Verify(proof, f.set.VK.Gnark().(plonk.VerifyingKey), pubWitness(p), proofsystem.VerifierOptions(protocol.Plonk)...); err != nil {
		t.Fatalf("the real proof must verify: %v", err)
	}
	bad := p
	bad.PoE[31] ^= 1
	if err := plonk.Verify(proof, f.set.VK.Gnark().(plonk.VerifyingKey), pubWitness(bad), proofsystem.VerifierOptions(protocol.Plonk)...); err == nil {
		t.Error("a wrong PoE public input verified")
	}
	if err := plonk.Verify(proof, &other, pubWitness(p), proofsystem.VerifierOptions(protocol.Plonk)...); err == nil {
		t.Error("a wrong verifying key verified")
	}

	// Decoders: the real VK and proof round-trip; truncations fail cleanly.
	var vkb bytes.Buffer
	if _, err := f.set.VK.WriteTo(&vkb); err != nil {
		t.Fatal(err)
	}
	t.Logf("PLONK VK %d bytes, proof %d bytes", vkb.Len(), len(f.res.Receipt.Proof.Bytes))
	if _, err := proofsystem.ParseVerifyingKey(vkb.Bytes(), protocol.Plonk, protocol.BN254); err != nil {
		t.Fatalf("ParsePlonkVK(real key): %v", err)
	}
	for _, cut := range []int{0, 1, 20, vkb.Len() / 2, vkb.Len() - 1} {
		if _, err := proofsystem.ParseVerifyingKey(vkb.Bytes()[:cut], protocol.Plonk, protocol.BN254); err == nil {
			t.Errorf("ParsePlonkVK accepted %d of %d bytes", cut, vkb.Len())
		}
	}
	raw := f.res.Receipt.Proof.Bytes
	for _, cut := range []int{0, 31, len(raw) / 2, len(raw) - 1} {
		if _, err := proofsystem.ParseProof(raw[:cut], protocol.Plonk, protocol.BN254); err == nil {
			t.Errorf("ParsePlonkProof accepted %d of %d bytes", cut, len(raw))
		}
	}
	huge := slices.Clone(raw)
	huge[8*32] = 0xff // claimed-value count
	if _, err := proofsystem.ParseProof(huge, protocol.Plonk, protocol.BN254); err == nil {
		t.Error("ParsePlonkProof accepted a huge claimed-value count")
	}
}
