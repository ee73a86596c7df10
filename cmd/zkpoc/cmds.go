package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// The embedded default challenge the demo runs.
const (
	demoBlockHash = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	demoWorker    = "cpc1qzkpocexampleworker0"
	demoTaskID    = "3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20"
	demoReward    = "10.0"
	demoDeadline  = 1795000000
	demoN         = 16
)

// taskFlags are the flags that describe a synthetic challenge. curve ("":
// bn254) names the curve of the input commitment the task carries; unbound
// makes a v1 task that carries none.
type taskFlags struct {
	blockHash, worker, taskID, reward, curve string
	n, f                                     int
	deadline                                 int64
	unbound                                  bool
}

func (t *taskFlags) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
	Int64Var(*int64, string, int64, string)
}, defaults taskFlags) {
	fs.StringVar(&t.blockHash, "block-hash", defaults.blockHash, "block hash, 32 bytes hex: with the worker address it seeds the matrices")
	fs.StringVar(&t.worker, "worker", defaults.worker, "worker address (UTF-8), e.g. cpc1...")
	fs.StringVar(&t.taskID, "task-id", defaults.taskID, "task UUID (default: a random one)")
	fs.StringVar(&t.reward, "reward", defaults.reward, "reward as decimal CPC, e.g. 10.0 (18 decimals, exact)")
	fs.IntVar(&t.n, "n", defaults.n, "matrix size n (n×n int16 matrices)")
	fs.IntVar(&t.f, "f", workload.DefaultFracBits, "fractional bits f: C' = floor(A·B / 2^f)")
	fs.Int64Var(&t.deadline, "deadline", defaults.deadline, "deadline, unix seconds")
}

func (t *taskFlags) task() (workload.ComputeTask, error) {
	bh, err := parseBlockHash("--block-hash", t.blockHash)
	if err != nil {
		return workload.ComputeTask{}, err
	}
	if t.worker == "" {
		return workload.ComputeTask{}, usagef("--worker is required")
	}
	if err := workload.CheckWorkerAddress("--worker", t.worker); err != nil {
		return workload.ComputeTask{}, usageError{err}
	}
	wei, id, err := t.rewardAndID()
	if err != nil {
		return workload.ComputeTask{}, err
	}
	seed := workload.DeriveSeed(bh, t.worker)
	var task workload.ComputeTask
	if t.unbound {
		task, err = workload.NewSyntheticTask(id, seed, t.n, t.f, wei, t.deadline)
	} else {
		curve := protocol.BN254
		if t.curve != "" {
			if curve, err = parseCurve(t.curve); err != nil {
				return task, err
			}
		}
		task, err = protocol.NewSyntheticTask(curve, id, seed, t.n, t.f, wei, t.deadline)
	}
	if err != nil {
		return task, usageError{err}
	}
	return task, nil
}

// rewardAndID parses --reward into wei and returns --task-id, or a random one.
func (t *taskFlags) rewardAndID() (wei, id string, err error) {
	if wei, err = workload.ParseCPC(t.reward); err != nil {
		return "", "", usagef("--reward: %w", err)
	}
	if id = t.taskID; id == "" {
		if id, err = workload.NewTaskID(); err != nil {
			return "", "", err
		}
	}
	return wei, id, nil
}

func parseMethod(name string) (protocol.Method, error) {
	m, err := protocol.ParseMethod(name)
	if err != nil {
		return m, usagef("--circuit: %w", err)
	}
	return m, nil
}

