package protocol

import (
	"errors"
	"fmt"
	"strings"
)

// Method selects how the circuit checks the product.
type Method int

const (
	// Freivalds checks A·(B·v) = (2^f·C' + R)·v for v = (1, r, …, r^(n-1)),
	// r drawn in-circuit from a commitment to A, B, C' and R: O(n²) constraints.
	Freivalds Method = iota
	// Naive checks every Σ_k A[i][k]·B[k][j] = 2^f·C'[i][j] + R[i][j]: n³
	// constraints, kept as the benchmark and cross-check reference.
	Naive
	// Synthetic is freivalds-s2 (circuits.SyntheticMatMul), the statement
	// for synthetic tasks: uᵀ·(2^f·C' + R)·v = s, with s computed by the
	// verifier from the A and B it regenerates from the seed, so the circuit
	// has neither the product nor the input commitment. Groth16 on BN254
	// only (Supports); its receipts verify offline and never go on chain (a
	// chain verifier cannot regenerate A and B).
	Synthetic
)

// Methods lists the methods of circuits.MatMul, which prove every task on
// every system and curve, the default first. ParseMethod also knows
// Synthetic.
var Methods = []Method{Freivalds, Naive}

// Name is the circuit identifier used in key caches and receipts.
func (m Method) Name() string {
	switch m {
	case Freivalds:
		return "freivalds-v5"
	case Naive:
		return "naive-v5"
	case Synthetic:
		return SyntheticCircuitID
	}
	return fmt.Sprintf("method(%d)", int(m))
}

// String is Name.
func (m Method) String() string { return m.Name() }

// ParseMethod maps a circuit name back to its Method.
func ParseMethod(name string) (Method, error) {
	for _, m := range append(Methods, Synthetic) {
		if m.Name() == name {
			return m, nil
		}
	}
	if name == retiredSyntheticID {
		return 0, fmt.Errorf("circuit %q is retired: %s proves the same statement with a leaner constraint system and other keys, so its proofs no longer verify; prove the task again", name, Synthetic.Name())
	}
	return 0, fmt.Errorf("unknown circuit %q (want %q, %q or %q)", name, Freivalds.Name(), Naive.Name(), Synthetic.Name())
}

// ErrUnsupported is wrapped by Supports' errors.
var ErrUnsupported = errors.New("circuit does not support")

// Supports says whether the method's circuit proves a task (supplied: its
// matrices come as files, payload.input_commitment) with system over curve:
// every MatMul method does; Synthetic proves synthetic tasks only (the
// verifier must regenerate A and B), with Groth16 on BN254 only (the prover
// learns its challenge from gnark's BN254 Groth16 commitment before proving).
func (m Method) Supports(system System, curve Curve, supplied bool) error {
	if m != Synthetic {
		return nil
	}
	switch {
	case supplied:
		return fmt.Errorf("%w a supplied task: %s proves synthetic tasks only, whose A and B the verifier regenerates from the seed (use %s)", ErrUnsupported, m.Name(), Freivalds.Name())
	case system != Groth16:
		return fmt.Errorf("%w %s: %s is proved with Groth16 only", ErrUnsupported, system, m.Name())
	case curve != BN254:
		return fmt.Errorf("%w %s: %s is proved on bn254 only", ErrUnsupported, curve, m.Name())
	}
	return nil
}

// MaxN is the largest matrix size the circuits accept.
const MaxN = 1024

// System names a SNARK proof system, as key ids and proof boxes carry it.
type System string

// The proof systems zkpoc proves with.
const (
	Groth16 System = "groth16"
	Plonk   System = "plonk"
)

// Systems lists the proof systems, the default first.
var Systems = []System{Groth16, Plonk}

// ParseSystem maps a proof-system name ("groth16", "plonk") to its System.
func ParseSystem(name string) (System, error) {
	for _, s := range Systems {
		if string(s) == name {
			return s, nil
		}
	}
	return "", fmt.Errorf("unknown proof system %q (want groth16 or plonk)", name)
}

// String is the system's name.
func (s System) String() string { return string(s) }

// Mode is a receipt's proof mode (DESIGN.md "Proof modes"): the kind of
// evidence it carries.
type Mode string

// Modes a receipt can record.
const (
	ModeGroth16 Mode = Mode(Groth16) // a Groth16 proof
	ModePlonk   Mode = Mode(Plonk)   // a PLONK proof
	ModeSampled Mode = "sampled"     // sampled rows re-executed against a Merkle root
	ModeBinding Mode = "binding"     // the output bound by the PoE, nothing checked
)

// Modes lists the receipt modes.
var Modes = []Mode{ModeGroth16, ModePlonk, ModeSampled, ModeBinding}

// ParseMode maps a mode name to its Mode.
func ParseMode(name string) (Mode, error) {
	for _, m := range Modes {
		if string(m) == name {
			return m, nil
		}
	}
	names := make([]string, len(Modes))
	for i, m := range Modes {
		names[i] = string(m)
	}
	return "", fmt.Errorf("unknown mode %q (want %s)", name, strings.Join(names, ", "))
}

// String is the mode's name.
func (m Mode) String() string { return string(m) }

// SNARK reports whether the mode's evidence is a SNARK proof (groth16 or
// plonk): the proof box is required and proof.system names the same system.
func (m Mode) SNARK() bool { return m == ModeGroth16 || m == ModePlonk }

// SNARKMode is the receipt mode of a proof by system s.
func SNARKMode(s System) Mode { return Mode(s) }

// DefaultPolicyID is the verifier policy a receipt asks to be judged under
// unless its prover names another, and the policy a verifier applies by default.
const DefaultPolicyID = "zk-dev-v1"
