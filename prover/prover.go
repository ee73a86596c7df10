// Package prover turns a compute task into a signed receipt: it runs the
// workload natively, builds the witness, proves the circuit with cached
// Groth16 keys and assembles the receipt's evidence boxes.
package prover

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/workload"
)

// Mode requests: ModeAuto proves when the cost estimate fits the budget and
// samples otherwise; the receipt modes force one.
const ModeAuto protocol.Mode = "auto"

// Options configures one proving run.
type Options struct {
	Task     workload.ComputeTask
	NodeKey  ed25519.PrivateKey
	Cache    keys.Cache
	Method   protocol.Method // Freivalds unless set
	PolicyID string          // protocol.DefaultPolicyID unless set
	Progress io.Writer       // human progress lines; nil for none

	Mode     protocol.Mode // ModeAuto (default), protocol.ModeGroth16 (the SNARK named by System), protocol.ModeSampled or protocol.ModeBinding
	Budget   Budget        // DefaultBudget() when zero
	Coeffs   *Coefficients // DefaultCoefficients when nil
	Executor string        // native executor name; "" picks the fastest available
	// ExecutorImpl, when set, is the native executor the product runs on
	// (Executor is then ignored); the receipt names it by its Name. A
	// caller that wraps a real executor (a network demo's dishonest worker)
	// supplies it here.
	ExecutorImpl native.Executor
	Sampling     sampling.Params // zero: sampling.DefaultParams

	// A and B are the matrices of a supplied task (payload.input_commitment),
	// n×n row-major; they must match the task's input commitment. A synthetic
	// task derives its matrices from its seed and takes neither.
	A, B []int16

	// System is the SNARK a proving run uses: protocol.Groth16 (default) or
	// protocol.Plonk. A PLONK receipt's mode is "plonk"; Mode "groth16" asks
	// for the SNARK mode of whichever system this names.
	System protocol.System

	// WorkerAddress, when set, is signed into the receipt as
	// node.worker_address: the chain address the node submits the result
	// under (workload.CheckWorkerAddress). For a synthetic task issued to a
	// worker (seed = SHA-256(block_hash ‖ worker_address)) it is that worker's.
	WorkerAddress string

	// AutoSynthetic lets ModeAuto and ModeGroth16 prove a synthetic task
	// with protocol.Synthetic (freivalds-s2, about half the constraints)
	// when Method is protocol.Freivalds, its estimate is over the budget and
	// freivalds-s2's is not: Groth16 on BN254, and no WorkerAddress, since
	// such a receipt verifies offline only (a chain verifier cannot
	// regenerate A and B). The cost_estimate box's reason says so.
	AutoSynthetic bool

	// Curve is the curve a SNARK is over: protocol.BN254 or
	// protocol.BLS12381 (a synthetic task). A task that binds its inputs
	// names the curve of its commitment, which is the default and the only
	// curve it is proved on; otherwise BN254 is the default.
	Curve protocol.Curve
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

// Compile returns a function compiling the circuit shape for (m, n, f) to a
// BN254 R1CS, for keys.Cache.LoadOrSetup.
func Compile(m protocol.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return CompileOn(protocol.BN254, m, n, fracBits)
}

// CompileOn is Compile over the curve's scalar field.
func CompileOn(curve protocol.Curve, m protocol.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return compileWith(protocol.Groth16, curve, m, n, fracBits)
}

// compileWith compiles the method's circuit (circuits.Shape) for the system:
// R1CS for Groth16, sparse R1CS for PLONK.
func compileWith(system protocol.System, curve protocol.Curve, m protocol.Method, n, fracBits int) func() (constraint.ConstraintSystem, error) {
	return func() (constraint.ConstraintSystem, error) {
		if err := m.Supports(system, curve, false); err != nil {
			return nil, fmt.Errorf("compile %s n=%d f=%d: %w", m.Name(), n, fracBits, err)
		}
		shape, err := circuits.Shape(m, n, fracBits)
		if err != nil {
			return nil, err
		}
		var builder frontend.NewBuilder = r1cs.NewBuilder
		if system == protocol.Plonk {
			builder = scs.NewBuilder
		}
		ccs, err := frontend.Compile(curve.ScalarField(), builder, shape)
		if err != nil {
			return nil, fmt.Errorf("compile %s n=%d f=%d on %s: %w", m.Name(), n, fracBits, curve, err)
		}
		return ccs, nil
	}
}

func (o *Options) logf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// run is the state of one proving run shared by the modes.
type run struct {
	ctx  context.Context
	o    Options
	task workload.ComputeTask
	n, f int
	a, b []int16
	// The task's input commitment is hashed after the product, while the
	// rows are committed and opened (seconds at n = 4096): checked, once
	// closed, holds ic and icErr (protocol.CheckInputs), icCurve the curve
	// the receipt's input_commitment is over. inputsChecked waits for it,
	// before any proof (start) or commitment is handed out (Commit) and
	// before the receipt is signed (seal).
	checked chan struct{}
	ic      protocol.Commitment
	icErr   error
	icCurve protocol.Curve
	c       []int64
	res     Result
	r       *receipt.Receipt

	runtime *receipt.RuntimeMeasurement
	est     Estimate // the cost estimate the mode was decided on; zero when none was made
}

// Run executes the task natively, then proves, samples or only binds the
// output (as Options.Mode and the budget decide) and returns the signed receipt.
//
// ctx is checked between the phases of the run (native product, witness,
// key setup, proof, sampling, signing): a cancelled run returns an error
// wrapping ctx.Err() at the next phase boundary. A gnark setup or proof
// already running cannot be interrupted, so cancellation waits for that one
// step (its progress lines say how long it has run).
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	rn, mode, err := start(o)
	if err != nil {
		return nil, err
	}
	rn.ctx = ctx
	if mode.SNARK() { // keys, constraint system and solver held near the estimate (heap.go)
		defer BoundHeap(rn.est.PeakMemory)()
	}
	if err := rn.phase("native product"); err != nil {
		return nil, err
	}
	switch mode {
	case protocol.ModeGroth16, protocol.ModePlonk:
		err = rn.prove()
	case protocol.ModeSampled:
		err = rn.sample()
	case protocol.ModeBinding:
		err = rn.bind()
	}
	if err != nil {
		return nil, err
	}
	if err := rn.phase("signing"); err != nil {
		return nil, err
	}
	return rn.seal()
}