func runDemo(env *cliEnv, args []string) error {
	fs := newFlags(env, "demo", "demo [flags]", `
Runs the main job end to end on an embedded default: a node key (created once
under $ZKPOC_HOME), a synthetic challenge from a fixed block hash and worker
address (n = 16), the native product, Groth16 keys (set up once, then cached),
the proof, the signed receipt, and the offline verification of that receipt.
The first run sets up keys (about a minute on 2 cores); later runs reuse them.`)
	var tf taskFlags
	tf.register(fs, taskFlags{blockHash: demoBlockHash, worker: demoWorker, taskID: demoTaskID, reward: demoReward, n: demoN, deadline: demoDeadline})
	out := fs.String("out", "", "where to write the receipt (default: $ZKPOC_HOME/demo/receipt.json)")
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit: "+protocol.Freivalds.Name()+" or "+protocol.Naive.Name()+" (the n³ reference)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	task, err := tf.task()
	if err != nil {
		return err
	}
	m, err := parseMethod(*circuit)
	if err != nil {
		return err
	}
	h, err := home()
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(h, "demo", "receipt.json")
	}
	key, created, err := receipt.LoadOrCreateNodeKey(defaultNodeKeyPath())
	if err != nil {
		return err
	}
	progress := env.stderr
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	fmt.Fprintf(progress, "node %s (key %s%s)\n", hex.EncodeToString(id[:8]), defaultNodeKeyPath(), map[bool]string{true: ", created", false: ""}[created])
	fmt.Fprintf(progress, "challenge: %s, n=%d, f=%d, seed %s… from block %s… and worker %s\n",
		task.TaskID, task.Payload.MatrixSize, task.Payload.FracBits, task.Payload.Seed[:16], tf.blockHash[:16], tf.worker)
	cache, err := keyCache()
	if err != nil {
		return err
	}
	res, err := prover.Run(prover.Options{Task: task, NodeKey: key, Cache: cache, Method: m, Progress: progress, WorkerAddress: tf.worker})
	if err != nil {
		return err
	}
	if err := writeJSON(*out, res.Envelope); err != nil {
		return fmt.Errorf("write receipt: %w", err)
	}
	start := time.Now()
	v := verifier.Verify(res.Envelope, verifier.Options{Cache: &cache})
	tm := res.Timings
	keysState := "set up now"
	if tm.SetupCached {
		keysState = "cached"
	}
	fmt.Fprintf(progress, "timings: native %s, keys %s (%s), witness %s, prove %s, verify %s\n",
		tm.Native.Round(time.Microsecond), tm.Setup.Round(time.Millisecond), keysState,
		tm.Witness.Round(time.Millisecond), tm.Prove.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if *asJSON {
		if err := printJSON(env, struct {
			Receipt string            `json:"receipt"`
			Verdict *verifier.Verdict `json:"verdict"`
		}{*out, v}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.stdout, "receipt: %s\n", *out)
		printVerdict(env, v)
	}
	return verdictExit(v)
}

func runChallenge(env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "matrices" {
		return runChallengeMatrices(env, args[1:])
	}
	if len(args) == 0 || args[0] != "new" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.stdout, "Usage: zkpoc challenge new|matrices [flags]\n\n"+
				"  new       makes a matrix_mul task: synthetic (from a block hash and a worker address)\n"+
				"            or over supplied matrix files (--a, --b)\n"+
				"  matrices  writes a synthetic task's A and B as .npy or .csv files\n\n"+
				"Run \"zkpoc challenge <sub> -h\" for flags.")
			return nil
		}
		return usagef("usage: zkpoc challenge new|matrices [flags]")
	}
	fs := newFlags(env, "challenge new", "challenge new (--block-hash HEX --worker ADDR | --a A.npy --b B.npy) [flags]", `
Makes a matrix_mul ComputeTask and prints it as JSON (or writes it with -o).
Synthetic: seed = SHA-256(block_hash ‖ worker_address), A and B generated from
the seed (DESIGN.md). Supplied (--a, --b): A and B come from NumPy int16 .npy
or CSV files, n is read from them, and the task names their input commitment
(Poseidon2 over A then B); prover and verifier then need the same files.
A synthetic task carries the input commitment of the matrices its seed derives
(payload.input_commitment, over --curve, named by payload.input_commitment_algorithm)
so that request_id binds them and chain verifiers can compare a proof with it;
--unbound writes the v1 form without it.
request_id = SHA-256 of the task's RFC 8785 canonical JSON is printed on stderr.`)
	var tf taskFlags
	tf.register(fs, taskFlags{reward: "0", n: demoN, deadline: time.Now().Add(24 * time.Hour).Unix()})
	fs.StringVar(&tf.curve, "curve", string(protocol.BN254), "synthetic: the curve whose input commitment the task carries (payload.input_commitment_algorithm); the task is proved on it")
	fs.BoolVar(&tf.unbound, "unbound", false, "synthetic: a v1 task without payload.input_commitment (verifies offline; chain export refuses its receipts)")
	var in inputFlags
	in.register(fs, "supplied input")
	out := fs.String("o", "", "write the task to this file instead of stdout")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	var task workload.ComputeTask
	if in.given() {
		a, b, err := in.read()
		if err != nil {
			return err
		}
		if task, err = tf.suppliedTask(a, b); err != nil {
			return err
		}
	} else {
		if tf.blockHash == "" {
			return usagef("--block-hash is required (or --a and --b for supplied matrices)")
		}
		var err error
		if task, err = tf.task(); err != nil {
			return err
		}
	}
	rid, err := task.RequestID()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "request_id %s\n", hex.EncodeToString(rid[:]))
	if !in.given() {
		// The task cannot carry its worker (that would change request_id):
		// the receipt does, signed by the node.
		fmt.Fprintf(env.stderr, "worker %s: prove with --worker %s so the receipt signs it (zkpoc root takes it from there)\n", tf.worker, tf.worker)
	}
	if *out != "" {
		return writeJSON(*out, task)
	}
	return printJSON(env, task)
}

