package prover_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// TestBoundTasksMatchVectors: the bound tasks NewSyntheticTask makes carry
// the input commitments the digest vectors pin for the same seed and size,
// on each curve, and Inputs accepts them.
func TestBoundTasksMatchVectors(t *testing.T) {
	ext := computeExtended(t)
	for _, v := range ext.BoundTasks {
		var want string
		for _, d := range ext.Digests {
			if d.MatrixSize == 4 && d.FracBits == 8 {
				want = map[string]string{"bn254": d.InputCommitment, "bls12-381": d.InputCommitmentBLS12381}[v.Curve]
			}
		}
		if v.Task.Payload.InputCommitment != want || v.Task.CommitmentAlgorithm() != protocol.CommitmentAlgorithm(protocol.Curve(v.Curve)) {
			t.Errorf("%s: payload %+v, want input_commitment %s", v.Curve, v.Task.Payload, want)
		}
		if curve, bound, err := protocol.TaskCurve(v.Task); err != nil || !bound || string(curve) != v.Curve {
			t.Errorf("%s: TaskCurve = %s, %v, %v", v.Curve, curve, bound, err)
		}
		if _, _, err := protocol.Inputs(v.Task, nil, nil); err != nil {
			t.Errorf("%s: Inputs: %v", v.Curve, err)
		}
	}
}

// TestBoundTaskRefusals: a bound task whose carried commitment is not the
// seed's is refused naming the field, and so are binding twice, binding a
// supplied task and proving on a curve other than the task's.
func TestBoundTaskRefusals(t *testing.T) {
	seed := [32]byte{4, 2}
	bound, err := protocol.NewSyntheticTask(protocol.BN254, "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d", seed, 4, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	other, err := protocol.NewSyntheticTask(protocol.BN254, bound.TaskID, [32]byte{4, 3}, 4, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	blsValue, err := protocol.NewSyntheticTask(protocol.BLS12381, bound.TaskID, seed, 4, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, 32))
	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"another seed's commitment", func() error {
			t := bound
			t.Payload.InputCommitment = other.Payload.InputCommitment
			_, _, err := protocol.Inputs(t, nil, nil)
			return err
		}, "payload.input_commitment: " + other.Payload.InputCommitment + " is not the poseidon2-bn254-sponge16/v1 commitment"},
		{"the BLS12-381 value named as BN254's", func() error {
			t := bound
			t.Payload.InputCommitment = blsValue.Payload.InputCommitment
			_, _, err := protocol.Inputs(t, nil, nil)
			return err
		}, "payload.input_commitment: " + blsValue.Payload.InputCommitment + " is not"},
		{"the BN254 value named as BLS12-381's", func() error {
			t := blsValue
			t.Payload.InputCommitment = bound.Payload.InputCommitment
			_, _, err := protocol.Inputs(t, nil, nil)
			return err
		}, "is not the poseidon2-bls12-381-sponge3/v1 commitment"},
		{"prove with another seed's commitment", func() error {
			t := bound
			t.Payload.InputCommitment = other.Payload.InputCommitment
			_, err := prover.Run(context.Background(), prover.Options{Task: t, NodeKey: key, Mode: protocol.ModeBinding})
			return err
		}, "payload.input_commitment"},
		{"bind twice", func() error { _, err := protocol.BindInputs(bound, protocol.BN254); return err }, "already carries input_commitment"},
		{"bind a supplied task", func() error {
			s, err := workload.NewSuppliedTask(bound.TaskID, [32]byte{1}, 4, 8, "0", 1)
			if err != nil {
				return err
			}
			_, err = protocol.BindInputs(s, protocol.BN254)
			return err
		}, "already carries input_commitment"},
		{"bind on an unknown curve", func() error {
			_, err := protocol.NewSyntheticTask("secp256k1", bound.TaskID, seed, 4, 8, "0", 1)
			return err
		}, `unknown curve "secp256k1"`},
		{"prove a BN254-bound task on BLS12-381", func() error {
			_, err := prover.Run(context.Background(), prover.Options{Task: bound, NodeKey: key, Mode: protocol.ModeBinding, Curve: protocol.BLS12381})
			return err
		}, "binds its inputs with poseidon2-bn254-sponge16/v1 (payload.input_commitment_algorithm), so it is proved on bn254, not bls12-381"},
		{"prove a BLS12-381-bound task on BN254", func() error {
			_, err := prover.Run(context.Background(), prover.Options{Task: blsValue, NodeKey: key, Mode: protocol.ModeBinding, Curve: protocol.BN254})
			return err
		}, "so it is proved on bls12-381, not bn254"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.HasPrefix(tc.want, "payload.input_commitment:") && !errors.Is(err, workload.ErrInvalidTask) {
				t.Errorf("error %v does not wrap workload.ErrInvalidTask", err)
			}
		})
	}
}