// phase reports a cancelled run before the phase named next starts.
func (rn *run) phase(next string) error {
	if err := rn.ctx.Err(); err != nil {
		return fmt.Errorf("prove: cancelled before %s: %w", next, err)
	}
	return nil
}

// start validates the options, runs the product natively, decides the mode
// and fills the receipt fields every mode shares, cost estimate included.
func start(o Options) (*run, protocol.Mode, error) {
	t := o.Task
	if err := t.Validate(); err != nil {
		return nil, "", fmt.Errorf("prove: %w", err)
	}
	if o.WorkerAddress != "" {
		if err := workload.CheckWorkerAddress("node.worker_address", o.WorkerAddress); err != nil {
			return nil, "", fmt.Errorf("prove: %w", err)
		}
	}
	if o.PolicyID == "" {
		o.PolicyID = protocol.DefaultPolicyID
	}
	mode, system, err := ResolveMode(o.Mode, o.System)
	if err != nil {
		return nil, "", err
	}
	o.Mode, o.System = mode, system
	if o.Method == protocol.Synthetic && o.AutoSynthetic {
		return nil, "", fmt.Errorf("prove: AutoSynthetic chooses %s for a task whose Method is %s; it does not go with Method %s", protocol.Synthetic.Name(), protocol.Freivalds.Name(), protocol.Synthetic.Name())
	}
	taskCurve, bound, err := protocol.TaskCurve(t)
	if err != nil {
		return nil, "", fmt.Errorf("prove: %w", err)
	}
	switch {
	case o.Curve == "" && bound:
		o.Curve = taskCurve
	case o.Curve == "":
		o.Curve = protocol.BN254
	}
	if _, err := protocol.ParseCurve(string(o.Curve)); err != nil {
		return nil, "", fmt.Errorf("prove: %w", err)
	}
	if bound && o.Curve != taskCurve {
		return nil, "", fmt.Errorf("prove: %w: the task binds its inputs with %s (payload.input_commitment_algorithm), so it is proved on %s, not %s",
			protocol.ErrTaskCurve, t.CommitmentAlgorithm(), taskCurve, o.Curve)
	}
	if o.Mode != protocol.ModeSampled && o.Mode != protocol.ModeBinding {
		if err := o.Method.Supports(o.System, o.Curve, t.Supplied()); err != nil {
			return nil, "", fmt.Errorf("prove: %w", err)
		}
	}
	if o.Sampling.Challenge != nil && o.Mode != protocol.ModeSampled {
		return nil, "", fmt.Errorf("prove: a challenge is answered by a sampled receipt, not mode %s", o.Mode)
	}
	if err := o.Sampling.Validate(); err != nil {
		return nil, "", fmt.Errorf("prove: %w", err)
	}
	if o.Budget == (Budget{}) {
		o.Budget = DefaultBudget()
	}
	coeffs := DefaultCoefficients
	if o.Coeffs != nil {
		coeffs = *o.Coeffs
	}
	rn := &run{o: o, task: t, n: t.Payload.MatrixSize, f: t.Payload.FracBits}
	if err := rn.native(); err != nil {
		return nil, "", err
	}

	// Decide the mode before spending anything on proving.
	mode, decision := o.Mode, ""
	var est Estimate
	if mode == ModeAuto || mode == protocol.ModeGroth16 {
		if rn.n > protocol.MaxN {
			if mode == protocol.ModeGroth16 {
				return nil, "", fmt.Errorf("prove: n = %d exceeds the circuit limit %d", rn.n, protocol.MaxN)
			}
			mode, decision = protocol.ModeSampled, fmt.Sprintf("n = %d exceeds the circuit limit %d", rn.n, protocol.MaxN)
		} else if o.System == protocol.Plonk {
			mode, decision = protocol.ModeGroth16, plonkBudgetReason(rn.n)
		} else {
			var fits bool
			var why string
			est, fits, why = rn.estimate(o.Method, coeffs)
			if !fits && rn.syntheticFallback() { // auto, or a SNARK requested without naming the circuit
				sest, sfits, swhy := rn.estimate(protocol.Synthetic, coeffs)
				why = fmt.Sprintf("%s: %s at n = %d; %s (the statement for synthetic tasks, A·B checked by the verifier, which regenerates A and B): %s",
					o.Method.Name(), why, rn.n, protocol.Synthetic.Name(), swhy)
				if sfits {
					o.Method, rn.o.Method, est, fits = protocol.Synthetic, protocol.Synthetic, sest, true
				}
			}
			switch {
			case mode == protocol.ModeGroth16 && !fits:
				decision = "groth16 requested: " + why
				o.logf("warning: proving anyway (mode groth16 requested): %s", why)
			case fits:
				mode, decision = protocol.ModeGroth16, why
			default:
				mode, decision = protocol.ModeSampled, why+fmt.Sprintf(" at n = %d", rn.n)
			}
		}
	} else {
		decision = string(o.Mode) + " requested"
	}
	if mode == protocol.ModeGroth16 {
		mode = protocol.SNARKMode(o.System) // the SNARK mode is named for its proof system
	}
	o.logf("mode %s: %s", mode, decision)
	if mode.SNARK() { // no proving on matrices that are not the task's
		if err := rn.inputsChecked(); err != nil {
			return nil, "", err
		}
	}
	if err := rn.base(mode); err != nil {
		return nil, "", err
	}
	rn.est = est
	if est.Constraints > 0 {
		rn.r.CostEstimate = est.record(o.Budget, string(mode), decision)
	} else {
		rn.r.CostEstimate = &receipt.CostEstimate{Model: receipt.CostModelVersion, Decision: string(mode), Reason: decision,
			BudgetSeconds: round3(o.Budget.Time.Seconds()), BudgetMemoryBytes: o.Budget.Memory}
	}
	return rn, mode, nil
}

