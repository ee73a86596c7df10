package verifier_test

// Red team 3 (issue 12): the public witness the verifier builds itself, the
// one proofsystem interface over both systems and curves, key lookup
// through it, and Verdict.HoldCodes.

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// otherKey reads the verifying key of another cached circuit (the shared
// ZKPOC_TEST_KEYS cache holds them); it skips when the cache lacks it.
func otherKey(t *testing.T, c keys.Cache, id keys.ID) proofsystem.VerifyingKey {
	t.Helper()
	path := filepath.Join(c.EntryDir(id), "vk.bin")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s in the key cache (set ZKPOC_TEST_KEYS=/work/testkeys)", id)
	}
	vk, err := proofsystem.ReadVerifyingKeyFile(path, id.System, id.Curve)
	if err != nil {
		t.Fatal(err)
	}
	return vk
}

func wantReject(t *testing.T, what string, v *verifier.Verdict, checks ...string) {
	t.Helper()
	if v.PolicyDecision.Status != verifier.Reject {
		t.Errorf("%s: status %s (failed %v), want reject", what, v.PolicyDecision.Status, v.Failed())
		return
	}
	for _, c := range checks {
		if !slices.Contains(v.Failed(), c) {
			t.Errorf("%s: failed %v, want %s among them", what, v.Failed(), c)
		}
	}
	if v.HoldCodes != nil {
		t.Errorf("%s: hold codes %v on a reject", what, v.HoldCodes)
	}
}

// TestRedteam3KeyOfAnotherCurveOrSystem: the node's receipt names the
// fingerprint of a key the verifier has for another curve or system (or
// the caller gives it): the lookup or the key's Verify must refuse it.
func TestRedteam3KeyOfAnotherCurveOrSystem(t *testing.T) {
	f := getFixture(t)
	bls := otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Groth16, protocol.Freivalds, 4, 8))
	plonkBLS := otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Plonk, protocol.Freivalds, 2, 8))
	renamed := func(fp string, mutate func(r *receipt.Receipt)) *receipt.Envelope {
		return resign(t, f.env, f.key, func(st *receipt.Statement) {
			r := &st.Predicate
			r.Proof.KeyFingerprint = "sha256:" + fp
			if mutate != nil {
				mutate(r)
			}
			repoe(t, r)
		})
	}
	// a BLS12-381 Groth16 key named by a BN254 proof: found in the cache as
	// a Groth16 key for another circuit, or given
	env := renamed(bls.FingerprintHex(), nil)
	wantReject(t, "bls key from the cache", verifier.Verify(env, verifier.Options{Cache: f.cache}), "proof.verify")
	wantReject(t, "bls key given", verifier.Verify(env, verifier.Options{VK: bls}), "proof.verify")
	// a PLONK key named by a Groth16 proof
	env = renamed(plonkBLS.FingerprintHex(), nil)
	wantReject(t, "plonk key from the cache for a groth16 proof", verifier.Verify(env, verifier.Options{Cache: f.cache}), "proof.key")
	// the Groth16 receipt relabelled PLONK on BLS12-381 naming that PLONK key
	env = renamed(plonkBLS.FingerprintHex(), func(r *receipt.Receipt) {
		r.Mode, r.Proof.System, r.Proof.Curve = protocol.ModePlonk, protocol.Plonk, protocol.BLS12381
	})
	for name, o := range map[string]verifier.Options{"cache": {Cache: f.cache}, "given": {VK: plonkBLS}} {
		v := verifier.Verify(env, o)
		if v.PolicyDecision.Status != verifier.Reject {
			t.Errorf("groth16 proof relabelled plonk/bls12-381 (%s): %s %v", name, v.PolicyDecision.Status, v.Failed())
		}
	}
	// the caller's PLONK key, given for a Groth16 receipt, is ignored and
	// the cache searched: still a pass for the real receipt, never a pass
	// for a PLONK-labelled one
	if v := verifier.Verify(f.env, verifier.Options{VK: plonkBLS, Cache: f.cache}); v.PolicyDecision.Status != verifier.Pass {
		t.Errorf("plonk key given with a groth16 receipt: %s %v", v.PolicyDecision.Status, v.Failed())
	}
	if v := verifier.Verify(f.env, verifier.Options{VK: plonkBLS}); v.PolicyDecision.Status != verifier.Hold || !slices.Equal(v.HoldCodes, []string{verifier.HoldKeyNeeded}) {
		t.Errorf("plonk key only, groth16 receipt: %s codes %v failed %v", v.PolicyDecision.Status, v.HoldCodes, v.Failed())
	}
}

