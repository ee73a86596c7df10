package main

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// inputFlags are --a and --b: a supplied task's matrix files.
type inputFlags struct{ a, b string }

func (in *inputFlags) register(fs *flag.FlagSet, purpose string) {
	fs.StringVar(&in.a, "a", "", "matrix A file ("+purpose+"): NumPy int16 .npy, or .csv of comma-separated integers")
	fs.StringVar(&in.b, "b", "", "matrix B file, same formats as --a")
}

func (in inputFlags) given() bool { return in.a != "" || in.b != "" }

// read loads both matrices, checking that both are given and square of one size.
func (in inputFlags) read() (a, b workload.Matrix, err error) {
	if in.a == "" || in.b == "" {
		return a, b, usagef("--a and --b go together: give both matrix files")
	}
	if a, err = workload.ReadMatrixFile(in.a); err != nil {
		return a, b, usageError{err}
	}
	if b, err = workload.ReadMatrixFile(in.b); err != nil {
		return a, b, usageError{err}
	}
	if a.N != b.N {
		return a, b, usagef("A is %d×%d and B is %d×%d: zkpoc multiplies square matrices of one size", a.N, a.N, b.N, b.N)
	}
	return a, b, nil
}

// apply reads the files, when given, into the verifier's options.
func (in inputFlags) apply(o *verifier.Options) error {
	if !in.given() {
		return nil
	}
	a, b, err := in.read()
	if err != nil {
		return err
	}
	o.A, o.B = a.Data, b.Data
	return nil
}

// writeMatrix writes m atomically, as .npy or .csv by the path's extension.
func writeMatrix(path string, m workload.Matrix) error {
	var buf bytes.Buffer
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		err = workload.EncodeNPY(&buf, m)
	case ".csv", ".txt":
		err = workload.EncodeCSV(&buf, m)
	default:
		return usagef("%s: unknown extension (want .npy or .csv)", path)
	}
	if err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

// runChallengeMatrices writes a task's matrices A and B to files.
func runChallengeMatrices(env *cliEnv, args []string) error {
	fs := newFlags(env, "challenge matrices", "challenge matrices --a A.npy --b B.npy TASK.json", `
Writes the matrices A and B of a synthetic task, regenerated from its seed, as
NumPy int16 .npy or CSV files (chosen by extension). Use it to inspect a
challenge in other tools, or to supply the same matrices to "zkpoc prove --a --b":
their input commitment is the synthetic task's.`)
	var in inputFlags
	in.register(fs, "output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("challenge matrices takes one task file, have %d arguments", len(pos))
	}
	if in.a == "" || in.b == "" {
		return usagef("--a and --b name the files to write: give both")
	}
	for _, f := range []struct{ flag, path string }{{"--a", in.a}, {"--b", in.b}} {
		if err := checkOutput(f.flag, f.path); err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(f.path)) {
		case ".npy", ".csv", ".txt":
		default:
			return usagef("%s %s: unknown extension (want .npy or .csv)", f.flag, f.path)
		}
	}
	task, err := readTask(env, pos[0])
	if err != nil {
		return err
	}
	seed, err := task.SeedBytes()
	if err != nil {
		return usageError{err}
	}
	n := task.Payload.MatrixSize
	a, b, err := workload.Generate(seed, n)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		data []int16
	}{{in.a, a}, {in.b, b}} {
		if err := writeMatrix(f.path, workload.Matrix{N: n, Data: f.data}); err != nil {
			return err
		}
	}
	ic, err := protocol.InputCommitment(a, b, n, task.Payload.FracBits)
	if err != nil {
		return err
	}
	icb := ic
	fmt.Fprintf(env.stdout, "wrote A to %s and B to %s (%d×%d int16); input_commitment %s\n", in.a, in.b, n, n, hex.EncodeToString(icb[:]))
	return nil
}
