package receipt

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestNodeWorkerAddress: node.worker_address is omitted when empty, so a
// receipt made before it existed keeps its receipt_id; when set, receipt_id
// (and so the signature) covers it.
func TestNodeWorkerAddress(t *testing.T) {
	r := fullReceipt(t)
	before, err := r.ComputeID()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(r.Node)
	if strings.Contains(string(raw), "worker_address") {
		t.Errorf("empty worker address encoded: %s", raw)
	}
	r.Node.WorkerAddress = "cpc1qworkera"
	with, err := r.ComputeID()
	if err != nil {
		t.Fatal(err)
	}
	if with == before {
		t.Error("receipt_id does not cover node.worker_address")
	}
	r.Node.WorkerAddress = "cpc1qworkerb"
	if other, _ := r.ComputeID(); other == with {
		t.Error("receipt_id does not depend on node.worker_address")
	}
}