// TestRedteam3KeyVerifyRefusesMismatch: the proofsystem key refuses a proof
// of another curve or system and a public witness of the wrong length,
// without panicking.
func TestRedteam3KeyVerifyRefusesMismatch(t *testing.T) {
	f := getFixture(t)
	st, _, err := f.env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	rc := &st.Predicate
	proof, err := proofsystem.ParseProof(rc.Proof.Bytes, protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	bls := otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Groth16, protocol.Freivalds, 4, 8))
	plonkBLS := otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Plonk, protocol.Freivalds, 2, 8))
	pub := rc.Proof.PublicInputs
	r := protocol.BN254.ScalarField()
	if err := f.vk.Verify(proof, witnessOf(t, r, pub)); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	for name, w := range map[string]witness.Witness{
		"three inputs":  witnessOf(t, r, pub[:3]),
		"five inputs":   witnessOf(t, r, append(slices.Clone(pub), "0")),
		"poe swapped":   witnessOf(t, r, []string{pub[0], pub[1], pub[3], pub[2]}),
		"bls12-381 fr":  witnessOf(t, protocol.BLS12381.ScalarField(), pub),
		"no inputs":     witnessOf(t, r, nil),
		"digest, input": witnessOf(t, r, []string{pub[1], pub[0], pub[2], pub[3]}),
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: Verify panicked: %v", name, p)
				}
			}()
			if err := f.vk.Verify(proof, w); err == nil {
				t.Errorf("%s: verifies", name)
			}
		}()
	}
	if err := bls.Verify(proof, witnessOf(t, protocol.BLS12381.ScalarField(), pub)); err == nil {
		t.Errorf("a bn254 proof verifies under a bls12-381 key")
	}
	if err := plonkBLS.Verify(proof, witnessOf(t, protocol.BLS12381.ScalarField(), pub)); err == nil {
		t.Errorf("a groth16 proof verifies under a plonk key")
	}
	if err := f.vk.Verify(nil, witnessOf(t, r, pub)); err == nil {
		t.Errorf("a nil proof verifies")
	}
}

// TestRedteam3PublicWitnessCanonical: the verifier's own public witness
// refuses a value ≥ the curve's scalar modulus instead of reducing it (gnark's
// Fill reduces a big.Int silently, so x + r would become x). FIXED: before,
// PublicWitness reduced it.
func TestRedteam3PublicWitnessCanonical(t *testing.T) {
	var big32 [32]byte
	for i := range big32 {
		big32[i] = 0xff
	}
	for _, c := range []protocol.Curve{protocol.BN254, protocol.BLS12381} {
		if _, err := verifier.PublicWitness(c, protocol.Public{InputCommitment: big32}); err == nil {
			t.Errorf("%s: an input commitment of 2^256−1 is accepted", c)
		}
		if _, err := verifier.PublicWitness(c, protocol.Public{OutputDigest: big32}); err == nil {
			t.Errorf("%s: an output digest of 2^256−1 is accepted", c)
		}
		var x [32]byte
		c.ScalarField().FillBytes(x[:])
		if _, err := verifier.PublicWitness(c, protocol.Public{InputCommitment: x}); err == nil {
			t.Errorf("%s: an input commitment equal to the modulus is accepted", c)
		}
		if _, err := verifier.PublicWitness(c, protocol.Public{PoE: big32}); err != nil {
			t.Errorf("%s: PoE halves are 128-bit and always fit: %v", c, err)
		}
	}
}

