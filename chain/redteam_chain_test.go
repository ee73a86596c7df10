package chain

import (
	"encoding/base64"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

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

// TestRedteamWorkerAddressBound (issue 11 item 6, in part; was a finding):
// a ComputeResult names the worker whose address the synthetic task's seed
// is derived from (seed = SHA-256(block_hash ‖ worker_address)), but nothing
// tied the worker_address FromReceipt (and `zkpoc root --worker`) wrote to
// the receipt: node B's receipt went into a ComputeResult naming any
// worker, and the light client accepted it. Whoever submitted first could
// claim B's result under its own address. Now the address comes from the
// receipt, signed by the node (node.worker_address), or for a receipt that
// signs none, from the task's seed at a given block hash; the light client
// checks it against what its binding knows.
func TestRedteamWorkerAddressBound(t *testing.T) {
	f := getFixture(t)
	const thief = "cpc1qsomeoneelse"
	blockHash := testfixture.BlockHash
	if s := workload.DeriveSeed(blockHash, thief); s == workload.DeriveSeed(blockHash, fixtureWorker) {
		t.Fatal("seeds collide")
	}
	honest, err := FromReceipt(f.env, "")
	if err != nil || honest.WorkerAddress != fixtureWorker {
		t.Fatalf("the signed address is not taken: %+v, %v", honest, err)
	}
	if c, err := FromReceiptForBlock(f.env, fixtureWorker, blockHash); err != nil || !reflect.DeepEqual(c, honest) {
		t.Errorf("with the block hash: %+v, %v", c, err)
	}
	// The same receipt, signing no worker address (a receipt made before
	// node.worker_address existed): its address comes from the seed.
	unsigned, _ := resignedReceipt(t, func(r *receipt.Receipt) { r.Node.WorkerAddress = "" })
	if c, err := FromReceiptForBlock(unsigned, fixtureWorker, blockHash); err != nil || c.WorkerAddress != fixtureWorker {
		t.Errorf("unsigned address, checked against the seed: %+v, %v", c, err)
	}
	// The node signed the thief's address, but the seed is the fixture worker's.
	signedThief, _ := resignedReceipt(t, func(r *receipt.Receipt) { r.Node.WorkerAddress = thief })
	refused := func(what string, err error, want string) {
		t.Helper()
		if !errors.Is(err, ErrWorkerAddress) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want ErrWorkerAddress naming %q", what, err, want)
		}
	}
	_, err = FromReceipt(f.env, thief)
	refused("another address than the signed one", err, "node.worker_address")
	_, err = FromReceiptForBlock(f.env, thief, blockHash)
	refused("another address than the signed one, with the block hash", err, "node.worker_address")
	_, err = FromReceiptForBlock(f.env, "", [32]byte{9})
	refused("the signed address at another block", err, "payload.seed")
	_, err = FromReceiptForBlock(signedThief, "", blockHash)
	refused("a signed address the seed was not derived for", err, "payload.seed")
	_, err = FromReceipt(unsigned, fixtureWorker)
	refused("no signed address, no block hash", err, "signs no node.worker_address")
	_, err = FromReceipt(unsigned, "")
	refused("no signed address, none given", err, "signs no node.worker_address")
	_, err = FromReceiptForBlock(unsigned, thief, blockHash)
	refused("no signed address, another worker's", err, "payload.seed")
	// A supplied task has no seed: without a signed address nothing binds it.
	supplied := *f.rc
	supplied.Node.WorkerAddress = ""
	supplied.Task.Payload.Seed = ""
	_, err = resultWorker(&supplied, fixtureWorker, &blockHash)
	refused("supplied task, no signed address", err, "supplied matrices")
	supplied.Node.WorkerAddress = fixtureWorker
	if w, err := resultWorker(&supplied, "", nil); err != nil || w != fixtureWorker {
		t.Errorf("supplied task, signed address: %q, %v", w, err)
	}

	// The light client: B's result copied under the thief's address.
	stolen := honest
	stolen.WorkerAddress = thief
	b := f.binding(t) // carries the signed node.worker_address
	if b.WorkerAddress != fixtureWorker {
		t.Fatalf("ReceiptBinding: worker address %q", b.WorkerAddress)
	}
	if _, err := VerifyComputeResult(honest, b, f.vk); err != nil {
		t.Fatalf("honest result: %v", err)
	}
	_, err = VerifyComputeResult(stolen, b, f.vk)
	refused("light client, signed address known", err, "node.worker_address")
	seedOnly := Binding{Task: b.Task, NodeID: b.NodeID, BlockHash: &blockHash, KeyCircuit: b.KeyCircuit}
	if _, err := VerifyComputeResult(honest, seedOnly, f.vk); err != nil {
		t.Errorf("honest result, block hash known: %v", err)
	}
	_, err = VerifyComputeResult(stolen, seedOnly, f.vk)
	refused("light client, block hash known", err, "payload.seed")
	// The documented limit: knowing neither, the light client cannot tell.
	if _, err := VerifyComputeResult(stolen, Binding{Task: b.Task, NodeID: b.NodeID, KeyCircuit: b.KeyCircuit}, f.vk); err != nil {
		t.Errorf("light client knowing neither address nor block hash: %v (the doc says it cannot check)", err)
	}
	bad := honest
	bad.WorkerAddress = "cpc1q worker"
	_, err = VerifyComputeResult(bad, b, f.vk)
	refused("an address with a space", err, "worker_address")
}

// TestRedteamComputeProofCircuitChecked (item 4): the circuit id a
// zk_compute_proof names is compared with the circuit the light client's key
// was established for: a proof relabelled "naive-v5" does not verify under
// the freivalds-v5 key, and nothing verifies without a key circuit.
func TestRedteamComputeProofCircuitChecked(t *testing.T) {
	f := getFixture(t)
	cp, err := ComputeProofFromReceipt(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	cp.Circuit = protocol.Naive.Name()
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
	if _, err := VerifyComputeResult(c, f.binding(t), f.vk); !errors.Is(err, ErrBinding) || !strings.Contains(err.Error(), "names circuit") {
		t.Errorf("a zk_compute_proof naming circuit %s under the %s key: err = %v, want ErrBinding naming the circuit", protocol.Naive.Name(), protocol.Freivalds.Name(), err)
	}
	honest, err := FromReceipt(f.env, fixtureWorker)
	if err != nil {
		t.Fatal(err)
	}
	unknown := f.binding(t)
	unknown.KeyCircuit = ""
	if _, err := VerifyComputeResult(honest, unknown, f.vk); !errors.Is(err, ErrBinding) || !strings.Contains(err.Error(), "KeyCircuit") {
		t.Errorf("no key circuit: err = %v, want ErrBinding naming KeyCircuit", err)
	}
}
