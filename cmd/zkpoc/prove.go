package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

func runProve(env *cliEnv, args []string) error {
	fs := newFlags(env, "prove", "prove --task TASK.json [-o RECEIPT.json] [flags]", `
Runs the task natively on all cores, proves the result with Groth16 (keys set up
once and cached), and writes the receipt signed by the node key (a DSSE envelope).

Before proving, the cost model estimates constraints, seconds (setup included
when keys are not cached) and memory. With --mode auto (the default), a task
whose estimate exceeds the budget is not proved: its output rows are committed
in a Merkle tree, k rows are opened, and the receipt's mode is "sampled", with
the estimate, the budget and the reason recorded.
--mode binding records only the PoE binding (no correctness evidence).

A sampled receipt's rows come from randomness the node cannot re-roll:
  - by default, Fiat–Shamir over the committed root hardened by a proof of work
    (--pow-bits, default 22: about 4M SHA-256 hashes, under a second), with k
    sized so that an attacker with 2^64 hash evaluations (--work-log2) passes a
    5%-wrong output with probability ≤ 2^-20 (k = 404 at n = 512, 756 at 4096);
  - or a challenge issued after the commitment, in two steps:
      zkpoc prove --task T --mode binding -o commit.json   # publishes the row root
      # the challenger reads the root (zkpoc inspect commit.json: "output"),
      # then issues 32 random bytes (or names a later public beacon)
      zkpoc prove --task T --mode sampled --challenge HEX -o receipt.json
      zkpoc verify --challenge HEX --committed-root ROOT receipt.json
    The product is recomputed in step two and commits to the same root. A
    verifier without the challenge and root holds such a receipt.
A synthetic task too large for freivalds-v5 within the budget is proved with
freivalds-s2 where that fits: the verifier regenerates A and B, computes
uᵀ·A·B·v itself, and the circuit proves only uᵀ·(2^f·C' + R)·v against it
(about half the constraints: n = 1024 in about 13 GiB once its keys are set
up with zkpoc keys setup --circuit freivalds-s2 -n 1024). Such a receipt
verifies offline; chain export refuses it (use --circuit freivalds-v5).
--system plonk proves with PLONK (KZG) instead; --curve bls12-381 proves over
BLS12-381 (a synthetic task; its receipts have no EVM export).
--worker ADDR signs the worker address the result is submitted under into the
receipt (node.worker_address): zkpoc root puts it in the ComputeResult and
refuses any other (with --block-hash, prove first checks that the task's seed
is SHA-256(block_hash ‖ ADDR)).`)
	taskPath := fs.String("task", "", "task JSON file (from zkpoc challenge new; -: stdin); with --a and --b alone, a supplied task is made on the fly")
	var in inputFlags
	in.register(fs, "a supplied task's input")
	out := fs.String("o", "receipt.json", "receipt output file (-: stdout)")
	nodeKey := fs.String("node-key", defaultNodeKeyPath(), "node Ed25519 key (PKCS#8 PEM); created if absent")
	circuit := fs.String("circuit", "", "circuit: "+protocol.Freivalds.Name()+", "+protocol.Synthetic.Name()+" (synthetic tasks, Groth16 on bn254; its receipts verify offline and never go on chain) or "+protocol.Naive.Name()+
		" (default: "+protocol.Freivalds.Name()+", or with --mode auto or groth16 "+protocol.Synthetic.Name()+" for a synthetic task whose "+protocol.Freivalds.Name()+" estimate is over the budget while "+protocol.Synthetic.Name()+"'s is not, without --worker)")
	system := fs.String("system", string(protocol.Groth16), "proof system: groth16 or plonk (PLONK skips the budget check: the cost model covers Groth16 only)")
	curveName := fs.String("curve", string(protocol.BN254), "curve: bn254 or bls12-381 (synthetic tasks only; no EVM export); default: the curve of the task's input commitment, else bn254")
	worker := fs.String("worker", "", "worker address the result is submitted under (cpc1…): signed into the receipt as node.worker_address, which zkpoc root and chain export then require")
	blockHash := fs.String("block-hash", "", "with --worker, for a synthetic task: the block hash its seed was derived from; refuses a --worker whose SHA-256(block_hash ‖ worker) is not the seed")
	var pf proveFlags
	pf.register(fs)
	if err := parseNone(fs, args); err != nil {
		return err
	}
	// Refuse bad input before any work: the output path, the mode and proof
	// system, the executor and the node key are checked first.
	if err := checkOutput("-o", *out); err != nil {
		return err
	}
	if err := checkSystem(*system); err != nil {
		return err
	}
	givenSystem := "" // the mode's, unless --system says
	if isSet(fs, "system") {
		givenSystem = *system
	}
	mode, sys, err := prover.ResolveMode(protocol.Mode(pf.mode), protocol.System(givenSystem))
	if err != nil {
		return withHint(usageError{err}, "--mode is auto, groth16, plonk (= --system plonk), sampled or binding")
	}
	if err := checkExecutor("--executor", pf.executor); err != nil {
		return err
	}
	task, a, b, err := proveTask(env, *taskPath, in)
	if err != nil {
		return err
	}
	if err := checkProveWorker(task, *worker, *blockHash); err != nil {
		return err
	}
	m, autoSynthetic := protocol.Freivalds, *circuit == ""
	if !autoSynthetic {
		if m, err = parseMethod(*circuit); err != nil {
			return err
		}
	}
	key, _, err := loadNodeKey(*nodeKey)
	if err != nil {
		return err
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	var progress io.Writer
	if !env.quiet {
		progress = env.stderr
	}
	var curve protocol.Curve // "": the task's
	if isSet(fs, "curve") {
		if curve, err = parseCurve(*curveName); err != nil {
			return err
		}
	}
	opts := prover.Options{Task: task, NodeKey: key, Cache: cache, Method: m, AutoSynthetic: autoSynthetic, Progress: progress, System: sys, Curve: curve, A: a, B: b, WorkerAddress: *worker}
	if err := pf.apply(&opts); err != nil {
		return err
	}
	opts.Mode = mode
	res, err := prover.Run(env.ctx, opts)
	if errors.Is(err, protocol.ErrInputsMismatch) || errors.Is(err, workload.ErrInvalidTask) || errors.Is(err, protocol.ErrTaskCurve) {
		return usageError{err}
	}
	if errors.Is(err, protocol.ErrUnsupported) {
		return withHint(usageError{err}, "--circuit %s proves every task on every system and curve", protocol.Freivalds.Name())
	}
	if errors.Is(err, prover.ErrReceiptTooLarge) {
		return withHint(err, "open fewer rows (--samples) or raise the proof of work (--pow-bits), which lowers the k needed")
	}
	if err != nil {
		return err
	}
	if err := writeJSON(env, *out, res.Envelope); err != nil {
		return fmt.Errorf("write receipt: %w", err)
	}
	if *out == stdinName { // the receipt is stdout's
		fmt.Fprintf(env.progress(), "receipt %s (%s) written to stdout\n", res.Receipt.ReceiptID, res.Receipt.Mode)
		return nil
	}
	fmt.Fprintf(env.stdout, "receipt %s (%s) written to %s\n", res.Receipt.ReceiptID, res.Receipt.Mode, *out)
	return nil
}

// checkProveWorker checks prove's --worker and --block-hash: a well-formed
// address and, with a block hash, a synthetic task whose seed that worker's
// (SHA-256(block_hash ‖ worker)).
func checkProveWorker(task workload.ComputeTask, worker, blockHash string) error {
	if worker == "" {
		if blockHash != "" {
			return usagef("--block-hash checks the --worker address against the task's seed: give --worker too")
		}
		return nil
	}
	if err := workload.CheckWorkerAddress("--worker", worker); err != nil {
		return usageError{err}
	}
	if blockHash == "" {
		return nil
	}
	bh, err := parseBlockHash("--block-hash", blockHash)
	if err != nil {
		return err
	}
	if task.Supplied() {
		return usagef("--block-hash: task %s is over supplied matrices: it has no seed to check the worker address against", task.TaskID)
	}
	if err := task.IssuedTo(bh, worker); err != nil {
		return withHint(usagef("--worker: task %s: %w", task.TaskID, err), "give the worker address and block hash the task was made with (zkpoc challenge new --block-hash … --worker …)")
	}
	return nil
}

// proveTask returns the task to prove and, for a supplied task, its matrices:
// --task alone (synthetic, or supplied with --a and --b), or --a and --b alone
// (a supplied task made on the fly, with a random task id, reward 0 and a
// deadline a day ahead).
func proveTask(env *cliEnv, taskPath string, in inputFlags) (workload.ComputeTask, []int16, []int16, error) {
	var task workload.ComputeTask
	var a, b workload.Matrix
	var err error
	if in.given() {
		if a, b, err = in.read(); err != nil {
			return task, nil, nil, err
		}
	}
	switch {
	case taskPath != "":
		if task, err = readTask(env, taskPath); err != nil {
			return task, nil, nil, err
		}
		if task.Supplied() && !in.given() {
			return task, nil, nil, usagef("task %s is over supplied matrices (input_commitment %s): give their files with --a and --b", taskPath, task.Payload.InputCommitment)
		}
		if !task.Supplied() && in.given() {
			return task, nil, nil, usagef("task %s is synthetic (its matrices come from its seed): --a and --b do not apply", taskPath)
		}
		if in.given() && a.N != task.Payload.MatrixSize {
			return task, nil, nil, usagef("the files hold %d×%d matrices, task %s is for n = %d", a.N, a.N, taskPath, task.Payload.MatrixSize)
		}
	case in.given():
		tf := taskFlags{reward: "0", f: workload.DefaultFracBits, deadline: time.Now().Add(24 * time.Hour).Unix()}
		if task, err = tf.suppliedTask(a, b); err != nil {
			return task, nil, nil, err
		}
		fmt.Fprintf(env.progress(), "supplied task %s: n=%d f=%d, input_commitment %s\n", task.TaskID, a.N, tf.f, task.Payload.InputCommitment)
	default:
		return task, nil, nil, usagef("--task is required (or --a and --b for supplied matrices)")
	}
	return task, a.Data, b.Data, nil
}