// TestRedteam3HoldCodes: a hold names its codes, a pass or reject has none,
// and a receipt that fails a check while its key is missing is a reject
// without hold codes (a missing key never hides a failure).
func TestRedteam3HoldCodes(t *testing.T) {
	f := getFixture(t)
	v := verifier.Verify(f.env, verifier.Options{})
	if v.PolicyDecision.Status != verifier.Hold || !slices.Equal(v.HoldCodes, []string{verifier.HoldKeyNeeded}) {
		t.Errorf("no key: %s codes %v", v.PolicyDecision.Status, v.HoldCodes)
	}
	v = verifier.Verify(f.env, verifier.Options{Cache: f.cache})
	if v.PolicyDecision.Status != verifier.Pass || v.HoldCodes != nil {
		t.Errorf("pass: %s codes %v", v.PolicyDecision.Status, v.HoldCodes)
	}
	js, _ := json.Marshal(v)
	if bytes.Contains(js, []byte("hold_codes")) {
		t.Errorf("a pass's JSON names hold_codes: %s", js)
	}
	bad := resign(t, f.env, f.key, func(st *receipt.Statement) {
		r := &st.Predicate
		r.OutputDigest = flipHex(r.OutputDigest)
		repoe(t, r)
	})
	wantReject(t, "wrong output, no key", verifier.Verify(bad, verifier.Options{}))
	wantReject(t, "wrong output, key", verifier.Verify(bad, verifier.Options{Cache: f.cache}), "proof.public_inputs", "proof.verify")
	// strict policy, dev setup: held with a code, not passed
	v = verifier.Verify(f.env, verifier.Options{Cache: f.cache, Policy: policy(t, "zk-strict-v1")})
	if v.PolicyDecision.Status != verifier.Hold || len(v.HoldCodes) == 0 || !slices.IsSorted(v.HoldCodes) {
		t.Errorf("strict policy: %s codes %v failed %v", v.PolicyDecision.Status, v.HoldCodes, v.Failed())
	}
	// another node signs the same receipt: reject, no hold codes, with or
	// without the key
	other := resign(t, f.env, nil, func(st *receipt.Statement) { st.Predicate.Node.NodeID = flipHex(st.Predicate.Node.NodeID) })
	wantReject(t, "wrong node id, no key", verifier.Verify(other, verifier.Options{}))
}

// TestRedteam3NilEnvelope: verifier.Verify(nil) rejects. FIXED: it
// panicked.
func TestRedteam3NilEnvelope(t *testing.T) {
	v := verifier.Verify(nil, verifier.Options{})
	if v == nil || v.PolicyDecision.Status != verifier.Reject || v.HoldCodes != nil {
		t.Errorf("Verify(nil) = %+v", v)
	}
}

// TestRedteam3PublicInputStrings: proof.public_inputs must be exactly the
// canonical decimal strings of the recomputed inputs, in circuit order.
func TestRedteam3PublicInputStrings(t *testing.T) {
	f := getFixture(t)
	r := protocol.BN254.ScalarField()
	for name, mutate := range map[string]func(in []string) []string{
		"poe halves swapped": func(in []string) []string { return []string{in[0], in[1], in[3], in[2]} },
		"digest and input":   func(in []string) []string { return []string{in[1], in[0], in[2], in[3]} },
		"three":              func(in []string) []string { return in[:3] },
		"none":               func(in []string) []string { return nil },
		"empty list":         func(in []string) []string { return []string{} },
		"hex": func(in []string) []string {
			x, _ := new(big.Int).SetString(in[2], 10)
			in[2] = "0x" + x.Text(16)
			return in
		},
		"negative (x − r)": func(in []string) []string {
			x, _ := new(big.Int).SetString(in[2], 10)
			in[2] = x.Sub(x, r).String()
			return in
		},
		"x + 2r": func(in []string) []string {
			x, _ := new(big.Int).SetString(in[3], 10)
			in[3] = x.Add(x, new(big.Int).Lsh(r, 1)).String()
			return in
		},
		"trailing space":      func(in []string) []string { in[0] += " "; return in },
		"plus sign":           func(in []string) []string { in[1] = "+" + in[1]; return in },
		"duplicated, shifted": func(in []string) []string { return append([]string{in[0]}, in...) },
		"empty element":       func(in []string) []string { in[3] = ""; return in },
	} {
		env := resign(t, f.env, f.key, func(st *receipt.Statement) {
			p := &st.Predicate
			p.Proof.PublicInputs = mutate(slices.Clone(p.Proof.PublicInputs))
			repoe(t, p)
		})
		for oname, o := range map[string]verifier.Options{"cache": {Cache: f.cache}, "none": {}} {
			v := verifier.Verify(env, o)
			if v.PolicyDecision.Status == verifier.Pass {
				t.Errorf("%s (%s key): PASS", name, oname)
				continue
			}
			// an empty list may be refused by receipt.fields instead
			if !slices.Contains(v.Failed(), "proof.public_inputs") && !slices.Contains(v.Failed(), "receipt.fields") {
				t.Errorf("%s (%s key): %s %v, want proof.public_inputs to fail", name, oname, v.PolicyDecision.Status, v.Failed())
			}
			if v.PolicyDecision.Status == verifier.Reject && v.HoldCodes != nil {
				t.Errorf("%s: hold codes on a reject", name)
			}
		}
	}
}
