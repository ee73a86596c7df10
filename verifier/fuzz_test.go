package verifier_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
)

// FuzzVerify runs the whole verifier on arbitrary envelope bytes: every input
// gets a decode error or a verdict, never a panic or a pass for a mutation.
// Seeds are real sampled and binding receipts (cheap to make, no setup).
func FuzzVerify(f *testing.F) {
	for _, mode := range []protocol.Mode{protocol.ModeSampled, protocol.ModeBinding} {
		res := fuzzSeed(f, mode)
		raw, err := json.Marshal(res.Envelope)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	// Sampled receipts opening 8 of 64 rows, by proof of work and by challenge.
	for _, p := range []sampling.Params{{K: 8, PoWBits: 8}, {K: 8, Challenge: bytes.Repeat([]byte{0xc7}, 16)}} {
		res, err := runNative(filepath.Join(f.TempDir(), "keys"), 64, prover.Options{Mode: protocol.ModeSampled, Sampling: p})
		if err != nil {
			f.Fatal(err)
		}
		raw, err := json.Marshal(res.Envelope)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":""}]}`))
	pol := verifier.BuiltinPolicies["binding-v1"]
	seeds := map[string]bool{}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := receipt.Decode(data)
		if err != nil {
			return
		}
		if st, _, err := env.Statement(); err == nil && st.Predicate.Task.Payload.MatrixSize > 64 {
			return // keep each execution cheap: regenerating large matrices is not what is fuzzed
		}
		v := verifier.Verify(env, verifier.Options{Policy: &pol})
		if v == nil {
			t.Fatal("nil verdict")
		}
		if v.PolicyDecision.Status == verifier.Pass && !seeds[string(data)] {
			// A pass is only possible for an intact signed receipt; the
			// fuzzer may re-encode one without changing what is signed.
			if err := checkIntact(env); err != nil {
				t.Fatalf("a mutated receipt passed: %v", err)
			}
		}
	})
}

func fuzzSeed(f *testing.F, mode protocol.Mode) *prover.Result {
	f.Helper()
	dir := f.TempDir()
	res, err := makeNative(filepath.Join(dir, "keys"), 8, mode)
	if err != nil {
		f.Fatal(err)
	}
	return res
}

// checkIntact reports an error unless the envelope's signature verifies under
// the receipt's own key (the only way a pass is legitimate).
func checkIntact(env *receipt.Envelope) error {
	st, _, err := env.Statement()
	if err != nil {
		return err
	}
	pub, err := decodeKey(st.Predicate.Node.PublicKey)
	if err != nil {
		return err
	}
	return env.VerifySignature(pub)
}

// FuzzPolicy feeds arbitrary policy files to LookupPolicy: a policy or an
// error, never a panic, and an accepted policy always validates.
func FuzzPolicy(f *testing.F) {
	for _, id := range verifier.PolicyIDs() {
		raw, err := json.Marshal(verifier.BuiltinPolicies[id])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"id":"x","modes":["sampled"],"min_samples":-1}`))
	f.Add([]byte(`{"id":"pins","modes":["groth16","plonk"],"require_trusted_setup":true,"require_established_key":true,"min_contributions":2,` +
		`"trusted_keys":[{"fingerprint":"sha256:` + strings.Repeat("ab", 32) + `","circuit":"freivalds-v5","n":4,"frac_bits":8,"curve":"bn254","system":"groth16","provenance":"mpc(2+2 contributions, beacon 00)"}],` +
		`"trusted_transcripts":["sha256:` + strings.Repeat("cd", 32) + `"],"trusted_srs":["` + strings.Repeat("ef", 32) + `"]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "policy.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := verifier.LookupPolicy(path)
		if err == nil {
			if err := p.Validate(); err != nil {
				t.Fatalf("accepted an invalid policy: %v", err)
			}
		}
	})
}
