package zkpoc_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/zkpoc/zkpoc"
)

// exampleTask is a small synthetic challenge: the matrices of worker
// cpc1qexampleworker at a block, 64×64.
func exampleTask() zkpoc.Task {
	blockHash := sha256.Sum256([]byte("block 1000"))
	task, err := zkpoc.NewSyntheticTask(blockHash, "cpc1qexampleworker", 64,
		zkpoc.WithTaskID("3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20"),
		zkpoc.WithReward("1.5"),
		zkpoc.WithDeadline(time.Unix(1795000000, 0)))
	if err != nil {
		log.Fatal(err)
	}
	return task
}

// A node proves a task and anyone verifies the receipt offline. A sampled
// receipt commits to every output row and opens rows drawn by proof-of-work
// Fiat–Shamir; it needs no key setup.
func Example() {
	// A real node keeps its key in a file; a fixed one keeps this reproducible.
	node := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))

	res, err := zkpoc.Prove(context.Background(), exampleTask(), node, zkpoc.WithMode(zkpoc.ModeSampled))
	if err != nil {
		log.Fatal(err)
	}
	data, err := json.Marshal(res.Envelope) // what the node publishes
	if err != nil {
		log.Fatal(err)
	}

	// The verifier's side: bytes in, verdict out.
	env, err := zkpoc.DecodeEnvelope(data)
	if err != nil {
		log.Fatal(err)
	}
	// Policy sampled-v1 passes sampled re-execution whose error bound is at
	// most 2^-20 at ε = 5 % against an attacker with 2^64 hashes.
	v, err := zkpoc.Verify(env, zkpoc.VerifyWithPolicy("sampled-v1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.PolicyDecision.Status, len(v.Failed()))
	// Output: pass 0
}

// A binding receipt only signs the output digest: it is the node's word,
// and the verdict's claim is no larger than that.
func ExampleProve_binding() {
	node := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
	res, err := zkpoc.Prove(context.Background(), exampleTask(), node, zkpoc.WithMode(zkpoc.ModeBinding))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Receipt.Mode, res.Receipt.Proof == nil, len(res.Output))
	// The default policy (zk-dev-v1) wants a proof; binding-v1 takes the
	// node's word, and says so in the claim.
	for _, policy := range []string{"zk-dev-v1", "binding-v1"} {
		v, err := zkpoc.Verify(res.Envelope, zkpoc.VerifyWithPolicy(policy))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(policy, v.PolicyDecision.Status, v.Failed())
	}
	// Output:
	// binding true 4096
	// zk-dev-v1 reject [policy.mode]
	// binding-v1 pass []
}

// Any change to a signed receipt is caught, and the verdict names the check.
func ExampleVerify_tampered() {
	node := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	res, err := zkpoc.Prove(context.Background(), exampleTask(), node, zkpoc.WithMode(zkpoc.ModeBinding))
	if err != nil {
		log.Fatal(err)
	}
	// Claim another output: rewrite the digest inside the signed payload.
	env := *res.Envelope
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		log.Fatal(err)
	}
	payload = bytes.Replace(payload, []byte(res.Receipt.OutputDigest), []byte(sha256Hex("another output")), 1)
	env.Payload = base64.StdEncoding.EncodeToString(payload)
	v, err := zkpoc.Verify(&env)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.PolicyDecision.Status, v.Failed())
	// Output: reject [signature statement.subject]
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", h)
}