// estimate is the cost of proving the task with the method's circuit, keys
// cached or not, and whether it fits the budget.
func (rn *run) estimate(m protocol.Method, c Coefficients) (Estimate, bool, string) {
	o := rn.o
	cached := o.Cache.Has(keys.IDFor(o.Curve, protocol.Groth16, m, rn.n, rn.f))
	est := EstimateCostOn(o.Curve, m, rn.n, rn.f, cached, c)
	fits, why := est.Fits(o.Budget)
	return est, fits, why
}

// syntheticFallback says whether the task may be proved with freivalds-s2
// when freivalds-v5 is over the budget (Options.AutoSynthetic).
func (rn *run) syntheticFallback() bool {
	o := rn.o
	return o.AutoSynthetic && o.Method == protocol.Freivalds && o.WorkerAddress == "" &&
		protocol.Synthetic.Supports(o.System, o.Curve, rn.task.Supplied()) == nil
}

// seal computes the receipt id and signs the receipt.
func (rn *run) seal() (*Result, error) {
	if err := rn.inputsChecked(); err != nil {
		return nil, err
	}
	ic, err := rn.ic.On(rn.icCurve, rn.a, rn.b, rn.n, rn.f) // hashed once when the task's curve is this one
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	rn.r.InputCommitment = hexField(ic)
	if rn.r.ReceiptID, err = rn.r.ComputeID(); err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	env, err := receipt.Sign(rn.r, rn.o.NodeKey)
	if err != nil {
		return nil, err
	}
	if err := checkEnvelopeSize(env, rn.r); err != nil {
		return nil, err
	}
	rn.res.Envelope, rn.res.Receipt = env, rn.r
	return &rn.res, nil
}

