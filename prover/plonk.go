package prover

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/scs"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/receipt"
)

// Proof systems a proving run can use.
const (
	SystemGroth16 = keys.SystemGroth16
	SystemPlonk   = keys.SystemPlonk
)

// PlonkConstraintsN4 is the measured PLONK (sparse R1CS) constraint count of
// freivalds-v2 at n = 4, f = 8 (gnark v0.16.1), quoted when a PLONK run skips
// the budget check.
const PlonkConstraintsN4 = 611388

func plonkBudgetReason(n int) string {
	return fmt.Sprintf("plonk requested: the cost model covers Groth16 only, so no budget check was made at n = %d (PLONK measured %d constraints at n = 4, about 3× the R1CS count, in a 2^20 domain)", n, PlonkConstraintsN4)
}

// KeyIDFor is KeyID for a chosen proof system.
func KeyIDFor(system string, m circuits.Method, n, fracBits int) keys.ID {
	id := KeyID(m, n, fracBits)
	id.System = system
	return id
}

// CompilePlonk is Compile for PLONK: the same circuit through scs.NewBuilder.
func CompilePlonk(m circuits.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return func() (constraint.ConstraintSystem, error) {
		shape, err := circuits.New(m, n, fracBits)
		if err != nil {
			return nil, err
		}
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, shape)
		if err != nil {
			return nil, fmt.Errorf("compile %s n=%d f=%d for plonk: %w", m.Name(), n, fracBits, err)
		}
		return ccs, nil
	}
}

// CompileFor returns Compile or CompilePlonk by system.
func CompileFor(system string, m circuits.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	if system == SystemPlonk {
		return CompilePlonk(m, n, fracBits)
	}
	return Compile(m, n, fracBits)
}

// PlonkProverOptions target gnark's Solidity PLONK verifier (its default
// transcript hash already matches; the option is kept so a change in gnark
// reaches zkpoc).
func PlonkProverOptions() []backend.ProverOption {
	return []backend.ProverOption{solidity.WithProverTargetSolidityVerifier(backend.PLONK)}
}

// PlonkVerifierOptions mirror PlonkProverOptions.
func PlonkVerifierOptions() []backend.VerifierOption {
	return []backend.VerifierOption{solidity.WithVerifierTargetSolidityVerifier(backend.PLONK)}
}

// provePlonk is prove for PLONK: witness, cached PLONK keys (a dev SRS
// setup when none are cached), proof.
func (rn *run) provePlonk() error {
	o, t, n, f := rn.o, rn.task, rn.n, rn.f
	start := time.Now()
	pub, err := PublicValues(t, o.NodeKey.Public().(ed25519.PublicKey), rn.a, rn.b, rn.c)
	if err != nil {
		return fmt.Errorf("prove: %w", err)
	}
	assignment, err := circuits.Assign(o.Method, n, f, rn.a, rn.b, rn.c, pub)
	if err != nil {
		return fmt.Errorf("prove: witness: %w", err)
	}
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return fmt.Errorf("prove: witness: %w", err)
	}
	rn.res.Timings.Witness = time.Since(start)

	start = time.Now()
	id := KeyIDFor(SystemPlonk, o.Method, n, f)
	set, cached, err := o.Cache.LoadOrSetup(id, CompilePlonk(o.Method, n, f), o.Progress)
	if err != nil {
		return fmt.Errorf("prove: keys %s: %w", id, err)
	}
	rn.res.Timings.Setup, rn.res.Timings.SetupCached = time.Since(start), cached
	if cached {
		o.logf("keys %s loaded from cache (%s)", id, rn.res.Timings.Setup.Round(time.Millisecond))
	}

	start = time.Now()
	o.logf("proving %s with PLONK (%d constraints)…", id, set.CCS.GetNbConstraints())
	proof, err := plonk.Prove(set.CCS, set.PlonkPK, w, PlonkProverOptions()...)
	if err != nil {
		return fmt.Errorf("prove: plonk: %w", err)
	}
	rn.res.Timings.Prove = time.Since(start)
	o.logf("proved in %s", rn.res.Timings.Prove.Round(time.Millisecond))
	var proofBytes bytes.Buffer
	if _, err := proof.WriteTo(&proofBytes); err != nil {
		return fmt.Errorf("prove: encode proof: %w", err)
	}

	r := rn.r
	r.OutputDigest = hexField(pub.OutputDigest.Bytes())
	r.OutputDigestAlg = receipt.DigestPoseidon2
	r.PoE = hex.EncodeToString(pub.PoE[:])
	r.BenchmarkResult = &receipt.BenchmarkResult{
		ID:           "prove-cost/" + id.String(),
		Constraints:  set.CCS.GetNbConstraints(),
		ProveSeconds: rn.res.Timings.Prove.Seconds(),
		SetupCached:  cached,
		ClaimLimit:   "capacity context only; not per-job proof",
	}
	r.Proof = &receipt.Proof{
		System:          SystemPlonk,
		Curve:           "bn254",
		Circuit:         o.Method.Name(),
		KeyFingerprint:  "sha256:" + set.Meta.Fingerprint,
		SetupProvenance: set.Meta.Provenance,
		Bytes:           proofBytes.Bytes(),
		PublicInputs:    PublicInputs(pub),
	}
	return nil
}
