package verifier_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

// TestRealProverRefusesMaliciousWitness runs malicious assignments through
// the real Groth16 prover with the real keys (the circuits package checks
// the same families with gnark's test engine): no proof may come out.
func TestRealProverRefusesMaliciousWitness(t *testing.T) {
	f := getFixture(t)
	set, err := f.cache.Load(keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, 4, 8))
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := f.env.Statement()
	task := st.Predicate.Task
	seed, _ := task.SeedBytes()
	a, b, _ := workload.Generate(seed, 4)
	c, _ := workload.Multiply(a, b, 4, 8)
	pub, err := protocol.PublicValues(protocol.BN254, task, f.key.Public().(ed25519.PublicKey), a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	honest := func() *circuits.MatMul {
		w, err := circuits.Assign(protocol.Freivalds, 4, 8, a, b, c, pub)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	add := func(v frontend.Variable, d int64) *big.Int {
		x := new(big.Int)
		switch t := v.(type) {
		case *big.Int:
			x.Set(t)
		case int64:
			x.SetInt64(t)
		}
		return x.Add(x, big.NewInt(d))
	}
	other := sha256.Sum256([]byte("another node"))
	cases := map[string]func(w *circuits.MatMul){
		"wrong product entry":             func(w *circuits.MatMul) { w.C[5] = add(w.C[5], 1) },
		"remainder 2^f, C' one lower":     func(w *circuits.MatMul) { w.C[2] = add(w.C[2], -1); w.R[2] = add(w.R[2], 256) },
		"input entry outside int16":       func(w *circuits.MatMul) { w.A[0] = add(w.A[0], 1<<16) },
		"PoE bound to another node":       func(w *circuits.MatMul) { h := protocol.Halves(other); w.NodeID = [2]frontend.Variable{h[0], h[1]} },
		"output digest of another C'":     func(w *circuits.MatMul) { w.OutputDigest = big.NewInt(42) },
		"input commitment of another A,B": func(w *circuits.MatMul) { w.InputCommitment = big.NewInt(7) },
	}
	// The honest witness proves (so the cases below fail for their mutation).
	if _, err := proveWith(set.CCS, set.PK.(groth16.ProvingKey), honest()); err != nil {
		t.Fatalf("honest witness: %v", err)
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			w := honest()
			mutate(w)
			if _, err := proveWith(set.CCS, set.PK.(groth16.ProvingKey), w); err == nil {
				t.Fatal("the real prover produced a proof for a malicious witness")
			}
		})
	}
	t.Logf("%d malicious witnesses refused by the real Groth16 prover", len(cases))
}

func proveWith(ccs constraint.ConstraintSystem, pk groth16.ProvingKey, w *circuits.MatMul) (groth16.Proof, error) {
	wit, err := frontend.NewWitness(w, ecc.BN254.ScalarField())
	if err != nil {
		return nil, err
	}
	return groth16.Prove(ccs, pk, wit, proofsystem.ProverOptions(protocol.Groth16)...)
}
