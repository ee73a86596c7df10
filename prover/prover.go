// Package prover turns a compute task into a signed receipt: it runs the
// workload natively, builds the witness, proves the circuit with cached
// Groth16 keys and assembles the receipt's evidence boxes.
package prover

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/klauspost/cpuid/v2"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// DefaultPolicyID is the verifier policy a receipt asks to be judged under.
const DefaultPolicyID = "zkpoc-default-v1"

// Options configures one proving run.
type Options struct {
	Task     workload.ComputeTask
	NodeKey  ed25519.PrivateKey
	Cache    keys.Cache
	Method   circuits.Method // Freivalds unless set
	PolicyID string          // DefaultPolicyID unless set
	Progress io.Writer       // human progress lines; nil for none
}

// Result is a proving run's output.
type Result struct {
	Envelope *receipt.Envelope
	Receipt  *receipt.Receipt
	Output   []int64 // C', row-major
	Timings  Timings
}

// Timings are the wall-clock phases of one run.
type Timings struct {
	Native, Witness, Setup, Prove time.Duration
	SetupCached                   bool
}

// KeyID returns the cache identity of the keys a task needs.
func KeyID(m circuits.Method, n, fracBits int) keys.ID {
	return keys.ID{Circuit: m.Name(), N: n, FracBits: fracBits, Curve: "bn254", System: "groth16"}
}

// Compile returns a function compiling the circuit shape for (m, n, f), for keys.Cache.LoadOrSetup.
func Compile(m circuits.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return func() (constraint.ConstraintSystem, error) {
		shape, err := circuits.New(m, n, fracBits)
		if err != nil {
			return nil, err
		}
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, shape)
		if err != nil {
			return nil, fmt.Errorf("compile %s n=%d f=%d: %w", m.Name(), n, fracBits, err)
		}
		return ccs, nil
	}
}

// ProverOptions are the Groth16 prover options zkpoc always uses: the
// Solidity-compatible hash-to-field, so the same proof verifies on an EVM.
func ProverOptions() []backend.ProverOption {
	return []backend.ProverOption{solidity.WithProverTargetSolidityVerifier(backend.GROTH16)}
}

// VerifierOptions mirror ProverOptions for verification.
func VerifierOptions() []backend.VerifierOption {
	return []backend.VerifierOption{solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16)}
}

