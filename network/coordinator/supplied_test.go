package coordinator_test

// Supplied inputs through the coordinator: matrices uploaded to the inputs
// object store, read and committed at intake, computed on by the workers
// and used by the coordinator's verifier.

import (
	"bytes"
	"fmt"
	"io"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/workload"
)

// objects reads a job's supplied matrices from the inputs object store.
func (e *env) objects(in *network.SuppliedInputs) ([]int16, []int16, error) {
	store, err := e.js.ObjectStore(e.ctx, network.InputsObjects)
	if err != nil {
		return nil, nil, err
	}
	var out [2][]int16
	for k, name := range []string{in.A, in.B} {
		r, err := store.Get(e.ctx, name)
		if err != nil {
			return nil, nil, fmt.Errorf("object %s: %w", name, err)
		}
		data, err := io.ReadAll(io.LimitReader(r, 8<<20))
		r.Close()
		if err != nil {
			return nil, nil, err
		}
		m, err := workload.DecodeNPY(bytes.NewReader(data))
		if err != nil {
			return nil, nil, fmt.Errorf("object %s: %w", name, err)
		}
		out[k] = m.Data
	}
	return out[0], out[1], nil
}

var _ jetstream.ObjectStore
