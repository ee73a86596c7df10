package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"time"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/verifier"
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

func runDemo(env *cliEnv, args []string) error {
	fs := newFlags(env, "demo", "demo [flags]", `
Runs the main job end to end on an embedded default: a node key (created once
under $ZKPOC_HOME), a synthetic challenge from a fixed block hash and worker
address (n = 16), the native product, Groth16 keys (set up once, then cached),
the proof, the signed receipt, and the offline verification of that receipt.
The first run sets up keys: measured on 2 shared cores, about 3 s in all (key
setup 1.6 s of 60,517 constraints, prove 0.5 s); later runs reuse them and take
about 1 s. Progress goes to stderr (--quiet: none), the verdict to stdout.`)
	var tf taskFlags
	tf.register(fs, taskFlags{blockHash: demoBlockHash, worker: demoWorker, taskID: demoTaskID, reward: demoReward, n: demoN, deadline: demoDeadline})
	out := fs.String("out", "", "where to write the receipt (default: $ZKPOC_HOME/demo/receipt.json)")
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit: "+protocol.Freivalds.Name()+" or "+protocol.Naive.Name()+" (the n³ reference)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("demo takes no arguments, have %q", pos)
	}
	if *out == stdinName {
		return withHint(usagef("demo --out -: the verdict goes to stdout; the receipt needs a file"), "zkpoc prove -o - writes a receipt to stdout")
	}
	if err := checkOutput("--out", *out); err != nil {
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
	key, created, err := loadNodeKey(defaultNodeKeyPath())
	if err != nil {
		return err
	}
	progress := env.progress()
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	fmt.Fprintf(progress, "node %s (key %s%s)\n", hex.EncodeToString(id[:8]), defaultNodeKeyPath(), map[bool]string{true: ", created", false: ""}[created])
	fmt.Fprintf(progress, "challenge: %s, n=%d, f=%d, seed %s… from block %s… and worker %s\n",
		task.TaskID, task.Payload.MatrixSize, task.Payload.FracBits, task.Payload.Seed[:16], tf.blockHash[:16], tf.worker)
	cache, err := keyCache()
	if err != nil {
		return err
	}
	res, err := prover.Run(env.ctx, prover.Options{Task: task, NodeKey: key, Cache: cache, Method: m, Progress: progress, WorkerAddress: tf.worker})
	if err != nil {
		return err
	}
	if err := writeJSON(env, *out, res.Envelope); err != nil {
		return fmt.Errorf("write receipt: %w", err)
	}
	start := time.Now()
	v := verifier.Verify(res.Envelope, verifier.Options{Cache: cache})
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
