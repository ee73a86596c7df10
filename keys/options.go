package keys

import (
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/solidity"

	"github.com/zkpoc/zkpoc/protocol"
)

// ProverOptions are the gnark prover options zkpoc always uses with
// system: the Solidity-compatible hash-to-field (Groth16) and transcript
// (PLONK; gnark's default already matches, the option is kept so that a
// change in gnark reaches zkpoc), so the same proof verifies on an EVM.
func ProverOptions(system protocol.System) []backend.ProverOption {
	if system == protocol.Plonk {
		return []backend.ProverOption{solidity.WithProverTargetSolidityVerifier(backend.PLONK)}
	}
	return []backend.ProverOption{solidity.WithProverTargetSolidityVerifier(backend.GROTH16)}
}

// VerifierOptions mirror ProverOptions for verification.
func VerifierOptions(system protocol.System) []backend.VerifierOption {
	if system == protocol.Plonk {
		return []backend.VerifierOption{solidity.WithVerifierTargetSolidityVerifier(backend.PLONK)}
	}
	return []backend.VerifierOption{solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16)}
}