func runKeys(env *cliEnv, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "setup":
		fs := newFlags(env, "keys setup", "keys setup [--n N] [--f F] [--circuit C] [--system plonk [--curve bls12-381] [--srs FILE --srs-name NAME]]", `
Compiles the circuit for n×n matrices and runs a Groth16 dev (single-party) setup,
caching the keys under $ZKPOC_HOME/keys. Nothing happens if they are cached already.
A dev setup lets whoever ran it forge proofs; receipts say so in their claim.
With --system plonk it sets up PLONK (KZG) keys instead, over an unsafe dev SRS,
or over the KZG SRS file --srs (gnark-crypto's BN254 kzg.SRS encoding), which is
checked to be a power sequence and recorded as srs(NAME, sha256:DIGEST).
--curve bls12-381 sets up the keys over BLS12-381 (Groth16 with gnark's setup,
about 10× slower than zkpoc's BN254 setup; PLONK over a dev SRS only).`)
		n := fs.Int("n", demoN, "matrix size")
		f := fs.Int("f", workload.DefaultFracBits, "fractional bits")
		circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit name")
		system := fs.String("system", string(protocol.Groth16), "proof system: groth16 or plonk")
		srsPath := fs.String("srs", "", "PLONK only: KZG SRS file to set up over (default: an unsafe dev SRS)")
		srsName := fs.String("srs-name", "", "PLONK only: the SRS's name for the provenance record, [a-z0-9._-]")
		curveName := fs.String("curve", string(protocol.BN254), "curve: bn254 or bls12-381 (BLS12-381: gnark's Groth16 setup, or PLONK over a dev SRS)")
		if _, err := parse(fs, args); err != nil {
			return err
		}
		curve, err := parseCurve(*curveName)
		if err != nil {
			return err
		}
		m, err := parseMethod(*circuit)
		if err != nil {
			return err
		}
		if _, err := circuits.New(m, *n, *f); err != nil {
			return usageError{err}
		}
		cache, err := keyCache()
		if err != nil {
			return err
		}
		set, cached, err := setupKeys(cache, *system, curve, m, *n, *f, *srsPath, *srsName, env.stderr)
		if err != nil {
			return err
		}
		state := "set up"
		if cached {
			state = "already cached"
		}
		fmt.Fprintf(env.stdout, "%s %s: fingerprint sha256:%s, %d constraints, provenance %s\n", set.Meta.ID, state, set.Meta.Fingerprint, set.Meta.Constraints, set.Meta.Provenance)
		return nil
	case "list":
		fs := newFlags(env, "keys list", "keys list [--json]", "Lists the cached keys.")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parse(fs, args); err != nil {
			return err
		}
		cache, err := keyCache()
		if err != nil {
			return err
		}
		metas, err := cache.List()
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(env, metas)
		}
		for _, m := range metas {
			fmt.Fprintf(env.stdout, "%-40s sha256:%s  %9d constraints  %s%s\n", m.ID, m.Fingerprint, m.Constraints, m.Provenance, originNote(m.Origin))
		}
		return nil
	case "export":
		return runKeysExport(env, args)
	case "import":
		return runKeysImport(env, args)
	case "export-vk":
		fs := newFlags(env, "keys export-vk", "keys export-vk --fingerprint HEX -o FILE", `
Writes a cached verifying key to a file, to hand to verifiers (zkpoc verify --key FILE).`)
		fp := fs.String("fingerprint", "", "key fingerprint (sha256:… or hex), as receipts name it")
		out := fs.String("o", "", "output file")
		if _, err := parse(fs, args); err != nil {
			return err
		}
		if *fp == "" || *out == "" {
			return usagef("keys export-vk needs --fingerprint and -o")
		}
		cache, err := keyCache()
		if err != nil {
			return err
		}
		return exportVK(cache, strings.TrimPrefix(*fp, "sha256:"), *out)
	case "-h", "--help":
		fmt.Fprintln(env.stdout, "Usage: zkpoc keys setup|list|export|import|export-vk [flags]\n\n"+
			"  setup      sets up (dev) keys for a circuit shape in the local cache\n"+
			"  list       lists the cached keys, this machine's own and imported ones\n"+
			"  export     writes a key bundle for verifiers (the key, its circuit, provenance, transcript or SRS digest)\n"+
			"  import     checks a key bundle and adds its key to the local cache\n"+
			"  export-vk  writes a bare verifying key (its circuit cannot be established from it)\n\n"+
			"Run \"zkpoc keys <sub> -h\" for flags.")
		return nil
	}
	return usagef("usage: zkpoc keys setup|list|export|import|export-vk [flags]")
}

