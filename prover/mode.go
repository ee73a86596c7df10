package prover

import (
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/protocol"
)

// ErrInvalidOptions is wrapped by ResolveMode's errors: a mode or proof
// system that is not one, or a pair that contradicts itself.
var ErrInvalidOptions = errors.New("invalid prove options")

// ResolveMode reconciles a requested mode with a requested proof system
// ("" for either: the default, auto and groth16). Mode "plonk" is the SNARK
// mode with PLONK: it returns mode "groth16" (the SNARK mode, as receipts
// name it) and system "plonk", and refuses another system. Run applies it
// to Options.Mode and Options.System; a caller may call it first to refuse
// bad options before any work.
func ResolveMode(mode protocol.Mode, system protocol.System) (protocol.Mode, protocol.System, error) {
	if mode == "" {
		mode = ModeAuto
	}
	switch mode {
	case ModeAuto, protocol.ModeGroth16, protocol.ModePlonk, protocol.ModeSampled, protocol.ModeBinding:
	default:
		return "", "", fmt.Errorf("prove: %w: unknown mode %q (want auto, groth16, sampled or binding)", ErrInvalidOptions, mode)
	}
	if mode == protocol.ModePlonk { // the SNARK mode, with PLONK
		if system != "" && system != protocol.Plonk {
			return "", "", fmt.Errorf("prove: %w: mode plonk with proof system %q", ErrInvalidOptions, system)
		}
		system, mode = protocol.Plonk, protocol.ModeGroth16
	}
	switch system {
	case "":
		system = protocol.Groth16
	case protocol.Groth16, protocol.Plonk:
	default:
		return "", "", fmt.Errorf("prove: %w: unknown proof system %q (want groth16 or plonk)", ErrInvalidOptions, system)
	}
	return mode, system, nil
}
