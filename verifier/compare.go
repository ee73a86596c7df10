package verifier

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// Comparison is the outcome of redundant execution: two receipts for the
// same task from two nodes (seeds 001 and 003, sampled re-dispatch).
type Comparison struct {
	RequestID string      `json:"request_id"`
	Nodes     [2]string   `json:"nodes"`
	Agree     bool        `json:"agree"`
	Reference *Reference  `json:"reference,omitempty"`
	Verdicts  [2]*Verdict `json:"verdicts"`
	Advice    string      `json:"advice"`
}

// Reference records the verifier's own recomputation of the output digest,
// made when the nodes disagree: which node, if any, returned the correct output.
type Reference struct {
	Correct           [2]bool `json:"correct"`
	FirstDifferingRow [2]int  `json:"first_differing_row"` // −1 when unknown or none
	Note              string  `json:"note"`
}

// MaxCompareN bounds the native recomputation Compare may do (n³ MACs).
const MaxCompareN = workload.MaxMatrixSize

// Compare verifies both receipts and compares their outputs. When they
// disagree it recomputes the product natively to tell which one is right.
func Compare(e1, e2 *receipt.Envelope, o Options) (*Comparison, error) {
	var rc [2]*receipt.Receipt
	cmp := &Comparison{}
	for i, e := range []*receipt.Envelope{e1, e2} {
		st, _, err := e.Statement()
		if err != nil {
			return nil, fmt.Errorf("receipt %d: %w", i+1, err)
		}
		rc[i] = &st.Predicate
		cmp.Nodes[i] = rc[i].Node.NodeID
		cmp.Verdicts[i] = Verify(e, o)
	}
	if rc[0].RequestID != rc[1].RequestID {
		return nil, errors.New("the receipts are for different requests: compare needs two receipts of one task")
	}
	if rc[0].Node.NodeID == rc[1].Node.NodeID {
		return nil, errors.New("both receipts come from the same node: redundant execution needs two nodes")
	}
	cmp.RequestID = rc[0].RequestID
	if rc[0].OutputDigestAlg == rc[1].OutputDigestAlg && rc[0].OutputDigest == rc[1].OutputDigest {
		cmp.Agree = true
		cmp.Advice = "The nodes agree on the output digest. Agreement is evidence against a lone faulty node, not proof of correctness: two colluding nodes agree too."
		return cmp, nil
	}
	ref, err := reference(rc, o)
	if err != nil {
		cmp.Advice = "The nodes disagree and the verifier could not recompute the output (" + err.Error() + "): escalate to a third node."
		return cmp, nil
	}
	cmp.Reference = ref
	switch {
	case ref.Correct[0] && !ref.Correct[1]:
		cmp.Advice = fmt.Sprintf("Node %s returned a wrong output; node %s's output matches the verifier's recomputation. Escalate against %s.", short(cmp.Nodes[1]), short(cmp.Nodes[0]), short(cmp.Nodes[1]))
	case ref.Correct[1] && !ref.Correct[0]:
		cmp.Advice = fmt.Sprintf("Node %s returned a wrong output; node %s's output matches the verifier's recomputation. Escalate against %s.", short(cmp.Nodes[0]), short(cmp.Nodes[1]), short(cmp.Nodes[0]))
	case ref.Correct[0] && ref.Correct[1]:
		cmp.Advice = "Both outputs match the recomputation (they use different digest algorithms); no escalation."
		cmp.Agree = true
	default:
		cmp.Advice = "Neither output matches the verifier's recomputation: escalate against both nodes."
	}
	return cmp, nil
}

// reference recomputes the correct output and checks each receipt's digest
// in that receipt's own algorithm.
func reference(rc [2]*receipt.Receipt, o Options) (*Reference, error) {
	t := rc[0].Task
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	if n > MaxCompareN {
		return nil, fmt.Errorf("n = %d is above the recomputation limit %d", n, MaxCompareN)
	}
	a, b, err := prover.Inputs(t, o.A, o.B)
	if err != nil {
		return nil, err
	}
	c, err := workload.Multiply(a, b, n, f)
	if err != nil {
		return nil, err
	}
	ref := &Reference{FirstDifferingRow: [2]int{-1, -1},
		Note: "the receipts carry digests, not outputs: the first differing row is known only for a sampled receipt whose opened rows disagree"}
	leaves := prover.RowLeaves(c, n)
	root, _ := merkle.RootHash(leaves)
	digests := map[circuits.Curve][32]byte{} // one Poseidon2 digest of C' per curve
	for i, r := range rc {
		switch r.OutputDigestAlg {
		case receipt.DigestMerkleRows:
			ref.Correct[i] = r.OutputDigest == hex.EncodeToString(root[:])
		case receipt.DigestPoseidon2, receipt.DigestPoseidon2BLS12381:
			curve := ProofCurve(r)
			pos, ok := digests[curve]
			if !ok {
				if pos, err = circuits.OutputDigestOn(curve, c, n, f); err != nil {
					return nil, err
				}
				digests[curve] = pos
			}
			ref.Correct[i] = r.OutputDigest == hex.EncodeToString(pos[:])
		}
		if s := r.Sampling; s != nil && !ref.Correct[i] {
			for k, row := range s.Indices {
				if k < len(s.Paths) && row >= 0 && row < n && checkRow(a, b, n, f, row, s.Paths[k], mustRoot(r.OutputDigest)) != nil {
					ref.FirstDifferingRow[i] = row
					break
				}
			}
		}
	}
	return ref, nil
}

func mustRoot(s string) [32]byte {
	r, _ := receipt.DecodeHex32("output_digest", s)
	return r
}