func (o *Options) logf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// Run executes the task natively, proves it and returns the signed receipt.
func Run(o Options) (*Result, error) {
	t := o.Task
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	if t.Payload.MatrixSize > circuits.MaxN {
		return nil, fmt.Errorf("prove: n = %d exceeds the circuit limit %d", t.Payload.MatrixSize, circuits.MaxN)
	}
	if o.PolicyID == "" {
		o.PolicyID = DefaultPolicyID
	}
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	seed, err := t.SeedBytes()
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	var res Result

	// 1. native run
	start := time.Now()
	a, b, err := workload.Generate(seed, n)
	if err != nil {
		return nil, fmt.Errorf("prove: generate matrices: %w", err)
	}
	c, err := workload.Multiply(a, b, n, f)
	if err != nil {
		return nil, fmt.Errorf("prove: native product: %w", err)
	}
	res.Timings.Native = time.Since(start)
	res.Output = c
	o.logf("native product n=%d f=%d on %d cores: %s", n, f, runtime.GOMAXPROCS(0), res.Timings.Native.Round(time.Microsecond))

	// 2. public values
	start = time.Now()
	pub, err := PublicValues(t, o.NodeKey.Public().(ed25519.PublicKey), a, b, c)
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	assignment, err := circuits.Assign(o.Method, n, f, a, b, c, pub)
	if err != nil {
		return nil, fmt.Errorf("prove: witness: %w", err)
	}
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("prove: witness: %w", err)
	}
	res.Timings.Witness = time.Since(start)

	// 3. keys
	start = time.Now()
	id := KeyID(o.Method, n, f)
	set, cached, err := o.Cache.LoadOrSetup(id, Compile(o.Method, n, f), o.Progress)
	if err != nil {
		return nil, fmt.Errorf("prove: keys %s: %w", id, err)
	}
	res.Timings.Setup, res.Timings.SetupCached = time.Since(start), cached
	if cached {
		o.logf("keys %s loaded from cache (%s)", id, res.Timings.Setup.Round(time.Millisecond))
	}

	// 4. prove
	start = time.Now()
	o.logf("proving %s (%d constraints)…", id, set.CCS.GetNbConstraints())
	proof, err := groth16.Prove(set.CCS, set.PK, w, ProverOptions()...)
	if err != nil {
		return nil, fmt.Errorf("prove: groth16: %w", err)
	}
	res.Timings.Prove = time.Since(start)
	o.logf("proved in %s", res.Timings.Prove.Round(time.Millisecond))
	var proofBytes bytes.Buffer
	if _, err := proof.WriteTo(&proofBytes); err != nil {
		return nil, fmt.Errorf("prove: encode proof: %w", err)
	}

	// 5. receipt
	inputs := PublicInputs(pub)
	r := &receipt.Receipt{
		Version:         receipt.Version,
		JobID:           t.TaskID,
		Mode:            receipt.ModeGroth16,
		WorkloadDigest:  receipt.WorkloadDigest(o.Method.Name(), n, f),
		InputCommitment: hexField(pub.InputCommitment.Bytes()),
		OutputDigest:    hexField(pub.OutputDigest.Bytes()),
		RequestID:       hex.EncodeToString(pub.RequestID[:]),
		PoE:             hex.EncodeToString(pub.PoE[:]),
		Task:            t,
		Node: receipt.Node{
			PublicKey: hex.EncodeToString(o.NodeKey.Public().(ed25519.PublicKey)),
			NodeID:    hex.EncodeToString(pub.NodeID[:]),
		},
		RuntimeMeasurement: &receipt.RuntimeMeasurement{
			Type:          "native_execution",
			Executor:      "cpu-go",
			CPU:           cpuid.CPU.BrandName,
			LogicalCores:  runtime.NumCPU(),
			Goroutines:    runtime.GOMAXPROCS(0),
			NativeSeconds: res.Timings.Native.Seconds(),
			ClaimLimit:    "capacity context only; not per-job proof",
		},
		BenchmarkResult: &receipt.BenchmarkResult{
			ID:           "prove-cost/" + id.String(),
			Constraints:  set.CCS.GetNbConstraints(),
			ProveSeconds: res.Timings.Prove.Seconds(),
			SetupCached:  cached,
			ClaimLimit:   "capacity context only; not per-job proof",
		},
		AttestationResult: &receipt.AttestationResult{
			Status:     "none",
			ClaimLimit: "no TEE or hardware attestation was collected; nothing is claimed about the runtime environment",
		},
		Proof: &receipt.Proof{
			System:          "groth16",
			Curve:           "bn254",
			Circuit:         o.Method.Name(),
			KeyFingerprint:  "sha256:" + set.Meta.Fingerprint,
			SetupProvenance: set.Meta.Provenance,
			Bytes:           proofBytes.Bytes(),
			PublicInputs:    inputs,
		},
		VerifierPolicyID: o.PolicyID,
		BlockedClaims:    receipt.ProverBlockedClaims,
	}
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	env, err := receipt.Sign(r, o.NodeKey)
	if err != nil {
		return nil, err
	}
	res.Envelope, res.Receipt = env, r
	return &res, nil
}

// PublicValues computes request_id, node_id, both digests and the PoE.
func PublicValues(t workload.ComputeTask, nodePub ed25519.PublicKey, a, b []int16, c []int64) (circuits.Public, error) {
	var p circuits.Public
	var err error
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	if p.RequestID, err = t.RequestID(); err != nil {
		return p, err
	}
	p.NodeID = receipt.NodeID(nodePub)
	if p.InputCommitment, err = circuits.InputCommitment(a, b, n, f); err != nil {
		return p, err
	}
	if p.OutputDigest, err = circuits.OutputDigest(c, n, f); err != nil {
		return p, err
	}
	p.PoE = receipt.PoE(p.RequestID, p.OutputDigest.Bytes(), p.NodeID)
	return p, nil
}

// PublicInputs lists the public witness as decimal strings, in circuit order:
// request_id hi, lo; node_id hi, lo; input_commitment; output_digest; PoE hi, lo.
func PublicInputs(p circuits.Public) []string {
	var out []string
	for _, h := range [][32]byte{p.RequestID, p.NodeID} {
		for _, x := range circuits.Halves(h) {
			out = append(out, x.String())
		}
	}
	out = append(out, p.InputCommitment.BigInt(new(big.Int)).String(), p.OutputDigest.BigInt(new(big.Int)).String())
	for _, x := range circuits.Halves(p.PoE) {
		out = append(out, x.String())
	}
	return out
}

func hexField(b [32]byte) string { return hex.EncodeToString(b[:]) }