// originNote is keys list's note on where a cached key came from.
func originNote(o *keys.Origin) string {
	if o == nil || o.Source != keys.OriginImport {
		return ""
	}
	if o.Circuit == "" {
		return "  (imported; circuit NOT established)"
	}
	return fmt.Sprintf("  (imported; circuit established: %s)", o.Circuit)
}

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
--system plonk proves with PLONK (KZG) instead; --curve bls12-381 proves over
BLS12-381 (a synthetic task; its receipts have no EVM export).
--worker ADDR signs the worker address the result is submitted under into the
receipt (node.worker_address): zkpoc root puts it in the ComputeResult and
refuses any other (with --block-hash, prove first checks that the task's seed
is SHA-256(block_hash ‖ ADDR)).`)
	taskPath := fs.String("task", "", "task JSON file (from zkpoc challenge new); with --a and --b alone, a supplied task is made on the fly")
	var in inputFlags
	in.register(fs, "a supplied task's input")
	out := fs.String("o", "receipt.json", "receipt output file")
	nodeKey := fs.String("node-key", defaultNodeKeyPath(), "node Ed25519 key (PKCS#8 PEM); created if absent")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit: "+protocol.Freivalds.Name()+" or "+protocol.Naive.Name())
	quiet := fs.Bool("q", false, "no progress on stderr")
	system := fs.String("system", string(protocol.Groth16), "proof system: groth16 or plonk (PLONK skips the budget check: the cost model covers Groth16 only)")
	curveName := fs.String("curve", string(protocol.BN254), "curve: bn254 or bls12-381 (synthetic tasks only; no EVM export); default: the curve of the task's input commitment, else bn254")
	worker := fs.String("worker", "", "worker address the result is submitted under (cpc1…): signed into the receipt as node.worker_address, which zkpoc root and chain export then require")
	blockHash := fs.String("block-hash", "", "with --worker, for a synthetic task: the block hash its seed was derived from; refuses a --worker whose SHA-256(block_hash ‖ worker) is not the seed")
	var pf proveFlags
	pf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	task, a, b, err := proveTask(env, *taskPath, in)
	if err != nil {
		return err
	}
	if err := checkProveWorker(task, *worker, *blockHash); err != nil {
		return err
	}
	m, err := parseMethod(*circuit)
	if err != nil {
		return err
	}
	key, _, err := receipt.LoadOrCreateNodeKey(*nodeKey)
	if err != nil {
		return err
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	var progress = env.stderr
	if *quiet {
		progress = nil
	}
	if err := checkSystem(*system); err != nil {
		return err
	}
	if protocol.Mode(pf.mode) == protocol.ModePlonk && !isSet(fs, "system") {
		*system = string(protocol.Plonk)
	}
	var curve protocol.Curve // "": the task's
	if isSet(fs, "curve") {
		if curve, err = parseCurve(*curveName); err != nil {
			return err
		}
	}
	opts := prover.Options{Task: task, NodeKey: key, Cache: cache, Method: m, Progress: progress, System: protocol.System(*system), Curve: curve, A: a, B: b, WorkerAddress: *worker}
	if err := pf.apply(&opts); err != nil {
		return err
	}
	res, err := prover.Run(opts)
	if errors.Is(err, protocol.ErrInputsMismatch) || errors.Is(err, workload.ErrInvalidTask) || errors.Is(err, protocol.ErrTaskCurve) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if err := writeJSON(*out, res.Envelope); err != nil {
		return fmt.Errorf("write receipt: %w", err)
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

// parseBlockHash parses a 32-byte hex block hash given by flag.
func parseBlockHash(flag, s string) ([32]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return [32]byte{}, usagef("%s: want 64 hex characters, have %q", flag, s)
	}
	return [32]byte(b), nil
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
		if task, err = readTask(taskPath); err != nil {
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
		fmt.Fprintf(env.stderr, "supplied task %s: n=%d f=%d, input_commitment %s\n", task.TaskID, a.N, tf.f, task.Payload.InputCommitment)
	default:
		return task, nil, nil, usagef("--task is required (or --a and --b for supplied matrices)")
	}
	return task, a.Data, b.Data, nil
}

func runVerify(env *cliEnv, args []string) error {
	fs := newFlags(env, "verify", "verify [--key BUNDLE|VK [--srs SRS | --ceremony DIR --beacon HEX]] [--policy P] [--json] RECEIPT", `
