package verifier

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// Comparison outcomes.
const (
	// Agree: both receipts pass verification and their outputs agree.
	Agree = "agree"
	// Disagree: the outputs differ and at least one node's own signed
	// receipt is refuted by the verifier's recomputation (Escalate names
	// it), or both are that node's evidence and the product could not be
	// recomputed to tell which is wrong.
	Disagree = "disagree"
	// Undecided: no conclusion, because a receipt is not evidence (its
	// signature or identity fails) or does not pass verification (a missing
	// key, a policy that rejects or holds it).
	Undecided = "undecided"
)

// Comparison is the outcome of redundant execution: two receipts for the
// same task from two nodes (seeds 001 and 003, sampled re-dispatch).
type Comparison struct {
	RequestID string `json:"request_id"`
	// Nodes are the node ids the receipts name; only a receipt that is
	// evidence establishes that its node made it.
	Nodes   [2]string `json:"nodes"`
	Outcome string    `json:"outcome"` // Agree, Disagree or Undecided
	Agree   bool      `json:"agree"`   // Outcome == Agree
	// Evidence says which receipts are their node's own signed statement
	// (signature and node identity verified, Verdict.Attributable): only
	// those can be held against a node.
	Evidence [2]bool `json:"evidence"`
	// Escalate lists the nodes whose own signed receipts carry an output the
	// verifier's recomputation refutes.
	Escalate  []string    `json:"escalate,omitempty"`
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

// Compare verifies each receipt under its own options (o1 for e1, o2 for
// e2: each node's verifying key, say) and compares their outputs. When they
// disagree it recomputes the product natively, with o1's supplied inputs, to
// tell which one is right. A receipt that fails its signature or identity
// checks is evidence against no one: escalation is advised only against a
// node whose own signed receipt is wrong, and the nodes agree only when both
// receipts pass.
func Compare(e1, e2 *receipt.Envelope, o1, o2 Options) (*Comparison, error) {
	var rc [2]*receipt.Receipt
	cmp := &Comparison{}
	opts := [2]Options{o1, o2}
	for i, e := range []*receipt.Envelope{e1, e2} {
		st, _, err := e.Statement()
		if err != nil {
			return nil, fmt.Errorf("receipt %d: %w", i+1, err)
		}
		rc[i] = &st.Predicate
		cmp.Nodes[i] = rc[i].Node.NodeID
		cmp.Verdicts[i] = Verify(e, opts[i])
		cmp.Evidence[i] = cmp.Verdicts[i].Attributable() == nil
	}
	if rc[0].RequestID != rc[1].RequestID {
		return nil, errors.New("the receipts are for different requests: compare needs two receipts of one task")
	}
	if rc[0].Node.NodeID == rc[1].Node.NodeID {
		return nil, errors.New("both receipts come from the same node: redundant execution needs two nodes")
	}
	cmp.RequestID = rc[0].RequestID
	passed := cmp.Verdicts[0].PolicyDecision.Status == Pass && cmp.Verdicts[1].PolicyDecision.Status == Pass
	if rc[0].OutputDigestAlg == rc[1].OutputDigestAlg && rc[0].OutputDigest == rc[1].OutputDigest {
		if passed {
			cmp.decide(Agree, "The nodes agree on the output digest. Agreement is evidence against a lone faulty node, not proof of correctness: two colluding nodes agree too.")
		} else {
			cmp.decide(Undecided, "The output digests are equal, but no agreement can be established: "+cmp.unverified()+".")
		}
		return cmp, nil
	}
	ref, err := reference(rc, o1)
	if err != nil {
		if cmp.Evidence[0] && cmp.Evidence[1] {
			cmp.decide(Disagree, "The nodes' signed receipts disagree and the verifier could not recompute the output ("+err.Error()+"): escalate to a third node.")
		} else {
			cmp.decide(Undecided, "The output digests differ and the verifier could not recompute the output ("+err.Error()+"); "+cmp.unverified()+".")
		}
		return cmp, nil
	}
	cmp.Reference = ref
	var wrong []string
	for i := range rc {
		if !ref.Correct[i] && cmp.Evidence[i] {
			cmp.Escalate = append(cmp.Escalate, cmp.Nodes[i])
			wrong = append(wrong, short(cmp.Nodes[i]))
		}
	}
	switch {
	case len(wrong) > 0:
		advice := fmt.Sprintf("Node %s signed an output that does not match the verifier's recomputation. Escalate against %s.",
			strings.Join(wrong, " and node "), strings.Join(wrong, " and "))
		for i := range rc {
			if ref.Correct[i] && cmp.Evidence[i] {
				advice += fmt.Sprintf(" Node %s's output matches the recomputation.", short(cmp.Nodes[i]))
			}
		}
		if u := cmp.unverified(); u != "" && !(cmp.Evidence[0] && cmp.Evidence[1]) {
			advice += " " + capitalize(u) + "."
		}
		cmp.decide(Disagree, advice)
	case ref.Correct[0] && ref.Correct[1] && passed:
		cmp.decide(Agree, "Both outputs match the recomputation (they use different digest algorithms); no escalation.")
	default:
		advice := "No escalation: " + cmp.unverified() + "."
		for i := range rc {
			if ref.Correct[i] && cmp.Evidence[i] {
				advice += fmt.Sprintf(" Node %s's output matches the recomputation.", short(cmp.Nodes[i]))
			}
		}
		cmp.decide(Undecided, advice)
	}
	return cmp, nil
}

func (c *Comparison) decide(outcome, advice string) {
	c.Outcome, c.Agree, c.Advice = outcome, outcome == Agree, advice
}

// unverified says, for each receipt that is not evidence or did not pass,
// why it settles nothing ("" when both are evidence and pass).
func (c *Comparison) unverified() string {
	var out []string
	for i, v := range c.Verdicts {
		if err := v.Attributable(); err != nil {
			out = append(out, fmt.Sprintf("receipt %d is not evidence (%v): it may not come from node %s, the node it names, and nothing in it may be held against that node",
				i+1, err, short(c.Nodes[i])))
		} else if v.PolicyDecision.Status != Pass {
			out = append(out, fmt.Sprintf("receipt %d (node %s) did not pass verification (%s: %s)",
				i+1, short(c.Nodes[i]), v.PolicyDecision.Status, v.PolicyDecision.Reason))
		}
	}
	return strings.Join(out, "; ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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
