package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/zkpoc/zkpoc/network/loadgen"
	"github.com/zkpoc/zkpoc/protocol"
)

func runNetworkBench(env *cliEnv, args []string) error {
	fs := newFlags(env, "network bench", "network bench [--tasks N] [--workers W] [--n N] [--in-flight K] [--redispatch F] [--mode M] [--timeout D]", `
Measures the zkpoc network under load on this machine, all in this process:
an embedded nats-server (JetStream on file storage in a temporary directory,
127.0.0.1 only), the coordinator, --workers workers proving Groth16 with the
keys in $ZKPOC_HOME/keys (set up first when missing), and --tasks synthetic
tasks posted at intake, at most --in-flight outstanding. It prints tasks per
second, the latency from intake to acceptance (p50, p99, max, from the
coordinator's task records), the workers' mean prove time (from the accepted
receipts), the coordinator's time in its handlers per task, and checks that
every task was accepted, credited once and put in a block of a chain that
links from genesis. The workers share this machine's CPUs with the
coordinator and the server: the figures are this machine's, not a network's.`)
	tasks := fs.Int("tasks", 100, "tasks to post")
	workers := fs.Int("workers", 4, "workers (in this process)")
	n := fs.Int("n", 8, "matrix size of the tasks")
	inFlight := fs.Int("in-flight", 0, "tasks outstanding at once (default 2 × --workers)")
	redispatch := fs.Float64("redispatch", 0.1, "fraction in [0,1] of results re-executed by a second worker")
	mode := fs.String("mode", string(protocol.ModeGroth16), "how workers answer: groth16, or binding (no proof; every task checked by a second worker: the coordinator's own throughput)")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	switch {
	case *tasks < 1 || *tasks > 100000:
		return usagef("--tasks %d: between 1 and 100000", *tasks)
	case *workers < 1 || *workers > 64:
		return usagef("--workers %d: between 1 and 64", *workers)
	case *n < 1 || *n > protocol.MaxN:
		return usagef("--n %d: between 1 and %d", *n, protocol.MaxN)
	case *inFlight < 0:
		return usagef("--in-flight %d is negative", *inFlight)
	case *redispatch < 0 || *redispatch > 1 || *redispatch != *redispatch:
		return usagef("--redispatch %v is not a fraction in [0, 1]", *redispatch)
	case *redispatch > 0 && *workers < 2:
		return withHint(usagef("--redispatch %v with one worker: a check needs a second worker", *redispatch), "give --workers 2 or more, or --redispatch 0")
	case *mode != string(protocol.ModeGroth16) && *mode != string(protocol.ModeBinding):
		return usagef("--mode %q: groth16 or binding", *mode)
	case *mode == string(protocol.ModeBinding) && *workers < 2:
		return usagef("--mode binding: every task is checked by a second worker; give --workers 2 or more")
	case *timeout <= 0:
		return usagef("--timeout must be positive")
	}
	kc, err := keyCache()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "zkpoc-network-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(env.ctx, *timeout)
	defer cancel()
	rep, err := loadgen.Run(ctx, loadgen.Options{Tasks: *tasks, Workers: *workers, N: *n, InFlight: *inFlight,
		Redispatch: *redispatch, Mode: protocol.Mode(*mode), KeyDir: kc.Dir, Dir: tmp, Log: env.progress()})
	if err != nil {
		return err
	}
	fmt.Fprint(env.stdout, rep)
	return rep.Check()
}
