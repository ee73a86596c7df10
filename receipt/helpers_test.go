package receipt

import (
	"crypto/ed25519"
	"encoding/hex"
	"flag"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// rfc8032Seed is the secret key of RFC 8032 §7.1 TEST 1; its public key is
// the ed25519_public_key of workload/testdata/v1.json.
const rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

// testKey is a deterministic Ed25519 key (Ed25519 signatures are
// deterministic too, so every envelope built from it is reproducible).
func testKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(rfc8032Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		t.Fatalf("bad test seed: %v", err)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// otherKey is a second deterministic key (seed 0x01 × 32).
func otherKey() ed25519.PrivateKey {
	var seed [ed25519.SeedSize]byte
	for i := range seed {
		seed[i] = 0x01
	}
	return ed25519.NewKeyFromSeed(seed[:])
}

// fullReceipt returns a complete groth16 receipt that passes Validate; its
// identities are those of workload/testdata/v1.json.
func fullReceipt(t testing.TB) Receipt {
	t.Helper()
	pub := testKey(t).Public().(ed25519.PublicKey)
	id := protocol.NodeID(pub)
	r := Receipt{
		Version:         Version,
		JobID:           "job-0001",
		Mode:            protocol.ModeGroth16,
		WorkloadDigest:  WorkloadDigest("freivalds", 4, 8),
		InputCommitment: "11579208923731619542357098500868790785326998466564056403945758400790",
		OutputDigest:    "000000000000000000000000000000000000000000000000000000000000002a",
		OutputDigestAlg: protocol.OutputDigestAlgorithm(protocol.BN254),
		RequestID:       "d14327e3f6c50957e335c3ed362b976c5502e436237e3de9a5d305ad576b77b7",
		PoE:             "61e6cd147576a21b83556d533ed5f7aad9cb2874b64d4cbb90cecf755fe340cf",
		Task: workload.ComputeTask{
			TaskID:        "3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20",
			ChallengeType: workload.ChallengeMatMul,
			Payload: workload.Payload{
				Seed:       "9df48af6a66f5e432909486e67870f763fe4d8e272bb8fb9f372bd4f0a82f9c3",
				MatrixSize: 4,
				FracBits:   8,
			},
			Reward:   "10000000000000000000",
			Deadline: 1795000000,
		},
		Node: Node{PublicKey: hex.EncodeToString(pub), NodeID: hex.EncodeToString(id[:])},
		RuntimeMeasurement: &RuntimeMeasurement{
			Type: "native", Executor: "go", CPU: "test-cpu", LogicalCores: 8, Goroutines: 8,
			NativeSeconds: 0.125, ClaimLimit: "capacity context only",
		},
		BenchmarkResult: &BenchmarkResult{
			ID: "bench-1", Constraints: 1234, ProveSeconds: 1.5, SetupCached: true, ClaimLimit: "capacity context only",
		},
		AttestationResult: &AttestationResult{Status: "none", ClaimLimit: "no attestation collected"},
		Proof: &Proof{
			System:          "groth16",
			Curve:           "bn254",
			Circuit:         "freivalds",
			KeyFingerprint:  "sha256:0000000000000000000000000000000000000000000000000000000000000001",
			SetupProvenance: "local-unsafe-setup",
			Bytes:           []byte{0xde, 0xad, 0xbe, 0xef},
			PublicInputs:    []string{"1", "2", "3"},
		},
		VerifierPolicyID: "policy-v1",
		BlockedClaims:    append([]string(nil), ProverBlockedClaims...),
	}
	rid, err := r.ComputeID()
	if err != nil {
		t.Fatal(err)
	}
	r.ReceiptID = rid
	return r
}

// signedEnvelope signs fullReceipt with testKey.
func signedEnvelope(t testing.TB) *Envelope {
	t.Helper()
	r := fullReceipt(t)
	env, err := Sign(&r, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return env
}
