package prover_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRedteamLateCommitmentCheck: the input commitment is now checked after
// the product, in the background; matrices that are not the task's (a
// supplied task given other files, a bound synthetic task naming another
// seed's or another curve's commitment) still get no receipt, no proof and
// no committed root, in every mode and through Commit, on either curve.
func TestRedteamLateCommitmentCheck(t *testing.T) {
	const n, f = 8, 8
	const id = "2b3c4d5e-6f70-4a1b-8c2d-3e4f5a6b7c8d"
	a, b, err := workload.Generate([32]byte{7, 7}, n)
	if err != nil {
		t.Fatal(err)
	}
	b2 := append([]int16(nil), b...)
	b2[n*n-1] ^= 1
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, 32))
	type input struct {
		name string
		task workload.ComputeTask
		a, b []int16
		want func(error) bool
	}
	var cases []input
	for _, curve := range []protocol.Curve{protocol.BN254, protocol.BLS12381} {
		ic, err := protocol.InputCommitmentOn(curve, a, b, n, f)
		if err != nil {
			t.Fatal(err)
		}
		sup, err := workload.NewSuppliedTask(id, ic, n, f, "1", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		if curve == protocol.BN254 { // a supplied task is named by its BN254 commitment only (Validate)
			mismatch := func(err error) bool { return errors.Is(err, protocol.ErrInputsMismatch) }
			cases = append(cases,
				input{string(curve) + " supplied, B changed", sup, a, b2, mismatch},
				input{string(curve) + " supplied, A and B swapped", sup, b, a, mismatch})
		}
		bound, err := protocol.NewSyntheticTask(curve, id, [32]byte{7, 7}, n, f, "1", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		otherSeed, err := protocol.NewSyntheticTask(curve, id, [32]byte{7, 8}, n, f, "1", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		tampered := bound
		tampered.Payload.InputCommitment = otherSeed.Payload.InputCommitment
		field := func(err error) bool { return err != nil && strings.Contains(err.Error(), "payload.input_commitment") }
		cases = append(cases, input{string(curve) + " bound, another seed's commitment", tampered, nil, nil, field})
		icOther, err := protocol.InputCommitmentOn(curve, a, b2, n, f)
		if err != nil {
			t.Fatal(err)
		}
		otherMatrices := bound
		otherMatrices.Payload.InputCommitment = hex.EncodeToString(icOther[:]) // B with one entry changed
		cases = append(cases, input{string(curve) + " bound, other matrices' commitment", otherMatrices, nil, nil, field})
		crossCurve := bound // the seed's matrices' commitment over the other curve
		for _, oc := range []protocol.Curve{protocol.BN254, protocol.BLS12381} {
			if oc != curve {
				x, _ := protocol.InputCommitmentOn(oc, a, b, n, f)
				crossCurve.Payload.InputCommitment = hex.EncodeToString(x[:])
			}
		}
		cases = append(cases, input{string(curve) + " bound, the other curve's commitment", crossCurve, nil, nil, field})
	}
	modes := []protocol.Mode{protocol.ModeSampled, protocol.ModeBinding, protocol.ModeGroth16, protocol.ModePlonk, prover.ModeAuto}
	for _, c := range cases {
		for _, mode := range modes {
			o := prover.Options{Task: c.task, A: c.a, B: c.b, Mode: mode, NodeKey: key, Cache: keys.Cache{Dir: t.TempDir()},
				Sampling: sampling.Params{Epsilon: 0.25, K: 4, PoWBits: 4}}
			res, err := prover.Run(context.Background(), o)
			if res != nil || !c.want(err) {
				t.Errorf("%s, mode %q: result %v, error %v", c.name, mode, res != nil, err)
			}
		}
		com, err := prover.Commit(prover.Options{Task: c.task, A: c.a, B: c.b, NodeKey: key, Cache: keys.Cache{Dir: t.TempDir()}})
		if com != nil || !c.want(err) {
			t.Errorf("%s, Commit: committed %v, error %v", c.name, com != nil, err)
		}
	}
}

// TestRedteamReceiptCommitmentCurve: a sampled receipt carries the BN254
// input commitment even when the task binds its inputs over BLS12-381 (the
// reused commitment is the task's curve's only when the receipt's is the
// same), and the task's own when it is BN254.
func TestRedteamReceiptCommitmentCurve(t *testing.T) {
	const n, f = 8, 8
	const id = "3c4d5e6f-7081-4a1b-8c2d-3e4f5a6b7c8d"
	seed := [32]byte{5, 5}
	a, b, err := workload.Generate(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	want, err := protocol.InputCommitmentOn(protocol.BN254, a, b, n, f)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, 32))
	for _, curve := range []protocol.Curve{protocol.BN254, protocol.BLS12381} {
		task, err := protocol.NewSyntheticTask(curve, id, seed, n, f, "1", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []protocol.Mode{protocol.ModeSampled, protocol.ModeBinding} {
			res, err := prover.Run(context.Background(), prover.Options{Task: task, Mode: mode, NodeKey: key,
				Cache: keys.Cache{Dir: t.TempDir()}, Sampling: sampling.Params{Epsilon: 0.25, K: 4, PoWBits: 4}})
			if err != nil {
				t.Fatalf("%s %s: %v", curve, mode, err)
			}
			if got := res.Receipt.InputCommitment; got != hex.EncodeToString(want[:]) {
				t.Errorf("task on %s, %s receipt: input_commitment %s, want the BN254 commitment %x", curve, mode, got, want)
			}
		}
	}
}
