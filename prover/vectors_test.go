package prover_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math/big"
	"os"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors/v1-extended.json")

const extendedVectors = "../testdata/vectors/v1-extended.json"

// digestVector pins the Poseidon2 input commitment and output digest of one
// challenge, so independent implementations can check their packing.
type digestVector struct {
	Seed            string `json:"seed"`
	MatrixSize      int    `json:"matrix_size"`
	FracBits        int    `json:"frac_bits"`
	OutputBits      int    `json:"output_bits"`
	ResultSHA256    string `json:"result_bytes_sha256"`
	InputCommitment string `json:"input_commitment"`
	OutputDigest    string `json:"output_digest"`
	// The same digests on BLS12-381 (width-3 Poseidon2 sponge), which a
	// BLS12-381 receipt carries instead.
	InputCommitmentBLS12381 string `json:"input_commitment_bls12_381"`
	OutputDigestBLS12381    string `json:"output_digest_bls12_381"`
}

type bindingVector struct {
	Task           workload.ComputeTask `json:"task"`
	RequestID      string               `json:"request_id"`
	NodePrivSeed   string               `json:"node_ed25519_seed"`
	NodePublicKey  string               `json:"node_public_key"`
	NodeID         string               `json:"node_id"`
	OutputDigest   string               `json:"output_digest"`
	PoE            string               `json:"poe"`
	PublicInputs   []string             `json:"public_inputs"`
	WorkloadDigest string               `json:"workload_digest"`
}

// boundTaskVector pins a task that binds its inputs (payload.input_commitment
// and its algorithm), made by protocol.NewSyntheticTask on one curve, with its
// canonical JSON, request_id, and the PoE and public inputs of the binding
// vector's node and output on that curve.
type boundTaskVector struct {
	Curve        string               `json:"curve"`
	Task         workload.ComputeTask `json:"task"`
	TaskJCS      string               `json:"task_jcs"`
	RequestID    string               `json:"request_id"`
	PoE          string               `json:"poe"`
	PublicInputs []string             `json:"public_inputs"`
}

type extended struct {
	Description string            `json:"description"`
	Digests     []digestVector    `json:"digests"`
	Binding     bindingVector     `json:"binding"`
	BoundTasks  []boundTaskVector `json:"bound_tasks"`
}

func hexOf(b [32]byte) string { return hex.EncodeToString(b[:]) }