Checks a receipt offline: the node's signature, node_id, request_id, the input
commitment regenerated from the task's seed (for a task over supplied matrices:
recomputed from the files given with --a and --b; without them the proof is
checked against the commitment alone, and a sampled receipt is held because its
rows cannot be re-executed), the PoE, and the Groth16 or PLONK proof under
the verifying key (--key, or found in the local cache by the receipt's fingerprint).
Prints the verdict: pass (exit 0), reject (exit 1) or hold (exit 3), every check run,
and the claim the evidence allows. A sampled receipt whose rows come from a
challenge passes only when --challenge and --committed-root say which challenge
this verifier issued after which commitment; without them it is held.

Keys: without the key the receipt names, the verdict is hold (exit 3) and a
hint says how to get it (zkpoc keys export on the node, zkpoc keys import
here). The claim names the receipt's circuit only under a key established for
it: this machine's own, a PLONK key re-derived from its SRS (keys import
--srs, or --key BUNDLE --srs SRS here), a ceremony key whose transcript was
verified against the compiled circuit (--ceremony DIR --beacon HEX), or a key
the policy pins. Under a bare key file (--key vk.bin) or an unchecked bundle
the claim says the key's circuit was not established and nothing about the
output's correctness, and zk-strict-v1 holds.`)
	keyPath := fs.String("key", "", "verifying key: a key bundle (zkpoc keys export) or a bare key file (default: look up the receipt's fingerprint in the cache)")
	var tf trustFlags
	tf.register(fs)
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	verdictOut := fs.String("verdict-out", "", "also write the verdict JSON to this file")
	var accept stringList
	fs.Var(&accept, "accept-key", "accept only proofs under this verifying-key fingerprint (repeatable)")
	policyRef := fs.String("policy", protocol.DefaultPolicyID, "policy: "+strings.Join(verifier.PolicyIDs(), ", ")+", or a policy JSON file")
	var in inputFlags
	in.register(fs, "a supplied task's input, checked against its commitment")
	var cf challengeFlags
	cf.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("verify takes exactly one receipt file, have %d arguments", len(pos))
	}
	envl, err := readEnvelope(pos[0])
	if err != nil {
		return err
	}
	pol, err := verifier.LookupPolicy(*policyRef)
	if err != nil {
		return usageError{err}
	}
	o := verifier.Options{Policy: &pol, AcceptKeys: accept}
	if err := in.apply(&o); err != nil {
		return err
	}
	if err := cf.apply(&o); err != nil {
		return err
	}
	if err := setKeySource(&o, *keyPath, envl, tf, env.stderr); err != nil {
		return err
	}
	v := verifier.Verify(envl, o)
	if *verdictOut != "" {
		if err := writeJSON(*verdictOut, v); err != nil {
			return err
		}
	}
	if *asJSON {
		if err := printJSON(env, v); err != nil {
			return err
		}
	} else {
		printVerdict(env, v)
	}
	if h := keyHint(v); h != "" {
		fmt.Fprintf(env.stderr, "hint: %s\n", h)
	}
	return verdictExit(v)
}

