package coordinator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

// Supplied inputs. The market stores an uploaded matrix in the
// network.InputsObjects object store as a version 1.0 .npy (little-endian
// int16), named by the SHA-256 of that encoding. At intake the coordinator
// reads both named objects — after checking each object's size is exactly
// the .npy size of an n×n int16 matrix, and reading no more than that even
// if the object is replaced meanwhile — parses them, and builds the task
// with their input commitment (protocol.NewSuppliedTask), so request_id
// binds the matrices. Every later read (to verify a receipt with
// verifier.Options.A/B) checks the matrices against that commitment: an
// object replaced after intake is refused, never used (the result is held,
// the task is expired and its reward refunded at once, nobody struck).

// taskInputs are a supplied task's matrices, checked against its commitment.
type taskInputs struct {
	requestID string
	a, b      []int16
}

// inputsReadTimeout bounds reading a supplied task's two objects.
const inputsReadTimeout = 15 * time.Second

// npySize is the size of the .npy the market stores for an n×n int16 matrix.
func npySize(n int) (int64, error) {
	var cw countWriter
	if err := workload.EncodeNPY(&cw, workload.Matrix{N: n, Data: make([]int16, n*n)}); err != nil {
		return 0, err
	}
	return cw.n, nil
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// inputErr is an error about the supplied input named in field.
type inputErr struct {
	field string
	err   error
}

func (e *inputErr) Error() string { return e.field + ": " + e.err.Error() }
func (e *inputErr) Unwrap() error { return e.err }

// readInputs reads the matrices in named by in for matrix_size n: each
// object must exist and be exactly npySize(n) bytes, and parse as an n×n
// int16 .npy. At most npySize(n)+1 bytes of each object are read. An error
// about one object is an *inputErr naming its field (inputs.a, inputs.b).
func (c *Coordinator) readInputs(ctx context.Context, in *network.SuppliedInputs, n int) (workload.Matrix, workload.Matrix, error) {
	if n < 1 || n > network.MaxNetworkN {
		return workload.Matrix{}, workload.Matrix{}, fmt.Errorf("supplied inputs: n = %d is outside 1..%d", n, network.MaxNetworkN)
	}
	want, err := npySize(n)
	if err != nil {
		return workload.Matrix{}, workload.Matrix{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, inputsReadTimeout)
	defer cancel()
	store, err := c.js.ObjectStore(ctx, network.InputsObjects)
	if err != nil {
		return workload.Matrix{}, workload.Matrix{}, fmt.Errorf("object store %s: %w", network.InputsObjects, err)
	}
	var out [2]workload.Matrix
	for k, x := range []struct{ field, name string }{{"inputs.a", in.A}, {"inputs.b", in.B}} {
		m, err := readInput(ctx, store, x.name, n, want)
		if err != nil {
			return workload.Matrix{}, workload.Matrix{}, &inputErr{field: x.field, err: err}
		}
		out[k] = m
	}
	return out[0], out[1], nil
}

func readInput(ctx context.Context, store jetstream.ObjectStore, name string, n int, want int64) (workload.Matrix, error) {
	if name == "" {
		return workload.Matrix{}, errors.New("no object named")
	}
	info, err := store.GetInfo(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return workload.Matrix{}, fmt.Errorf("no object named %.80q in %s (POST /v1/inputs stores one)", name, network.InputsObjects)
	}
	if err != nil {
		return workload.Matrix{}, fmt.Errorf("object %.80q: %w", name, err)
	}
	if int64(info.Size) != want {
		return workload.Matrix{}, fmt.Errorf("object %.80q is %d bytes, not the %d bytes of an %d×%d int16 .npy (the task's matrix_size is %d)",
			name, info.Size, want, n, n, n)
	}
	r, err := store.Get(ctx, name)
	if err != nil {
		return workload.Matrix{}, fmt.Errorf("object %.80q: %w", name, err)
	}
	defer r.Close()
	// Bounded even if the object was replaced since GetInfo.
	data, err := io.ReadAll(io.LimitReader(r, want+1))
	if err != nil {
		return workload.Matrix{}, fmt.Errorf("object %.80q: %w", name, err)
	}
	if int64(len(data)) != want {
		return workload.Matrix{}, fmt.Errorf("object %.80q changed while read: %d bytes, not %d", name, len(data), want)
	}
	m, err := workload.DecodeNPY(bytes.NewReader(data))
	if err != nil {
		return workload.Matrix{}, fmt.Errorf("object %.80q: %w", name, err)
	}
	if m.N != n {
		return workload.Matrix{}, fmt.Errorf("object %.80q is %d×%d, the task's matrix_size is %d", name, m.N, m.N, n)
	}
	return m, nil
}

// errInputsChanged: a supplied task's objects are no longer the matrices
// committed at intake (replaced, resized or removed). The task cannot be
// verified any more: it is expired and refunded, nobody struck.
var errInputsChanged = errors.New("supplied inputs are not the matrices committed at intake")

// taskInputsLocked returns rec's supplied matrices checked against the
// task's input commitment (nil, nil for a synthetic task).
func (c *Coordinator) taskInputsLocked(ctx context.Context, rec *network.TaskRecord) ([]int16, []int16, error) {
	if !rec.Task.Supplied() {
		return nil, nil, nil
	}
	if rec.Inputs == nil {
		return nil, nil, errors.New("supplied task without inputs on record")
	}
	if c.inputs != nil && c.inputs.requestID == rec.RequestID {
		return c.inputs.a, c.inputs.b, nil
	}
	a, b, err := c.readInputs(ctx, rec.Inputs, rec.Task.Payload.MatrixSize)
	var ie *inputErr
	if errors.As(err, &ie) {
		return nil, nil, fmt.Errorf("%w: task %s: %w", errInputsChanged, rec.TaskID, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("supplied inputs of task %s: %w", rec.TaskID, err)
	}
	if _, _, err := protocol.Inputs(rec.Task, a.Data, b.Data); err != nil {
		return nil, nil, fmt.Errorf("%w: task %s: objects %.80q, %.80q: %w", errInputsChanged, rec.TaskID, rec.Inputs.A, rec.Inputs.B, err)
	}
	c.inputs = &taskInputs{requestID: rec.RequestID, a: a.Data, b: b.Data}
	return a.Data, b.Data, nil
}
