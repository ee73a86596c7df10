package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// BenchmarkSampled is the sampled fallback end to end on a bound synthetic
// task, as `zkpoc prove --mode sampled` and `zkpoc verify` run it: prove
// (generation, native product, input commitment, row tree, proof of work,
// openings, signature) and verify (regeneration, input commitment, the
// sampled rows re-executed with native.MultiplyRows, every check).
//
//	go test ./verifier -run XX -bench Sampled -benchtime 3x
func BenchmarkSampled(b *testing.B) {
	for _, n := range []int{1024, 4096} {
		task, err := protocol.NewSyntheticTask(protocol.BN254, "7c1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a21",
			workload.DeriveSeed([32]byte{9}, "cpc1qsampler"), n, 8, "5", 1795000000)
		if err != nil {
			b.Fatal(err)
		}
		o := prover.Options{Task: task, Mode: protocol.ModeSampled, NodeKey: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)),
			Cache: keys.Cache{Dir: b.TempDir()}}
		var res *prover.Result
		b.Run(fmt.Sprintf("prove/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if res, err = prover.Run(context.Background(), o); err != nil {
					b.Fatal(err)
				}
			}
		})
		if res == nil {
			continue // filtered out
		}
		b.Run(fmt.Sprintf("verify/n=%d", n), func(b *testing.B) {
			p, err := verifier.LookupPolicy("sampled-v1")
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				v := verifier.Verify(res.Envelope, verifier.Options{Policy: &p, RowProduct: native.MultiplyRows})
				if v.PolicyDecision.Status != verifier.Pass {
					b.Fatalf("status %s, failed %v", v.PolicyDecision.Status, v.Failed())
				}
			}
		})
	}
}
