package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"

	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/setup"
)

// benchSetup is one Groth16 setup shared by the Go benchmarks, made once
// per n outside the timers (about a minute each on 2 cores).
type benchSetup struct {
	ccs   constraint.ConstraintSystem
	set   *keys.Set
	w     witness.Witness
	pub   witness.Witness
	proof groth16.Proof
}

var (
	setupsMu sync.Mutex
	setups   = map[int]*benchSetup{}
)

// benchSizes are the sizes the Go benchmarks cover: small, so that
// `go test -bench . ./bench/` stays within minutes.
var benchSizes = []int{4}

func groth16Setup(b *testing.B, n int) *benchSetup {
	b.Helper()
	setupsMu.Lock()
	defer setupsMu.Unlock()
	if s := setups[n]; s != nil {
		return s
	}
	m, f := protocol.Freivalds, DefaultFracBits
	ex, err := native.SelectExecutor(probe.Host(), "")
	if err != nil {
		b.Fatal(err)
	}
	in, err := newInstance(n, f, ex)
	if err != nil {
		b.Fatal(err)
	}
	ccs, err := prover.Compile(m, n, f)()
	if err != nil {
		b.Fatal(err)
	}
	set, err := setup.Run(keys.IDFor(protocol.BN254, protocol.Groth16, m, n, f), ccs, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	w, err := in.witness(m, protocol.BN254)
	if err != nil {
		b.Fatal(err)
	}
	pub, err := w.Public()
	if err != nil {
		b.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, set.PK.(groth16.ProvingKey), w, proofsystem.ProverOptions(protocol.Groth16)...)
	if err != nil {
		b.Fatal(err)
	}
	s := &benchSetup{ccs: ccs, set: set, w: w, pub: pub, proof: proof}
	setups[n] = s
	return s
}

// BenchmarkProveGroth16 times one Groth16 proof (constraint solving
// included) of the Freivalds circuit; the key setup is outside the timer.
func BenchmarkProveGroth16(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := groth16Setup(b, n)
			b.ReportMetric(float64(s.ccs.GetNbConstraints()), "constraints")
			b.ResetTimer()
			for b.Loop() {
				if _, err := groth16.Prove(s.ccs, s.set.PK.(groth16.ProvingKey), s.w, proofsystem.ProverOptions(protocol.Groth16)...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyGroth16 times one Groth16 verification.
func BenchmarkVerifyGroth16(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := groth16Setup(b, n)
			b.ResetTimer()
			for b.Loop() {
				if err := groth16.Verify(s.proof, s.set.VK.Gnark().(groth16.VerifyingKey), s.pub, proofsystem.VerifierOptions(protocol.Groth16)...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNative times the native product on the fastest executor, the
// denominator of the prove/native ratio.
func BenchmarkNative(b *testing.B) {
	ex, err := native.SelectExecutor(probe.Host(), "")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{4, 16, 64, 256} {
		b.Run(fmt.Sprintf("n=%d/%s", n, ex.Name()), func(b *testing.B) {
			in, err := newInstance(n, DefaultFracBits, ex)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := ex.Multiply(in.a, in.b, n, DefaultFracBits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
