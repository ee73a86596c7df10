package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
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

// parseShape parses --circuit and checks that the circuit exists at n and f
// (--n, --f): a shape no circuit has is a usage error.
func parseShape(circuit string, n, f int) (protocol.Method, error) {
	m, err := parseMethod(circuit)
	if err != nil {
		return m, err
	}
	if _, err := circuits.Shape(m, n, f); err != nil {
		return m, usageError{err}
	}
	return m, nil
}

func parseMethod(name string) (protocol.Method, error) {
	m, err := protocol.ParseMethod(name)
	if err != nil {
		return m, usagef("--circuit: %w", err)
	}
	return m, nil
}

// suppliedTask builds the task for supplied matrices from the task flags
// (--f, --reward, --deadline, --task-id; n comes from the files).
func (t *taskFlags) suppliedTask(a, b workload.Matrix) (workload.ComputeTask, error) {
	if t.blockHash != "" || t.worker != "" {
		return workload.ComputeTask{}, usagef("--block-hash and --worker derive synthetic matrices: they do not go with --a and --b")
	}
	wei, id, err := t.rewardAndID()
	if err != nil {
		return workload.ComputeTask{}, err
	}
	task, err := protocol.NewSuppliedTask(id, a, b, t.f, wei, t.deadline)
	if err != nil {
		return task, usageError{err}
	}
	return task, nil
}

// parseBlockHash parses a 32-byte hex block hash given by flag (0x prefix allowed).
func parseBlockHash(flag, s string) ([32]byte, error) {
	b, err := hex.DecodeString(trimHex(s))
	if err != nil || len(b) != 32 {
		return [32]byte{}, usagef("%s: want 64 hex characters, have %q", flag, s)
	}
	return [32]byte(b), nil
}

// loadNodeKey reads the node key at path, creating it when absent. A file
// that is there but is not a node key is an input error.
func loadNodeKey(path string) (ed25519.PrivateKey, bool, error) {
	if _, err := receipt.ReadNodeKey(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, false, withHint(usageError{err}, "the node key is an Ed25519 key in a PKCS#8 PEM file (\"PRIVATE KEY\"); name a missing file to have one created")
	}
	return receipt.LoadOrCreateNodeKey(path)
}
