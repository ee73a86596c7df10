package chain

import (
	"encoding/base64"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/workload"
)

// Red-team tests: see verifier/redteam_helpers_test.go for the convention.
// TestRedteamFinding_* tests demonstrate attacks that currently succeed and
// are skipped ("FINDING: …") unless ZKPOC_REDTEAM_FINDINGS=1.
func redteamFinding(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("ZKPOC_REDTEAM_FINDINGS") == "" {
		t.Skip("FINDING: " + msg + " (run with ZKPOC_REDTEAM_FINDINGS=1 to see it fail)")
	}
}

// TestRedteamChainNonCanonicalInputs: a zk_compute_proof whose public inputs
// are x + r (the same field elements for a pairing check that reduces them,
// other numbers for a contract that compares them) is refused by Encode,
// by DecodeComputeProof on hand-made bytes, and as decimal public inputs.
func TestRedteamChainNonCanonicalInputs(t *testing.T) {
	f := getFixture(t)
	cp, err := ComputeProofFromReceipt(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := cp.Encode()
	if err != nil {
		t.Fatal(err)
	}
	r := ecc.BN254.ScalarField()
	for i := range cp.PublicInputs {
		x := new(big.Int).Add(new(big.Int).SetBytes(cp.PublicInputs[i][:]), r)
		if x.BitLen() > 256 {
			continue
		}
		bad := *cp
		bad.PublicInputs = append([][32]byte(nil), cp.PublicInputs...)
		x.FillBytes(bad.PublicInputs[i][:])
		if _, err := bad.Encode(); err == nil {
			t.Errorf("public input %d + r encoded", i)
		}
		raw := append([]byte(nil), enc...)
		off := len(raw) - 32*(len(cp.PublicInputs)-i)
		copy(raw[off:off+32], bad.PublicInputs[i][:])
		if _, err := DecodeComputeProof(raw); err == nil {
			t.Errorf("public input %d + r decoded", i)
		}
		if _, err := ParseFieldElement(x.String()); err == nil {
			t.Errorf("decimal public input %d + r parsed", i)
		}
		if _, err := Calldata(f.rc.Proof.Bytes, append(append([]string(nil), f.rc.Proof.PublicInputs[:i]...), append([]string{x.String()}, f.rc.Proof.PublicInputs[i+1:]...)...)); err == nil {
			t.Errorf("calldata with public input %d + r", i)
		}
	}
}

// TestRedteamLightClient: a light client given a real ComputeResult checks
// it against the wrong task, node or result hash: each is refused.
func TestRedteamLightClient(t *testing.T) {
	f := getFixture(t)
	honest, err := FromReceipt(f.env, fixtureWorker)
	if err != nil {
		t.Fatal(err)
	}
	good := f.binding(t)
	if _, err := VerifyComputeResult(honest, good, f.vk); err != nil {
		t.Fatalf("honest result: %v", err)
	}
	seed, _ := good.Task.SeedBytes()
	otherSeedTask, err := workload.NewSyntheticTask(good.Task.TaskID, seed, 4, 8, "1000", good.Task.Deadline)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		c      func() ComputeResult
		b      func() Binding
		target error
	}{
		{"result_hash in upper case", func() ComputeResult { c := honest; c.ResultHash = strings.ToUpper(c.ResultHash); return c }, func() Binding { return good }, ErrInvalidResult},
		{"task_id of another task", func() ComputeResult { c := honest; c.TaskID = "11111111-1111-4111-8111-111111111111"; return c }, func() Binding { return good }, ErrInvalidResult},
		{"the same proof for a v1 task of the same seed", func() ComputeResult { return honest }, func() Binding { b := good; b.Task = otherSeedTask; return b }, ErrUnboundTask},
		{"proof base64 not strict (padding bits)", func() ComputeResult {
			c := honest
			s := *c.Proof
			// flip the unused low bits of the last base64 digit before '='
			i := strings.IndexByte(s, '=') - 1
			if i < 0 {
				i = len(s) - 1
			}
			b := []byte(s)
			b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", b[i])+1)%64]
			s = string(b)
			c.Proof = &s
			return c
		}, func() Binding { return good }, nil},
		{"10 MB proof field", func() ComputeResult {
			c := honest
			s := strings.Repeat("A", 10<<20)
			c.Proof = &s
			return c
		}, func() Binding { return good }, ErrComputeProof},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := VerifyComputeResult(tc.c(), tc.b(), f.vk)
			if err == nil {
				t.Fatalf("accepted")
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("refused, but not with %v: %v", tc.target, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestRedteamFinding_WorkerAddressNotBound (issue 11 item 6, in part): a
// ComputeResult names the worker whose address the synthetic task's seed is
// derived from (seed = SHA-256(block_hash ‖ worker_address)), but nothing
// ties the worker_address FromReceipt (and `zkpoc root --worker`) writes to
// the receipt: node B's receipt goes into a ComputeResult naming any worker,
// and the light client accepts it (worker_address is not an input of
// VerifyComputeResult, and the node's signature does not cover it). Whoever
// submits first can claim B's result under its own address. Expected:
// refused unless the address is the one the task's seed was derived from.
func TestRedteamFinding_WorkerAddressNotBound(t *testing.T) {
	redteamFinding(t, "FromReceipt / root --worker accept any worker address for a receipt; the light client does not check it")
	f := getFixture(t)
	const thief = "cpc1qsomeoneelse"
	blockHash := [32]byte{1, 2, 3} // the fixture's
	if s := workload.DeriveSeed(blockHash, thief); s == workload.DeriveSeed(blockHash, fixtureWorker) {
		t.Fatal("seeds collide")
	}
	c, err := FromReceipt(f.env, thief)
	if err == nil {
		if _, err := VerifyComputeResult(c, f.binding(t), f.vk); err == nil {
			t.Errorf("a ComputeResult naming worker %q for a task seeded from worker %q is built and verifies", thief, fixtureWorker)
		}
	}
}

// TestRedteamFinding_ComputeProofCircuitUnchecked (item 4, noted only): the
// circuit id a zk_compute_proof names is never compared with the key: a
// proof relabelled "naive-v5" verifies under the freivalds-v5 key.
func TestRedteamFinding_ComputeProofCircuitUnchecked(t *testing.T) {
	redteamFinding(t, "item 4: zk_compute_proof's circuit id is not checked against the verifying key")
	f := getFixture(t)
	cp, err := ComputeProofFromReceipt(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	cp.Circuit = circuits.Naive.Name()
	enc, err := cp.Encode()
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromReceipt(f.env, fixtureWorker)
	if err != nil {
		t.Fatal(err)
	}
	s := base64.StdEncoding.EncodeToString(enc)
	c.Proof = &s
	if _, err := VerifyComputeResult(c, f.binding(t), f.vk); err == nil {
		t.Errorf("a zk_compute_proof naming circuit %s verified under the %s key", circuits.Naive.Name(), circuits.Freivalds.Name())
	}
}