func computeExtended(t *testing.T) extended {
	t.Helper()
	seed := workload.DeriveSeed([32]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, "cpc1qzkpocexampleworker0")
	ext := extended{Description: "zkpoc v1 vectors beyond shared/vectors/v1.json: Poseidon2 digests (packing as in circuits/digest.go), PoE and public inputs, tasks that bind their input commitment per curve; regenerate with go test ./prover -run TestExtendedVectors -update"}
	for _, c := range []struct{ n, f int }{{2, 8}, {4, 8}, {4, 0}, {4, 16}, {16, 8}} {
		a, b, err := workload.Generate(seed, c.n)
		if err != nil {
			t.Fatal(err)
		}
		out, err := workload.Multiply(a, b, c.n, c.f)
		if err != nil {
			t.Fatal(err)
		}
		ic, err := protocol.InputCommitment(a, b, c.n, c.f)
		if err != nil {
			t.Fatal(err)
		}
		od, err := protocol.OutputDigest(out, c.n, c.f)
		if err != nil {
			t.Fatal(err)
		}
		icBLS, err := protocol.InputCommitmentOn(protocol.BLS12381, a, b, c.n, c.f)
		if err != nil {
			t.Fatal(err)
		}
		odBLS, err := protocol.OutputDigestOn(protocol.BLS12381, out, c.n, c.f)
		if err != nil {
			t.Fatal(err)
		}
		ext.Digests = append(ext.Digests, digestVector{
			Seed: hexOf(seed), MatrixSize: c.n, FracBits: c.f, OutputBits: protocol.OutputBits(c.n, c.f),
			ResultSHA256: hexOf(sha256sum(workload.ResultBytes(out))), InputCommitment: hexOf(ic), OutputDigest: hexOf(od),
			InputCommitmentBLS12381: hexOf(icBLS), OutputDigestBLS12381: hexOf(odBLS),
		})
	}
	// Binding of the n = 4 output to the RFC 8032 test-1 key (also v1.json's key).
	privSeed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	key := ed25519.NewKeyFromSeed(privSeed)
	task, err := workload.NewSyntheticTask("3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", seed, 4, 8, "10000000000000000000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	a, b, _ := workload.Generate(seed, 4)
	out, _ := workload.Multiply(a, b, 4, 8)
	pub, err := protocol.PublicValues(protocol.BN254, task, key.Public().(ed25519.PublicKey), a, b, out)
	if err != nil {
		t.Fatal(err)
	}
	ext.Binding = bindingVector{
		Task: task, RequestID: hexOf(pub.RequestID), NodePrivSeed: hex.EncodeToString(privSeed),
		NodePublicKey: hex.EncodeToString(key.Public().(ed25519.PublicKey)), NodeID: hexOf(pub.NodeID),
		OutputDigest: hexOf(pub.OutputDigest), PoE: hexOf(pub.PoE), PublicInputs: protocol.PublicInputStrings(pub),
		WorkloadDigest: receipt.WorkloadDigest(protocol.Freivalds.Name(), 4, 8),
	}
	for _, curve := range protocol.Curves {
		bound, err := protocol.NewSyntheticTask(curve, task.TaskID, seed, 4, 8, task.Reward, task.Deadline)
		if err != nil {
			t.Fatal(err)
		}
		jcs, err := bound.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		pub, err := protocol.PublicValues(curve, bound, key.Public().(ed25519.PublicKey), a, b, out)
		if err != nil {
			t.Fatal(err)
		}
		ext.BoundTasks = append(ext.BoundTasks, boundTaskVector{Curve: string(curve), Task: bound, TaskJCS: string(jcs),
			RequestID: hexOf(pub.RequestID), PoE: hexOf(pub.PoE), PublicInputs: protocol.PublicInputStrings(pub)})
	}
	return ext
}

// TestExtendedVectors pins our own protocol values in testdata (golden file).
func TestExtendedVectors(t *testing.T) {
	got, err := json.MarshalIndent(computeExtended(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(extendedVectors, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(extendedVectors)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("protocol values differ from %s; if the change is intended, rerun with -update and bump the protocol version", extendedVectors)
	}
}

// TestSharedVectorsReproduced checks the values shared/vectors/v1.json fixes
// for the request_id of the task above (an independent computation).
func TestSharedVectorsReproduced(t *testing.T) {
	ext := computeExtended(t)
	if ext.Binding.RequestID != "d14327e3f6c50957e335c3ed362b976c5502e436237e3de9a5d305ad576b77b7" {
		t.Errorf("request_id %s differs from shared vector", ext.Binding.RequestID)
	}
	if ext.Binding.NodeID != "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9" {
		t.Errorf("node_id %s differs from shared vector", ext.Binding.NodeID)
	}
}

// TestPublicInputsOrder: the list receipts carry equals gnark's public witness.
func TestPublicInputsOrder(t *testing.T) {
	var p protocol.Public
	for i := range p.RequestID {
		p.RequestID[i], p.NodeID[i], p.PoE[i] = byte(i), byte(2*i+1), byte(255-i)
	}
	p.InputCommitment[31] = 0x39 // 12345
	p.InputCommitment[30] = 0x30
	// r − 1, the largest BN254 scalar
	new(big.Int).Sub(ecc.BN254.ScalarField(), big.NewInt(1)).FillBytes(p.OutputDigest[:])
	a, err := circuits.PublicAssignment(protocol.Freivalds, 2, 8, p)
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(a, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	vec := w.Vector().(fr.Vector)
	got := protocol.PublicInputStrings(p)
	if len(vec) != len(got) {
		t.Fatalf("witness has %d public values, list has %d", len(vec), len(got))
	}
	for i := range vec {
		if s := vec[i].BigInt(new(big.Int)).String(); s != got[i] {
			t.Errorf("public input %d: witness %s, list %s", i, s, got[i])
		}
	}
}

func sha256sum(b []byte) [32]byte { return sha256.Sum256(b) }
