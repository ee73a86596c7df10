package chain

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/merkle"
)

// MaxInclusionProofBytes bounds an encoded InclusionProof.
const MaxInclusionProofBytes = 1 << 20

// ErrInclusionProof is wrapped by DecodeInclusionProof's errors: the bytes
// are not an inclusion proof (as opposed to merkle.ErrInclusion, a well-formed
// proof that does not verify).
var ErrInclusionProof = errors.New("malformed inclusion proof")

// InclusionProof is the wire format of a ComputeResult's inclusion proof in
// a block's compute_root (what `zkpoc root --prove` writes and `--verify`
// reads): the root, the leaf's index in the tree of Size leaves, the leaf
// (the ComputeResult's canonical JSON) and its RFC 6962 audit path, hex.
type InclusionProof struct {
	Root  string   `json:"compute_root"`
	Index int      `json:"index"`
	Size  int      `json:"size"`
	Leaf  string   `json:"leaf"` // the canonical ComputeResult JSON
	Proof []string `json:"proof"`
}

// NewInclusionProof is the inclusion proof of leaves[i] (from Leaves) in
// the compute_root over leaves.
func NewInclusionProof(leaves [][]byte, i int) (*InclusionProof, error) {
	if i < 0 || i >= len(leaves) {
		return nil, fmt.Errorf("inclusion proof of leaf %d: only %d leaves", i, len(leaves))
	}
	path, err := merkle.InclusionProof(leaves, i)
	if err != nil {
		return nil, err
	}
	p := &InclusionProof{Root: merkle.Root(leaves), Index: i, Size: len(leaves), Leaf: string(leaves[i])}
	for _, h := range path {
		p.Proof = append(p.Proof, hex.EncodeToString(h[:]))
	}
	return p, nil
}

// DecodeInclusionProof decodes an InclusionProof and its audit path.
func DecodeInclusionProof(data []byte) (*InclusionProof, error) {
	if len(data) > MaxInclusionProofBytes {
		return nil, fmt.Errorf("%w: %d bytes exceeds the limit of %d", ErrInclusionProof, len(data), MaxInclusionProofBytes)
	}
	var p InclusionProof
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInclusionProof, err)
	}
	if _, err := p.Path(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Path decodes the audit path's hex hashes.
func (p *InclusionProof) Path() ([][32]byte, error) {
	path := make([][32]byte, len(p.Proof))
	for i, h := range p.Proof {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%w: proof hash %d is not 32 bytes of hex", ErrInclusionProof, i)
		}
		copy(path[i][:], b)
	}
	return path, nil
}

// Verify checks that the proof's leaf is at its index in a tree of its size
// whose root is root (64 hex digits); the error wraps merkle.ErrInclusion
// when it is not. It does not check the size: the root alone does not bind
// it, so a caller compares Size with the block's count of ComputeResults.
func (p *InclusionProof) Verify(root string) error {
	path, err := p.Path()
	if err != nil {
		return err
	}
	return merkle.VerifyInclusion(root, []byte(p.Leaf), p.Index, p.Size, path)
}
