package chain

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/zkpoc/zkpoc/merkle"
)

func TestInclusionProofRoundTrip(t *testing.T) {
	leaves := make([][]byte, 5)
	for i := range leaves {
		leaves[i] = []byte(fmt.Sprintf(`{"leaf":%d}`, i))
	}
	root := merkle.Root(leaves)
	for i := range leaves {
		p, err := NewInclusionProof(leaves, i)
		if err != nil {
			t.Fatal(err)
		}
		if p.Root != root || p.Index != i || p.Size != len(leaves) || p.Leaf != string(leaves[i]) {
			t.Fatalf("leaf %d: %+v", i, p)
		}
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := DecodeInclusionProof(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Verify(root); err != nil {
			t.Fatalf("leaf %d: %v", i, err)
		}
		q.Leaf = `{"leaf":99}`
		if err := q.Verify(root); !errors.Is(err, merkle.ErrInclusion) {
			t.Fatalf("a changed leaf: %v, want ErrInclusion", err)
		}
	}
	if _, err := NewInclusionProof(leaves, 5); err == nil {
		t.Fatal("leaf 5 of 5 made a proof")
	}
}

func TestDecodeInclusionProofMalformed(t *testing.T) {
	for _, in := range []string{
		``,
		`[]`,
		`{"compute_root":"00","index":0,"size":1,"leaf":"x","proof":["zz"]}`,
		`{"compute_root":"00","index":0,"size":1,"leaf":"x","proof":["00"]}`,
	} {
		if _, err := DecodeInclusionProof([]byte(in)); !errors.Is(err, ErrInclusionProof) {
			t.Errorf("%q: %v, want ErrInclusionProof", in, err)
		}
	}
	// Field names are the wire format's: pinned.
	b, _ := json.Marshal(InclusionProof{Root: "r", Index: 1, Size: 2, Leaf: "l", Proof: []string{"p"}})
	if want := `{"compute_root":"r","index":1,"size":2,"leaf":"l","proof":["p"]}`; string(b) != want {
		t.Fatalf("wire format %s, want %s", b, want)
	}
}