// inputsChecked waits for the check of the matrices against the task's
// input commitment (started by native) and returns its error.
func (rn *run) inputsChecked() error {
	<-rn.checked
	if rn.icErr != nil {
		return fmt.Errorf("prove: %w", rn.icErr)
	}
	return nil
}

// native obtains the matrices and runs the product on the chosen executor.
func (rn *run) native() error {
	hw := probe.Host()
	ex := rn.o.ExecutorImpl
	var err error
	if ex == nil {
		if ex, err = native.SelectExecutor(hw, rn.o.Executor); err != nil {
			return fmt.Errorf("prove: %w", err)
		}
	}
	if rn.a, rn.b, err = protocol.Matrices(rn.task, rn.o.A, rn.o.B); err != nil {
		return fmt.Errorf("prove: %w", err)
	}
	start := time.Now()
	if rn.c, err = ex.Multiply(rn.a, rn.b, rn.n, rn.f); err != nil {
		return fmt.Errorf("prove: native product (%s): %w", ex.Name(), err)
	}
	rn.res.Timings.Native = time.Since(start)
	// Started after the timed product, so that native_seconds is the
	// product's alone.
	rn.checked = make(chan struct{})
	go func() {
		defer close(rn.checked)
		rn.ic, rn.icErr = protocol.CheckInputs(rn.task, rn.a, rn.b)
	}()
	rn.res.Output = rn.c
	rn.o.logf("native product n=%d f=%d on %s (%d cores): %s", rn.n, rn.f, ex.Name(), runtime.GOMAXPROCS(0), rn.res.Timings.Native.Round(time.Microsecond))
	rn.runtime = &receipt.RuntimeMeasurement{
		Type:          "native_execution",
		Executor:      ex.Name(),
		CPU:           hw.CPUBrand,
		LogicalCores:  hw.LogicalCores,
		UsableCPUs:    hw.Process.Usable,
		Goroutines:    runtime.GOMAXPROCS(0),
		NativeSeconds: rn.res.Timings.Native.Seconds(),
		Hardware:      &hw,
		ClaimLimit:    "capacity context only; not per-job proof",
	}
	return nil
}

// base fills the fields every mode shares.
func (rn *run) base(mode protocol.Mode) error {
	t, n, f := rn.task, rn.n, rn.f
	pub := rn.o.NodeKey.Public().(ed25519.PublicKey)
	reqID, err := t.RequestID()
	if err != nil {
		return fmt.Errorf("prove: %w", err)
	}
	nodeID := protocol.NodeID(pub)
	curve := protocol.BN254 // the digests of sampled and binding receipts
	circuit := "none"
	if mode.SNARK() {
		circuit, curve = rn.o.Method.Name(), rn.o.Curve
	}
	rn.icCurve = curve // input_commitment is filled in by seal
	rn.r = &receipt.Receipt{
		Version:        receipt.Version,
		JobID:          t.TaskID,
		Mode:           mode,
		WorkloadDigest: receipt.WorkloadDigest(circuit, n, f),
		RequestID:      hex.EncodeToString(reqID[:]),
		Task:           t,
		Node: receipt.Node{
			PublicKey:     hex.EncodeToString(pub),
			NodeID:        hex.EncodeToString(nodeID[:]),
			WorkerAddress: rn.o.WorkerAddress,
		},
		RuntimeMeasurement: rn.runtime,
		AttestationResult: &receipt.AttestationResult{
			Status:     "none",
			ClaimLimit: "no TEE or hardware attestation was collected; nothing is claimed about the runtime environment",
		},
		BenchmarkResult: &receipt.BenchmarkResult{
			ID:         "native/" + rn.runtime.Executor,
			ClaimLimit: "capacity context only; not per-job proof",
		},
		VerifierPolicyID: rn.o.PolicyID,
		BlockedClaims:    receipt.ProverBlockedClaims,
	}
	return nil
}

