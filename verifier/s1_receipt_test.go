package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// freivalds-s2 in receipts: prover.Run with Method protocol.Synthetic, and
// the verifier's checkProof for it (syntheticStatement), against a node
// that edits and re-signs its own receipt. Real BN254 Groth16 at n = 4.

// s1Receipt proves task with freivalds-s2 through prover.Run.
func s1Receipt(t *testing.T, cache keys.Cache, task workload.ComputeTask, key ed25519.PrivateKey) *prover.Result {
	t.Helper()
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, Method: protocol.Synthetic, Mode: protocol.ModeGroth16})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// s1BoundTask is a synthetic n = 4 task carrying its BN254 input commitment.
func s1BoundTask(t *testing.T, id string) workload.ComputeTask {
	t.Helper()
	task, err := protocol.NewSyntheticTask(protocol.BN254, id, [32]byte{0x51, 4}, 4, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// s1Honest is an honest freivalds-s2 receipt for the bound task id, signed
// by the node key drawn from seed, with the cache that holds its keys.
func s1Honest(t *testing.T, seed byte, id string) (keys.Cache, ed25519.PrivateKey, workload.ComputeTask, *prover.Result) {
	t.Helper()
	cache := s1Cache(t)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	task := s1BoundTask(t, id)
	return cache, key, task, s1Receipt(t, cache, task, key)
}

// reseal applies mutate to a copy of env's receipt, recomputes its
// receipt_id and signs it with key: what a malicious node can always do.
func reseal(t *testing.T, env *receipt.Envelope, key ed25519.PrivateKey, mutate func(r *receipt.Receipt)) *receipt.Envelope {
	t.Helper()
	st, _, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	r := st.Predicate
	p := *r.Proof
	p.PublicInputs = slices.Clone(p.PublicInputs)
	r.Proof = &p
	mutate(&r)
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		t.Fatal(err)
	}
	out, err := receipt.Sign(&r, key)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSyntheticReceipt(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	cache, key, task, res := s1Honest(t, 0x51, "5e1a7e57-5100-4000-8000-000000000004")
	rc := res.Receipt
	if rc.Proof.Circuit != protocol.SyntheticCircuitID || len(rc.Proof.PublicInputs) != 4 || rc.Mode != protocol.ModeGroth16 {
		t.Fatalf("receipt: circuit %s, %d public inputs, mode %s; want freivalds-s2, 4, groth16", rc.Proof.Circuit, len(rc.Proof.PublicInputs), rc.Mode)
	}
	opts := verifier.Options{Cache: cache}
	v := verifier.Verify(res.Envelope, opts)
	if v.PolicyDecision.Status != verifier.Pass {
		t.Fatalf("honest freivalds-s2 receipt: %s (failed %v)", v.PolicyDecision.Status, v.Failed())
	}
	if !strings.Contains(v.AllowedClaim, "is the correct fixed-point product") || !strings.Contains(v.AllowedClaim, "computed uᵀ·A·B·v itself") {
		t.Errorf("claim does not state the product and who computed the A·B side: %s", v.AllowedClaim)
	}
	if !slices.ContainsFunc(v.BlockedClaims, func(c string) bool { return strings.Contains(c, "chain contract") }) {
		t.Errorf("blocked claims lack the chain verifier: %v", v.BlockedClaims)
	}
	for _, what := range []chain.Export{chain.ExportCalldata, chain.ExportComputeProof} {
		if err := chain.CheckExportable(rc, what); !errors.Is(err, chain.ErrNotExportable) {
			t.Errorf("export %d of a freivalds-s2 receipt: %v, want ErrNotExportable", what, err)
		}
	}
	if _, err := chain.ComputeProofFromReceipt(rc); err == nil {
		t.Error("zk_compute_proof of a freivalds-s2 receipt: no error")
	}

	// The node's own edits, re-signed.
	s, _ := new(big.Int).SetString(rc.Proof.PublicInputs[1], 10)
	v5 := protocol.Freivalds.Name()
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		checks []string
	}{
		{"s + 1 listed", func(r *receipt.Receipt) { r.Proof.PublicInputs[1] = new(big.Int).Add(s, big.NewInt(1)).String() }, []string{"proof.public_inputs"}},
		{"s + p listed (not canonical)", func(r *receipt.Receipt) {
			r.Proof.PublicInputs[1] = new(big.Int).Add(s, protocol.BN254.ScalarField()).String()
		}, []string{"proof.public_inputs"}},
		{"another output digest, PoE recomputed", func(r *receipt.Receipt) {
			d, _ := receipt.DecodeHex32("output_digest", r.OutputDigest)
			d[31] ^= 1
			reqID, _ := r.Task.RequestID()
			poe := protocol.PoE(reqID, d, protocol.NodeID(key.Public().(ed25519.PublicKey)))
			r.OutputDigest, r.PoE = hexOf(d), hexOf(poe)
			r.Proof.PublicInputs[0] = new(big.Int).SetBytes(d[:]).String()
			r.Proof.PublicInputs[2], r.Proof.PublicInputs[3] = protocol.Halves(poe)[0].String(), protocol.Halves(poe)[1].String()
		}, []string{"proof.verify"}},
		{"relabelled freivalds-v5", func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = v5, receipt.WorkloadDigest(v5, 4, 8)
		}, []string{"proof.public_inputs"}},
		{"relabelled plonk", func(r *receipt.Receipt) { r.Mode, r.Proof.System = protocol.ModePlonk, protocol.Plonk }, []string{"proof.circuit"}},
		{"proof bytes truncated", func(r *receipt.Receipt) { r.Proof.Bytes = r.Proof.Bytes[:len(r.Proof.Bytes)-40] }, []string{"proof.verify"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(reseal(t, res.Envelope, key, tc.mutate), opts)
			wantReject(t, tc.name, v, tc.checks...)
		})
	}

	// A freivalds-v5 receipt relabelled freivalds-s2: its key is this
	// cache's freivalds-v5 key, so the s1 statement is refused by the key's
	// circuit (and the public inputs' count).
	t.Run("freivalds-v5 receipt relabelled freivalds-s2", func(t *testing.T) {
		v5res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, Mode: protocol.ModeGroth16})
		if err != nil {
			t.Fatal(err)
		}
		s1 := protocol.SyntheticCircuitID
		env := reseal(t, v5res.Envelope, key, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = s1, receipt.WorkloadDigest(s1, 4, 8)
		})
		v := verifier.Verify(env, opts)
		wantReject(t, "v5 as s1", v, "proof.public_inputs", "proof.key_circuit")
	})

	// A supplied task's receipt cannot name freivalds-s2: nothing
	// regenerates its matrices (the prover refuses too).
	t.Run("supplied task", func(t *testing.T) {
		a, b, err := protocol.Matrices(task, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		sup, err := protocol.NewSuppliedTask("5e1a7e57-5100-4000-8000-00000000005a", workload.Matrix{N: 4, Data: a}, workload.Matrix{N: 4, Data: b}, 8, "1000", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		_, err = prover.Run(context.Background(), prover.Options{Task: sup, NodeKey: key, Cache: cache, Method: protocol.Synthetic, A: a, B: b})
		if !errors.Is(err, protocol.ErrUnsupported) {
			t.Fatalf("prove a supplied task with freivalds-s2: %v, want ErrUnsupported", err)
		}
		env := reseal(t, res.Envelope, key, func(r *receipt.Receipt) {
			r.Task, r.JobID = sup, sup.TaskID
			reqID, _ := sup.RequestID()
			r.RequestID = hexOf(reqID)
			d, _ := receipt.DecodeHex32("output_digest", r.OutputDigest)
			poe := protocol.PoE(reqID, d, protocol.NodeID(key.Public().(ed25519.PublicKey)))
			r.PoE = hexOf(poe)
		})
		v := verifier.Verify(env, verifier.Options{Cache: cache, A: a, B: b})
		wantReject(t, "supplied s1", v, "proof.circuit")
	})
}

// TestSyntheticReceiptKeyOfAnotherF: the attack TestRedteamS1KeyOfAnotherF
// shows VerifySynthetic cannot see (s does not depend on f), made through a
// receipt: a node proves C₀ = A·B unscaled with the freivalds-s2 key for
// f = 0 and signs it as its answer to the f = 8 task. A verifier that knows
// the key from its cache knows its circuit is (n = 4, f = 0) and rejects
// (proof.key_circuit); one given the key as a bare file does not know its
// circuit, and its claim says nothing about the output.
func TestSyntheticReceiptKeyOfAnotherF(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	cache, key, task, res := s1Honest(t, 0x52, "5e1a7e57-5200-4000-8000-000000000004")
	const f0 = 0
	set, _, err := setup.LoadOrSetup(cache, keys.SyntheticIDFor(4, f0), prover.CompileSynthetic(4, f0), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := protocol.Matrices(task, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c0, err := native.Executors()[0].Multiply(a, b, 4, f0) // A·B unscaled
	if err != nil {
		t.Fatal(err)
	}
	var p protocol.Public
	p.NodeID = protocol.NodeID(key.Public().(ed25519.PublicKey))
	if p.RequestID, err = task.RequestID(); err != nil {
		t.Fatal(err)
	}
	if p.OutputDigest, err = protocol.OutputDigestOn(protocol.BN254, c0, 4, f0); err != nil {
		t.Fatal(err)
	}
	p.PoE = protocol.PoE(p.RequestID, p.OutputDigest, p.NodeID)
	proof, s := proveS1At(t, set, a, b, c0, p, f0)
	var pb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	env := reseal(t, res.Envelope, key, func(r *receipt.Receipt) {
		r.OutputDigest, r.PoE = hexOf(p.OutputDigest), hexOf(p.PoE)
		r.Proof.Bytes = pb.Bytes()
		r.Proof.KeyFingerprint = "sha256:" + set.Meta.Fingerprint
		r.Proof.PublicInputs = protocol.SyntheticPublicInputStrings(p, s)
	})
	v := verifier.Verify(env, verifier.Options{Cache: cache})
	wantReject(t, "f = 0 key from the cache", v, "proof.key_circuit")

	v = verifier.Verify(env, verifier.Options{VK: set.VK})
	if strings.Contains(v.AllowedClaim, "is the correct fixed-point product") {
		t.Errorf("f = 0 key given as a file: the claim states the product: %s", v.AllowedClaim)
	}
	t.Logf("f = 0 key given as a file: %s, claim: %s", v.PolicyDecision.Status, v.AllowedClaim)
}

// proveS1At proves freivalds-s2 at fracBits f for c (which need not be
// the task's f) with the key set, as a malicious node would.
func proveS1At(t *testing.T, set *keys.Set, a, b []int16, c []int64, p protocol.Public, f int) (*groth16bn254.Proof, *big.Int) {
	t.Helper()
	assignment, err := circuits.AssignSynthetic(4, f, a, b, c, p, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	mask, err := circuits.NewSyntheticMask()
	if err != nil {
		t.Fatal(err)
	}
	pk := set.PK.(groth16.ProvingKey)
	r, err := circuits.SyntheticChallengeGroth16(set.CCS, pk, assignment, mask)
	if err != nil {
		t.Fatal(err)
	}
	if assignment.S, err = protocol.SyntheticCheck(protocol.BN254, r, a, b, 4); err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(assignment, protocol.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, pk, w, mask.ProverOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	return proof.(*groth16bn254.Proof), assignment.S.(*big.Int)
}