// keyHint says how to obtain the verifying key a verdict lacked, "" when
// it lacked none.
func keyHint(v *verifier.Verdict) string {
	if v == nil || v.KeyNeeded == "" {
		return ""
	}
	return fmt.Sprintf("verifying key %s is not in the local key cache: get its bundle from the node (zkpoc keys export %s there), then zkpoc keys import BUNDLE here, or pass --key FILE", v.KeyNeeded, v.KeyNeeded)
}

func verdictExit(v *verifier.Verdict) error {
	if code := verdictCode(v); code != exitOK {
		return exitError{code}
	}
	return nil
}

// verdictCode is a verdict's exit code: 0 pass, 3 hold, 1 reject.
func verdictCode(v *verifier.Verdict) int {
	switch v.PolicyDecision.Status {
	case verifier.Pass:
		return exitOK
	case verifier.Hold:
		return exitHold
	}
	return exitReject
}

// requirePass verifies the receipt read from path as verify does (its
// signature, node identity, receipt_id, commitments, PoE and proof, under
// the key file keyPath or the cached key its fingerprint names, default
// policy) and refuses it unless it passes, with the verdict's exit code:
// what verify rejects or holds is never exported or put in a block.
func requirePass(e *receipt.Envelope, path, keyPath, purpose string) error {
	pol := verifier.BuiltinPolicies[protocol.DefaultPolicyID]
	o := verifier.Options{Policy: &pol}
	if err := setKeySource(&o, keyPath, e, trustFlags{}, nil); err != nil {
		return err
	}
	v := verifier.Verify(e, o)
	if code := verdictCode(v); code != exitOK {
		err := fmt.Errorf("receipt %s does not verify (%s under %s: %s): refusing to %s",
			path, v.PolicyDecision.Status, pol.ID, v.PolicyDecision.Reason, purpose)
		if h := keyHint(v); h != "" {
			return refusal{code, withHint(err, "%s", h)}
		}
		return refusal{code, withHint(err, "zkpoc verify %s lists every check and its detail", path)}
	}
	return nil
}

func printVerdict(env *cliEnv, v *verifier.Verdict) {
	w := env.stdout
	fmt.Fprintf(w, "verdict: %s (policy %s, %s)\n", v.PolicyDecision.Status, v.PolicyDecision.PolicyID, v.PolicyDecision.PolicyDigest)
	fmt.Fprintf(w, "reason:  %s\n", v.PolicyDecision.Reason)
	for _, c := range v.PolicyDecision.Checks {
		line := fmt.Sprintf("  %-4s %s", c.Status, c.Name)
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "allowed claim: %s\n", v.AllowedClaim)
	fmt.Fprintln(w, "blocked claims:")
	for _, b := range v.BlockedClaims {
		fmt.Fprintf(w, "  - %s\n", b)
	}
}

