package prover

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/workload"
)

// TestSampledEnvelopeSize: at the largest n a task may have, the default
// proof-of-work receipt (k = 756, 12 hashes per audit path) stays under the
// size a verifier reads, and a box too large is refused before it is
// written. The box is synthetic: no n = 4096 product is computed.
func TestSampledEnvelopeSize(t *testing.T) {
	seed := workload.DeriveSeed([32]byte{9}, "cpc1qsampler")
	task, err := workload.NewSyntheticTask("7c1f2a9e-6b7d-4e21-9a0b-5c8d7e6f1a21", seed, 16, 8, "5", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	res, err := Run(context.Background(), Options{Task: task, NodeKey: key, Cache: keys.Cache{Dir: t.TempDir()}, Mode: protocol.ModeBinding})
	if err != nil {
		t.Fatal(err)
	}
	const n, depth = workload.MaxMatrixSize, 12 // RFC 6962 audit paths at n = 4096
	box := func(k int) *receipt.Receipt {
		r := *res.Receipt
		s := &receipt.Sampling{Method: receipt.SamplingMethodPoW, Rows: n, K: k, Epsilon: 0.05, ErrorBound: 2.0592e-19,
			PoWBits: 22, Nonce: "0000000000123456"}
		for i := range k {
			s.Indices = append(s.Indices, n-1-i)
			s.Paths = append(s.Paths, slices.Repeat([]string{strings.Repeat("ab", 32)}, depth))
		}
		r.Mode, r.Sampling = protocol.ModeSampled, s
		return &r
	}
	k := sampling.DefaultParams.RowsFor(n)
	if k != 756 {
		t.Fatalf("default k at n = %d is %d, want 756", n, k)
	}
	for _, tc := range []struct {
		k  int
		ok bool
	}{{k, true}, {1200, false}} {
		r := box(tc.k)
		env, err := receipt.Sign(r, key)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(env)
		t.Logf("k = %d at n = %d: envelope %d bytes (limit %d)", tc.k, n, len(raw), receipt.MaxEnvelopeBytes)
		err = checkEnvelopeSize(env, r)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrReceiptTooLarge)) {
			t.Errorf("k = %d at n = %d: %v", tc.k, n, err)
		}
	}
}
