package prover_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// TestAutoSynthetic: with AutoSynthetic, ModeAuto proves a synthetic task
// with freivalds-s2 exactly when freivalds-v5 is over the budget and
// freivalds-s2 is not, and never for a receipt headed for the chain (a
// worker address), a supplied task, PLONK or BLS12-381; the budget is put
// between the two estimates at n = 4, so the same task takes each branch.
func TestAutoSynthetic(t *testing.T) {
	const n, f = 4, 8
	dir := os.Getenv("ZKPOC_TEST_KEYS")
	if dir == "" {
		dir = t.TempDir()
	}
	cache := keys.Cache{Dir: dir}
	task, err := workload.NewSyntheticTask("5e1a7e57-a070-4000-8000-000000000004", [32]byte{0xa0}, n, f, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := protocol.Matrices(task, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	supplied, err := protocol.NewSuppliedTask("5e1a7e57-a070-4000-8000-000000000005", workload.Matrix{N: n, Data: a}, workload.Matrix{N: n, Data: b}, f, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0xa0}, 32))
	est := func(m protocol.Method) prover.Estimate {
		return prover.EstimateCost(m, n, f, cache.Has(keys.IDFor(protocol.BN254, protocol.Groth16, m, n, f)), prover.DefaultCoefficients)
	}
	v5, s1 := est(protocol.Freivalds), est(protocol.Synthetic)
	if s1.PeakMemory >= v5.PeakMemory {
		t.Fatalf("freivalds-s2 estimate %d B ≥ freivalds-v5's %d B at n = %d: the test needs a budget between them", s1.PeakMemory, v5.PeakMemory, n)
	}
	between := prover.Budget{Time: time.Hour, Memory: (s1.PeakMemory + v5.PeakMemory) / 2}
	below := prover.Budget{Time: time.Hour, Memory: s1.PeakMemory / 2}
	blsV5 := prover.EstimateCostOn(protocol.BLS12381, protocol.Freivalds, n, f, cache.Has(keys.IDFor(protocol.BLS12381, protocol.Groth16, protocol.Freivalds, n, f)), prover.DefaultCoefficients)
	if s1.PeakMemory >= blsV5.PeakMemory {
		t.Fatalf("freivalds-s2 estimate %d B ≥ freivalds-v5's on BLS12-381 %d B at n = %d", s1.PeakMemory, blsV5.PeakMemory, n)
	}
	blsBetween := prover.Budget{Time: time.Hour, Memory: (s1.PeakMemory + blsV5.PeakMemory) / 2} // s1 would fit, on BN254
	opts := func(edit func(o *prover.Options)) prover.Options {
		o := prover.Options{Task: task, NodeKey: key, Cache: cache, AutoSynthetic: true, Budget: between}
		edit(&o)
		return o
	}
	for _, tc := range []struct {
		name        string
		o           prover.Options
		wantMode    protocol.Mode
		wantCircuit string
	}{
		{"v5 over, s1 within: freivalds-s2", opts(func(*prover.Options) {}), protocol.ModeGroth16, protocol.SyntheticCircuitID},
		{"groth16 requested, no circuit named: freivalds-s2", opts(func(o *prover.Options) { o.Mode = protocol.ModeGroth16 }), protocol.ModeGroth16, protocol.SyntheticCircuitID},
		{"without AutoSynthetic: sampled", opts(func(o *prover.Options) { o.AutoSynthetic = false }), protocol.ModeSampled, ""},
		{"both over: sampled", opts(func(o *prover.Options) { o.Budget = below }), protocol.ModeSampled, ""},
		{"worker address (chain): sampled", opts(func(o *prover.Options) { o.WorkerAddress = "cpc1qautos1" }), protocol.ModeSampled, ""},
		{"naive-v5 requested: sampled", opts(func(o *prover.Options) { o.Method = protocol.Naive }), protocol.ModeSampled, ""},
		{"BLS12-381: sampled", opts(func(o *prover.Options) { o.Curve, o.Budget = protocol.BLS12381, blsBetween }), protocol.ModeSampled, ""},
		{"supplied task: sampled", opts(func(o *prover.Options) {
			o.Task, o.A, o.B = supplied, a, b
		}), protocol.ModeSampled, ""},
		{"v5 within: freivalds-v5", opts(func(o *prover.Options) { o.Budget = prover.Budget{Time: time.Hour, Memory: 2 * v5.PeakMemory} }), protocol.ModeGroth16, protocol.Freivalds.Name()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.wantMode != protocol.ModeSampled {
				t.Skip("a real Groth16 setup and proof")
			}
			res, err := prover.Run(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			rc := res.Receipt
			if rc.Mode != tc.wantMode {
				t.Fatalf("mode %s (%s), want %s", rc.Mode, rc.CostEstimate.Reason, tc.wantMode)
			}
			if tc.wantCircuit == "" {
				return
			}
			if rc.Proof.Circuit != tc.wantCircuit {
				t.Fatalf("circuit %s, want %s (%s)", rc.Proof.Circuit, tc.wantCircuit, rc.CostEstimate.Reason)
			}
			if rc.WorkloadDigest != receipt.WorkloadDigest(tc.wantCircuit, n, f) {
				t.Errorf("workload digest %s is not that of %s", rc.WorkloadDigest, tc.wantCircuit)
			}
			if tc.wantCircuit == protocol.SyntheticCircuitID {
				if !strings.Contains(rc.CostEstimate.Reason, protocol.Freivalds.Name()) || rc.CostEstimate.Constraints != s1.Constraints {
					t.Errorf("cost estimate %d constraints, reason %q: want freivalds-s2's estimate and why freivalds-v5 was not proved", rc.CostEstimate.Constraints, rc.CostEstimate.Reason)
				}
			}
		})
	}

	// Asked for, freivalds-s2 proves synthetic tasks with Groth16 on BN254
	// only; AutoSynthetic goes with freivalds-v5 only.
	for _, tc := range []struct {
		name string
		o    prover.Options
	}{
		{"supplied task", prover.Options{Task: supplied, Method: protocol.Synthetic}},
		{"PLONK", prover.Options{Task: task, Method: protocol.Synthetic, System: protocol.Plonk}},
		{"BLS12-381", prover.Options{Task: task, Method: protocol.Synthetic, Curve: protocol.BLS12381}},
		{"AutoSynthetic with freivalds-s2", prover.Options{Task: task, Method: protocol.Synthetic, AutoSynthetic: true}},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			o := tc.o
			o.NodeKey, o.Cache = key, cache
			if o.Task.Supplied() {
				o.A, o.B = a, b
			}
			_, err := prover.Run(context.Background(), o)
			if err == nil {
				t.Fatal("proved")
			}
			if tc.name != "AutoSynthetic with freivalds-s2" && !errors.Is(err, protocol.ErrUnsupported) {
				t.Errorf("%v, want ErrUnsupported", err)
			}
		})
	}
}
