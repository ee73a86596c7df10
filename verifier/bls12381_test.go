package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// TestBLS12381Receipts proves a synthetic task with Groth16 and with PLONK
// (dev SRS) over BLS12-381, verifies each receipt offline, and checks that
// every curve-specific field is bound: relabelling the curve or the proof
// system, swapping in the BN254 digests or flipping a proof byte is a
// reject naming the check.
func TestBLS12381Receipts(t *testing.T) {
	if testing.Short() {
		t.Skip("needs real setups and proofs on BLS12-381")
	}
	for _, system := range []protocol.System{protocol.Groth16, protocol.Plonk} {
		t.Run(string(system), func(t *testing.T) { blsReceipt(t, system) })
	}
}

func blsReceipt(t *testing.T, system protocol.System) {
	cache, err := testfixture.KeyCache()
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x38}, 32))
	const n = 2
	task, err := workload.NewSyntheticTask("9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", workload.DeriveSeed([32]byte{3, 8, 1}, "cpc1qblsworker"), n, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, System: system, Curve: protocol.BLS12381, Progress: &progress})
	if err != nil {
		t.Fatalf("prove: %v\n%s", err, progress.String())
	}
	rc := res.Receipt
	t.Logf("%s BLS12-381 n=%d: keys %.1f s (cached %v), prove %.1f s, %d constraints, proof %d bytes",
		system, n, res.Timings.Setup.Seconds(), res.Timings.SetupCached, res.Timings.Prove.Seconds(), rc.BenchmarkResult.Constraints, len(rc.Proof.Bytes))
	if rc.Mode != protocol.SNARKMode(system) || rc.Proof.Curve != protocol.BLS12381 || rc.OutputDigestAlg != protocol.OutputDigestAlgorithm(protocol.BLS12381) {
		t.Fatalf("mode %q curve %q digest %q", rc.Mode, rc.Proof.Curve, rc.OutputDigestAlg)
	}
	a, b, _ := workload.Generate(mustSeed(t, task), n)
	bnIC, _ := protocol.InputCommitment(a, b, n, 8)
	if rc.InputCommitment == hexOf(bnIC) {
		t.Fatal("the BLS12-381 receipt carries the BN254 input commitment")
	}

	v := verifier.Verify(res.Envelope, verifier.Options{Cache: cache})
	if v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("status %s, failed %v: %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
	}
	name := map[protocol.System]string{protocol.Groth16: "Groth16 (BLS12-381)", protocol.Plonk: "PLONK (KZG, BLS12-381)"}[system]
	if !strings.Contains(v.AllowedClaim, name) || !strings.Contains(v.AllowedClaim, "could forge proofs") {
		t.Errorf("claim must name %s and the dev setup: %s", name, v.AllowedClaim)
	}
	pol := verifier.BuiltinPolicies["zk-strict-v1"]
	if v := verifier.Verify(res.Envelope, verifier.Options{Cache: cache, Policy: &pol}); v.PolicyDecision.Status != verifier.Hold {
		t.Errorf("zk-strict-v1 on a dev SRS: %s (%v)", v.PolicyDecision.Status, v.Failed())
	}
	set, err := cache.Load(keys.IDFor(protocol.BLS12381, system, protocol.Freivalds, n, 8))
	if err != nil {
		t.Fatal(err)
	}
	vk := set.VK
	given := verifier.Options{VK: vk}
	if v := verifier.Verify(res.Envelope, given); v.PolicyDecision.Status != verifier.Pass {
		t.Errorf("with the key given: %s (%v)", v.PolicyDecision.Status, v.Failed())
	}

	reID := func(st *receipt.Statement) {
		id, err := st.Predicate.ComputeID()
		if err != nil {
			t.Fatal(err)
		}
		st.Predicate.ReceiptID = id
	}
	pub, _ := key.Public().(ed25519.PublicKey)
	bnPub, err := protocol.PublicValues(protocol.BN254, task, pub, a, b, res.Output)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(st *receipt.Statement)
		failed string
	}{
		{"curve relabelled bn254", func(st *receipt.Statement) { st.Predicate.Proof.Curve = "bn254" }, "output_digest_algorithm"},
		{"BN254 digests and PoE swapped in", func(st *receipt.Statement) {
			st.Predicate.InputCommitment = hexOf(bnPub.InputCommitment)
			st.Predicate.OutputDigest = hexOf(bnPub.OutputDigest)
			st.Predicate.PoE = hexOf(bnPub.PoE)
			st.Predicate.Proof.PublicInputs = protocol.PublicInputStrings(bnPub)
			st.Subject[0].Digest = map[string]string{receipt.DigestAlgorithmBLS12381: st.Predicate.InputCommitment}
			st.Subject[1].Digest = map[string]string{receipt.DigestAlgorithmBLS12381: st.Predicate.OutputDigest}
		}, "input_commitment"},
		{"flipped proof byte", func(st *receipt.Statement) {
			p := slices.Clone(st.Predicate.Proof.Bytes)
			p[len(p)/2] ^= 1
			st.Predicate.Proof.Bytes = p
		}, "proof.verify"},
		{"proof system relabelled", func(st *receipt.Statement) {
			other := map[protocol.System]protocol.System{protocol.Groth16: protocol.Plonk, protocol.Plonk: protocol.Groth16}[system]
			st.Predicate.Mode, st.Predicate.Proof.System = protocol.SNARKMode(other), other
		}, "proof.key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := resign(t, res.Envelope, key, func(st *receipt.Statement) { tc.mutate(st); reID(st) })
			v := verifier.Verify(env, verifier.Options{Cache: cache})
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.failed) {
				t.Fatalf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.failed)
			}
		})
	}
	if _, err := proofsystem.ParseProof(rc.Proof.Bytes, protocol.Plonk, protocol.BN254); err == nil {
		t.Error("the BN254 PLONK proof reader accepted a BLS12-381 proof")
	}
	if _, err := proofsystem.ParseProof(rc.Proof.Bytes, protocol.Groth16, protocol.BN254); err == nil {
		t.Error("the BN254 Groth16 proof reader accepted a BLS12-381 proof")
	}
}

func mustSeed(t *testing.T, task workload.ComputeTask) [32]byte {
	t.Helper()
	s, err := task.SeedBytes()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hexOf(b [32]byte) string { return hex.EncodeToString(b[:]) }
