package verifier_test

// Red team 3 (issue 12): proofs moved between tasks and between systems.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"math/big"
	"slices"
	"testing"

	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

func statementOf(t *testing.T, env *receipt.Envelope) *receipt.Receipt {
	t.Helper()
	st, _, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	return &st.Predicate
}

// TestRedteam3AnotherTasksProof: the node proves another task of the same
// circuit (same key) and moves that proof, with or without its public
// inputs and output digest, into the receipt of the task it was paid for.
func TestRedteam3AnotherTasksProof(t *testing.T) {
	f := getFixture(t)
	seed := workload.DeriveSeed([32]byte{9, 9, 9}, testfixture.Worker)
	task, err := protocol.NewSyntheticTask(protocol.BN254, "0c6a3f1e-2b4d-4e8f-9a1c-7d5e3b2a1f09", seed, 4, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: f.key, Cache: f.cache, WorkerAddress: testfixture.Worker})
	if err != nil {
		t.Fatal(err)
	}
	if v := verifier.Verify(res.Envelope, verifier.Options{Cache: f.cache}); v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("the other task's own receipt: %s %v", v.PolicyDecision.Status, v.Failed())
	}
	donor := res.Receipt
	for name, tc := range map[string]struct {
		mutate func(r *receipt.Receipt)
		want   []string
	}{
		"proof bytes only": {func(r *receipt.Receipt) { r.Proof.Bytes = donor.Proof.Bytes }, []string{"proof.verify"}},
		"proof and public inputs": {func(r *receipt.Receipt) {
			r.Proof.Bytes, r.Proof.PublicInputs = donor.Proof.Bytes, donor.Proof.PublicInputs
		}, []string{"proof.public_inputs", "proof.verify"}},
		"proof, output digest, PoE recomputed, inputs relisted": {func(r *receipt.Receipt) {
			r.Proof.Bytes, r.OutputDigest = donor.Proof.Bytes, donor.OutputDigest
			repoe(t, r)
			ic, od, poe := [32]byte(mustHex(t, r.InputCommitment)), [32]byte(mustHex(t, r.OutputDigest)), [32]byte(mustHex(t, r.PoE))
			r.Proof.PublicInputs = protocol.PublicInputStrings(protocol.Public{InputCommitment: ic, OutputDigest: od, PoE: poe})
		}, []string{"proof.verify"}},
	} {
		t.Run(name, func(t *testing.T) {
			env := resign(t, f.env, f.key, func(st *receipt.Statement) { tc.mutate(&st.Predicate); repoe(t, &st.Predicate) })
			wantReject(t, name, verifier.Verify(env, verifier.Options{Cache: f.cache}), tc.want...)
		})
	}
}

// TestRedteam3PlonkProofAsGroth16: a real PLONK proof (n = 2 on BLS12-381,
// whose keys the shared cache holds) relabelled a Groth16 receipt, naming
// the Groth16 key of its circuit, and the reverse check: a PLONK receipt
// naming a Groth16 key.
func TestRedteam3PlonkProofAsGroth16(t *testing.T) {
	f := getFixture(t)
	blsG16 := otherKeyOrSkip(t, f)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	seed := workload.DeriveSeed([32]byte{3}, "cpc1qredteam3")
	task, err := protocol.NewSyntheticTask(protocol.BLS12381, "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d", seed, 2, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: f.cache, System: protocol.Plonk})
	if err != nil {
		t.Fatal(err)
	}
	if v := verifier.Verify(res.Envelope, verifier.Options{Cache: f.cache}); v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("the PLONK receipt: %s %v %s", v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
	}
	// the PLONK key itself refuses public witnesses of the wrong length,
	// order or field
	rc := res.Receipt
	plonkVK := otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Plonk, protocol.Freivalds, 2, 8))
	proof, err := proofsystem.ParseProof(rc.Proof.Bytes, protocol.Plonk, protocol.BLS12381)
	if err != nil {
		t.Fatal(err)
	}
	pub := rc.Proof.PublicInputs
	fr := protocol.BLS12381.ScalarField()
	if err := plonkVK.Verify(proof, witnessOf(t, fr, pub)); err != nil {
		t.Fatalf("baseline PLONK verify: %v", err)
	}
	for name, w := range map[string][]string{
		"three inputs": pub[:3], "five inputs": append(slices.Clone(pub), "0"), "five inputs, extra 1": append(slices.Clone(pub), "1"),
		"poe swapped": {pub[0], pub[1], pub[3], pub[2]}, "none": nil,
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("PLONK %s: panicked: %v", name, p)
				}
			}()
			if err := plonkVK.Verify(proof, witnessOf(t, fr, w)); err == nil {
				t.Errorf("PLONK %s: verifies", name)
			}
		}()
	}
	if err := plonkVK.Verify(proof, witnessOf(t, protocol.BN254.ScalarField(), pub)); err == nil {
		t.Errorf("PLONK: a BN254 witness verifies")
	}
	asG16 := func(fp string) *receipt.Envelope {
		return resign(t, res.Envelope, key, func(st *receipt.Statement) {
			r := &st.Predicate
			r.Mode, r.Proof.System = protocol.ModeGroth16, protocol.Groth16
			if fp != "" {
				r.Proof.KeyFingerprint = "sha256:" + fp
			}
			r.WorkloadDigest = receipt.WorkloadDigest(r.Proof.Circuit, 2, 8)
			repoe(t, r)
		})
	}
	for name, env := range map[string]*receipt.Envelope{
		"relabelled groth16, its PLONK key":         asG16(""),
		"relabelled groth16, the Groth16 n = 2 key": asG16(blsG16.FingerprintHex()),
		"relabelled groth16, the Groth16 n = 4 key": asG16(otherKey(t, f.cache, blsN4G16()).FingerprintHex()),
		"plonk, naming the bn254 Groth16 n = 4 key": resign(t, res.Envelope, key, func(st *receipt.Statement) {
			st.Predicate.Proof.KeyFingerprint = "sha256:" + f.vk.FingerprintHex()
			repoe(t, &st.Predicate)
		}),
	} {
		for oname, o := range map[string]verifier.Options{"cache": {Cache: f.cache}, "given groth16 key": {VK: blsG16}} {
			v := verifier.Verify(env, o)
			if v.PolicyDecision.Status == verifier.Pass {
				t.Errorf("%s (%s): PASS", name, oname)
			}
			if v.PolicyDecision.Status == verifier.Reject && v.HoldCodes != nil {
				t.Errorf("%s (%s): hold codes on a reject", name, oname)
			}
			t.Logf("%s (%s): %s %v", name, oname, v.PolicyDecision.Status, v.Failed())
		}
	}
}

func blsN4G16() keys.ID {
	return keys.IDFor(protocol.BLS12381, protocol.Groth16, protocol.Freivalds, 4, 8)
}

func otherKeyOrSkip(t *testing.T, f fixture) proofsystem.VerifyingKey {
	t.Helper()
	if testing.Short() {
		t.Skip("proves PLONK")
	}
	otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Plonk, protocol.Freivalds, 2, 8))
	return otherKey(t, f.cache, keys.IDFor(protocol.BLS12381, protocol.Groth16, protocol.Freivalds, 2, 8))
}

func witnessOf(t *testing.T, field *big.Int, xs []string) witness.Witness {
	t.Helper()
	w, err := witness.New(field)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan any, len(xs))
	for _, x := range xs {
		v, _ := new(big.Int).SetString(x, 10)
		ch <- v
	}
	close(ch)
	if err := w.Fill(len(xs), 0, ch); err != nil {
		t.Fatal(err)
	}
	return w
}
