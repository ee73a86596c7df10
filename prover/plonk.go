package prover

import (
	"fmt"

	"github.com/consensys/gnark/constraint"

	"github.com/zkpoc/zkpoc/protocol"
)

// PlonkConstraintsN4 is the measured PLONK (sparse R1CS) constraint count of
// freivalds-v5 at n = 4, f = 8 on BN254 (gnark v0.16.1), quoted when a PLONK
// run skips the budget check.
const PlonkConstraintsN4 = 170598

func plonkBudgetReason(n int) string {
	return fmt.Sprintf("plonk requested: the cost model covers Groth16 only, so no budget check was made at n = %d (PLONK measured %d constraints at n = 4 on BN254, about 3× the R1CS count, in a 2^18 domain)", n, PlonkConstraintsN4)
}

// CompilePlonk is Compile for PLONK: the same circuit through scs.NewBuilder.
func CompilePlonk(m protocol.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return CompilePlonkOn(protocol.BN254, m, n, fracBits)
}

// CompilePlonkOn is CompilePlonk over the curve's scalar field.
func CompilePlonkOn(curve protocol.Curve, m protocol.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return compileWith(protocol.Plonk, curve, m, n, fracBits)
}

// CompileFor returns CompileOn or CompilePlonkOn by system.
func CompileFor(system protocol.System, curve protocol.Curve, m protocol.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	if system == protocol.Plonk {
		return CompilePlonkOn(curve, m, n, fracBits)
	}
	return CompileOn(curve, m, n, fracBits)
}