func runInspect(env *cliEnv, args []string) error {
	fs := newFlags(env, "inspect", "inspect [--json] RECEIPT", `
Prints what a receipt says (task, node, digests, proof metadata) without checking
it. Use zkpoc verify to judge it. A receipt whose signed body carries a verdict
(policy_decision, allowed_claim) or drops a standard blocked claim was judged by
the node itself: inspect marks those fields as node-written and exits 1, as
verify rejects such a receipt.`)
	asJSON := fs.Bool("json", false, "print the decoded statement as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("inspect takes exactly one receipt file")
	}
	envl, err := readEnvelope(pos[0])
	if err != nil {
		return err
	}
	st, _, err := envl.Statement()
	if err != nil {
		return usageError{err}
	}
	r := st.Predicate
	judged := r.CheckUnjudged()
	if *asJSON {
		if err := printJSON(env, st); err != nil {
			return err
		}
		return nodeVerdictRefusal(pos[0], judged)
	}
	w := env.stdout
	fmt.Fprintf(w, "receipt   %s (%s, mode %s) — NOT verified; run zkpoc verify\n", r.ReceiptID, r.Version, r.Mode)
	if judged != nil {
		fmt.Fprintln(w, "NODE-WRITTEN verdict fields, NOT trustworthy (only a verifier's verdict counts):")
		for _, line := range strings.Split(judged.Error(), "\n") {
			fmt.Fprintf(w, "          %s\n", line)
		}
	}
	source := "seed " + r.Task.Payload.Seed
	if r.Task.Supplied() {
		source = "supplied matrices, input_commitment " + r.Task.Payload.InputCommitment
	}
	fmt.Fprintf(w, "task      %s: %s n=%d f=%d, %s\n", r.Task.TaskID, r.Task.ChallengeType, r.Task.Payload.MatrixSize, r.Task.Payload.FracBits, source)
	fmt.Fprintf(w, "reward    %s wei, deadline %d\n", r.Task.Reward, r.Task.Deadline)
	fmt.Fprintf(w, "node      %s\n", r.Node.NodeID)
	if a := r.Node.WorkerAddress; a != "" {
		fmt.Fprintf(w, "worker    %q (node.worker_address)\n", a)
	}
	fmt.Fprintf(w, "request   %s\n", r.RequestID)
	fmt.Fprintf(w, "input     %s\n", r.InputCommitment)
	fmt.Fprintf(w, "output    %s\n", r.OutputDigest)
	fmt.Fprintf(w, "poe       %s\n", r.PoE)
	if ce := r.CostEstimate; ce != nil {
		fmt.Fprintf(w, "decision  %s: %s\n", ce.Decision, ce.Reason)
	}
	if s := r.Sampling; s != nil {
		fmt.Fprintf(w, "sampling  %s\n", describeSampling(s))
	}
	if p := r.Proof; p != nil {
		fmt.Fprintf(w, "proof     %s/%s %s, %d bytes, key %s (%s)\n", p.System, p.Curve, p.Circuit, len(p.Bytes), p.KeyFingerprint, p.SetupProvenance)
	}
	if m := r.RuntimeMeasurement; m != nil {
		usable := "usable CPUs not recorded"
		if m.UsableCPUs > 0 {
			usable = fmt.Sprintf("%d usable CPUs", m.UsableCPUs)
		}
		fmt.Fprintf(w, "runtime   %s on %s, %s (the CPU package reports %d logical cores), %.6f s (%s)\n", m.Executor, m.CPU, usable, m.LogicalCores, m.NativeSeconds, m.ClaimLimit)
	}
	return nodeVerdictRefusal(pos[0], judged)
}

// nodeVerdictRefusal is inspect's exit for a receipt whose signed body the
// node judged itself (err from CheckUnjudged): a reject, nil when err is nil.
func nodeVerdictRefusal(path string, err error) error {
	if err == nil {
		return nil
	}
	return refusal{exitReject, withHint(fmt.Errorf("receipt %s: the node wrote verifier fields into what it signed; they are not a verdict: %w", path, err),
		"a verdict comes only from zkpoc verify, which rejects this receipt")}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
