package main

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

func runChallenge(env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "matrices" {
		return runChallengeMatrices(env, args[1:])
	}
	if len(args) == 0 || args[0] != "new" {
		const help = "Usage: zkpoc challenge new|matrices [flags]\n\n" +
			"  new       makes a matrix_mul task: synthetic (from a block hash and a worker address)\n" +
			"            or over supplied matrix files (--a, --b)\n" +
			"  matrices  writes a synthetic task's A and B as .npy or .csv files\n\n" +
			"Run \"zkpoc challenge <sub> -h\" for flags.\n"
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(env.stdout, help)
			return nil
		}
		return groupUsage("usage: zkpoc challenge new|matrices [flags]", help)
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
request_id = SHA-256 of the task's RFC 8785 canonical JSON is printed on stderr
(not with --quiet).`)
	var tf taskFlags
	tf.register(fs, taskFlags{reward: "0", n: demoN, deadline: time.Now().Add(24 * time.Hour).Unix()})
	fs.StringVar(&tf.curve, "curve", string(protocol.BN254), "synthetic: the curve whose input commitment the task carries (payload.input_commitment_algorithm); the task is proved on it")
	fs.BoolVar(&tf.unbound, "unbound", false, "synthetic: a v1 task without payload.input_commitment (verifies offline; chain export refuses its receipts)")
	var in inputFlags
	in.register(fs, "supplied input")
	out := fs.String("o", "", "write the task to this file instead of stdout (-: stdout)")
	if err := parseNone(fs, args[1:]); err != nil {
		return err
	}
	if err := checkOutput("-o", *out); err != nil {
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
	fmt.Fprintf(env.progress(), "request_id %s\n", hex.EncodeToString(rid[:]))
	if !in.given() {
		// The task cannot carry its worker (that would change request_id):
		// the receipt does, signed by the node.
		fmt.Fprintf(env.progress(), "worker %s: prove with --worker %s so the receipt signs it (zkpoc root takes it from there)\n", tf.worker, tf.worker)
	}
	if *out != "" {
		return writeJSON(env, *out, task)
	}
	return printJSON(env, task)
}