// prove runs the SNARK path for Options.System: witness, cached keys (set up
// once), proof, and the proof and benchmark boxes of the receipt.
func (rn *run) prove() error {
	o, n, f := rn.o, rn.n, rn.f
	system := protocol.Groth16
	if o.System == protocol.Plonk {
		system = protocol.Plonk
	}
	compile := CompileFor(system, o.Curve, o.Method, n, f)
	start := time.Now()
	witness := rn.witness
	if o.Method == protocol.Synthetic {
		witness = rn.syntheticWitness
	}
	pub, proveWith, err := witness()
	if err != nil {
		return err
	}
	rn.res.Timings.Witness = time.Since(start)
	if err := rn.phase("key setup"); err != nil {
		return err
	}

	start = time.Now()
	id := keys.IDFor(o.Curve, system, o.Method, n, f)
	set, cached, err := setup.LoadOrSetup(o.Cache, id, compile, o.Progress)
	if err != nil {
		return fmt.Errorf("prove: keys %s: %w", id, err)
	}
	rn.res.Timings.Setup, rn.res.Timings.SetupCached = time.Since(start), cached
	if cached {
		o.logf("keys %s loaded from cache (%s)", id, rn.res.Timings.Setup.Round(time.Millisecond))
	}

	if err := rn.phase("proving"); err != nil {
		return err
	}
	start = time.Now()
	o.logf("proving %s with %s (%d constraints)…", id, system, set.CCS.GetNbConstraints())
	proof, inputs, err := proveWith(set)
	if err != nil {
		return err
	}
	rn.res.Timings.Prove = time.Since(start)
	o.logf("proved in %s", rn.res.Timings.Prove.Round(time.Millisecond))
	var proofBytes bytes.Buffer
	if _, err := proof.WriteTo(&proofBytes); err != nil {
		return fmt.Errorf("prove: encode proof: %w", err)
	}

	r := rn.r
	r.OutputDigest = hexField(pub.OutputDigest)
	r.OutputDigestAlg = protocol.OutputDigestAlgorithm(o.Curve)
	r.PoE = hex.EncodeToString(pub.PoE[:])
	r.BenchmarkResult = &receipt.BenchmarkResult{
		ID:           "prove-cost/" + id.String(),
		Constraints:  set.CCS.GetNbConstraints(),
		ProveSeconds: rn.res.Timings.Prove.Seconds(),
		SetupCached:  cached,
		ClaimLimit:   "capacity context only; not per-job proof",
	}
	r.Proof = &receipt.Proof{
		System:          system,
		Curve:           o.Curve,
		Circuit:         o.Method.Name(),
		KeyFingerprint:  "sha256:" + set.Meta.Fingerprint,
		SetupProvenance: set.Meta.Provenance,
		Bytes:           proofBytes.Bytes(),
		PublicInputs:    inputs,
	}
	return nil
}

// prover proves the statement with a key set and lists the proof's public
// inputs, in decimal, as the proof box carries them.
type prover func(*keys.Set) (proofsystem.Proof, []string, error)

// witness builds a MatMul method's public values and full witness.
func (rn *run) witness() (protocol.Public, prover, error) {
	o := rn.o
	pub, err := protocol.PublicValues(o.Curve, rn.task, o.NodeKey.Public().(ed25519.PublicKey), rn.a, rn.b, rn.c)
	if err != nil {
		return pub, nil, fmt.Errorf("prove: %w", err)
	}
	assignment, err := circuits.Assign(o.Method, rn.n, rn.f, rn.a, rn.b, rn.c, pub)
	if err != nil {
		return pub, nil, fmt.Errorf("prove: witness: %w", err)
	}
	w, err := frontend.NewWitness(assignment, o.Curve.ScalarField())
	if err != nil {
		return pub, nil, fmt.Errorf("prove: witness: %w", err)
	}
	return pub, func(set *keys.Set) (proofsystem.Proof, []string, error) {
		p, err := setup.Prove(set, w)
		if err != nil {
			return nil, nil, fmt.Errorf("prove: %w", err)
		}
		return p, protocol.PublicInputStrings(pub), nil
	}, nil
}

// syntheticWitness builds freivalds-s2's public values and the assignment
// of its pre-solve; s is set once the keys give r (proveSyntheticAssigned).
func (rn *run) syntheticWitness() (protocol.Public, prover, error) {
	pub, err := SyntheticPublic(rn.task, rn.o.NodeKey.Public().(ed25519.PublicKey), rn.c)
	if err != nil {
		return pub, nil, fmt.Errorf("prove %s: %w", protocol.SyntheticCircuitID, err)
	}
	assignment, err := syntheticAssignment(rn.n, rn.f, rn.a, rn.b, rn.c, pub)
	if err != nil {
		return pub, nil, err
	}
	return pub, func(set *keys.Set) (proofsystem.Proof, []string, error) {
		p, s, err := proveSyntheticAssigned(set, assignment, rn.a, rn.b)
		if err != nil {
			return nil, nil, err
		}
		return p, protocol.SyntheticPublicInputStrings(pub, s), nil
	}, nil
}

func hexField(b [32]byte) string { return hex.EncodeToString(b[:]) }
