package market_test

import (
	"testing"

	"github.com/zkpoc/zkpoc/network"
)

// TestRedteam2ReuploadKeepsObject: an input is named by the SHA-256 of its
// .npy, and anyone may POST /v1/inputs. Posting a matrix that is already
// stored (a worker reads every input it is given, so it knows another
// poster's matrices) rewrote the object: new chunks, new metadata, the old
// chunks purged. A coordinator reading the object while it is rewritten
// (to verify a receipt of the task naming it) sees chunks that do not
// match, takes the inputs for replaced and expires the victim's task. A
// second upload of the same matrix must leave the stored object as it is.
func TestRedteam2ReuploadKeepsObject(t *testing.T) {
	e := start(t, true)
	st, out := e.do(t, "POST", "/v1/inputs", "1,2\n3,4\n")
	if st != 201 {
		t.Fatalf("first upload: %d %v", st, out)
	}
	name := out["name"].(string)
	obs, err := e.js.ObjectStore(e.ctx, network.InputsObjects)
	if err != nil {
		t.Fatal(err)
	}
	before, err := obs.GetInfo(e.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.js.Stream(e.ctx, "OBJ_"+network.InputsObjects)
	if err != nil {
		t.Fatal(err)
	}
	si, _ := s.Info(e.ctx)
	seq := si.State.LastSeq
	for i := 0; i < 3; i++ {
		st, out = e.do(t, "POST", "/v1/inputs", "1, 2\n3, 4\n") // the same matrix, spelled otherwise
		if st != 201 || out["name"] != name {
			t.Fatalf("upload %d of the same matrix: %d %v", i+2, st, out)
		}
	}
	after, err := obs.GetInfo(e.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	si, _ = s.Info(e.ctx)
	if after.NUID != before.NUID || si.State.LastSeq != seq {
		t.Fatalf("the stored object was rewritten: chunks %s → %s, stream sequence %d → %d", before.NUID, after.NUID, seq, si.State.LastSeq)
	}
}
