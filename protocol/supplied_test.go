package protocol

import (
	"testing"

	"github.com/zkpoc/zkpoc/workload"
)

func TestNewSuppliedTask(t *testing.T) {
	a := workload.Matrix{N: 2, Data: []int16{1, 2, 3, 4}}
	b := workload.Matrix{N: 2, Data: []int16{5, 6, 7, 8}}
	task, err := NewSuppliedTask("3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", a, b, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := InputCommitment(a.Data, b.Data, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	want, err := workload.NewSuppliedTask(task.TaskID, ic, 2, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	if !task.Supplied() || task.Payload.InputCommitment != want.Payload.InputCommitment || task.Payload.MatrixSize != 2 {
		t.Fatalf("task %+v, want %+v", task, want)
	}
	if _, err := NewSuppliedTask(task.TaskID, a, workload.Matrix{N: 1, Data: []int16{1}}, 8, "0", 1795000000); err == nil {
		t.Fatal("matrices of two sizes made a task")
	}
}
