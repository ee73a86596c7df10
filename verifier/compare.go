package verifier

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
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
	// RequestID is SHA-256 of the canonical JSON of the task both receipts
	// carry, recomputed by the verifier: never a receipt's request_id field,
	// which a receipt may state falsely.
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
	// RequestIDMatches says which receipts state the request_id of the task
	// they carry: only such a receipt says which request its output answers,
	// so only it can be held against its node (with Evidence), and only its
	// task is used for the recomputation.
	RequestIDMatches [2]bool `json:"request_id_matches"`
	// Escalate lists the nodes whose own signed receipts for this task carry
	// an output the verifier's recomputation refutes.
	Escalate  []string    `json:"escalate,omitempty"`
	Reference *Reference  `json:"reference,omitempty"`
	Verdicts  [2]*Verdict `json:"verdicts"`
	Advice    string      `json:"advice"`

	stated [2]string // the request_id fields, for the advice
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
// e2: each node's verifying key, say) and compares their outputs.
//
// The receipts must carry one task: Compare recomputes each task's
// request_id (SHA-256 of its canonical JSON) and refuses two different
// tasks, whatever request_id fields the receipts state. When the outputs
// disagree it recomputes the product natively, from the task of a receipt
// whose request_id field is its task's (with that side's options, for a
// supplied task's inputs), to tell which one is right. Escalation is advised
// only against a node whose own signed receipt (signature and node identity
// verified) states this task's request_id and carries a refuted output: a
// receipt that fails its signature or identity checks, or states another
// request_id than its task's, is evidence against no one. The nodes agree
// only when both receipts pass.
func Compare(e1, e2 *receipt.Envelope, o1, o2 Options) (*Comparison, error) {
	envs := [2]*receipt.Envelope{e1, e2}
	opts := [2]Options{o1, o2}
	var rc [2]*receipt.Receipt
	var req [2][32]byte
	cmp := &Comparison{}
	for i, e := range envs {
		if e == nil {
			return nil, fmt.Errorf("receipt %d: no envelope", i+1)
		}
		st, _, err := e.Statement()
		if err != nil {
			return nil, fmt.Errorf("receipt %d: %w", i+1, err)
		}
		rc[i] = &st.Predicate
		if req[i], err = rc[i].Task.RequestID(); err != nil {
			return nil, fmt.Errorf("receipt %d: task: %w: compare cannot tell which request it is for", i+1, err)
		}
		cmp.Nodes[i] = rc[i].Node.NodeID
		cmp.stated[i] = rc[i].RequestID
		cmp.RequestIDMatches[i] = rc[i].RequestID == hex.EncodeToString(req[i][:])
	}
	if req[0] != req[1] {
		return nil, differentTasks(rc, req)
	}
	if rc[0].Node.NodeID == rc[1].Node.NodeID {
		return nil, errors.New("both receipts come from the same node: redundant execution needs two nodes")
	}
	cmp.RequestID = hex.EncodeToString(req[0][:])
	for i, e := range envs {
		cmp.Verdicts[i] = Verify(e, opts[i])
		cmp.Evidence[i] = cmp.Verdicts[i].Attributable() == nil
	}
	passed := cmp.Verdicts[0].PolicyDecision.Status == Pass && cmp.Verdicts[1].PolicyDecision.Status == Pass
	if rc[0].OutputDigestAlg == rc[1].OutputDigestAlg && rc[0].OutputDigest == rc[1].OutputDigest {
		if passed {
			cmp.decide(Agree, "The nodes agree on the output digest. Agreement is evidence against a lone faulty node, not proof of correctness: two colluding nodes agree too.")
		} else {
			cmp.decide(Undecided, "The output digests are equal, but no agreement can be established: "+cmp.unverified()+".")
		}
		return cmp, nil
	}
	// The task to recompute: one whose receipt states its request_id (the
	// tasks are equal, so this only refuses to recompute on the word of
	// receipts that misstate it).
	j := slices.Index(cmp.RequestIDMatches[:], true)
	if j < 0 {
		cmp.decide(Undecided, "The output digests differ, and neither receipt states its task's request_id, so neither says which request its output answers; no escalation: "+cmp.unverified()+".")
		return cmp, nil
	}
	ref, err := reference(rc[j].Task, rc, opts[j])
	if err != nil {
		if cmp.held(0) && cmp.held(1) {
			cmp.decide(Disagree, "The nodes' signed receipts disagree and the verifier could not recompute the output ("+err.Error()+"): escalate to a third node.")
		} else {
			cmp.decide(Undecided, "The output digests differ and the verifier could not recompute the output ("+err.Error()+"); "+cmp.unverified()+".")
		}
		return cmp, nil
	}
	cmp.Reference = ref
	var wrong []string
	for i := range rc {
		if !ref.Correct[i] && cmp.held(i) {
			cmp.Escalate = append(cmp.Escalate, cmp.Nodes[i])
			wrong = append(wrong, short(cmp.Nodes[i]))
		}
	}
	switch {
	case len(wrong) > 0:
		advice := fmt.Sprintf("Node %s signed an output that does not match the verifier's recomputation. Escalate against %s.",
			strings.Join(wrong, " and node "), strings.Join(wrong, " and "))
		advice += cmp.matching(ref)
		if u := cmp.unverified(); u != "" && !(cmp.held(0) && cmp.held(1)) {
			advice += " " + capitalize(u) + "."
		}
		cmp.decide(Disagree, advice)
	case ref.Correct[0] && ref.Correct[1] && passed:
		cmp.decide(Agree, "Both outputs match the recomputation (they use different digest algorithms); no escalation.")
	default:
		cmp.decide(Undecided, "No escalation: "+cmp.unverified()+"."+cmp.matching(ref))
	}
	return cmp, nil
}

// held reports whether receipt i can be held against its node: it is that
// node's own signed statement and states the request_id of its task.
func (c *Comparison) held(i int) bool { return c.Evidence[i] && c.RequestIDMatches[i] }

// matching names the nodes whose receipts can be held against them and
// whose outputs match the recomputation ("" for none), as advice sentences.
func (c *Comparison) matching(ref *Reference) string {
	var out string
	for i := range c.Nodes {
		if ref.Correct[i] && c.held(i) {
			out += fmt.Sprintf(" Node %s's output matches the recomputation.", short(c.Nodes[i]))
		}
	}
	return out
}

// differentTasks is Compare's error for receipts of two tasks, naming each
// request_id recomputed from the receipt's task and any request_id field
// that misstates it.
func differentTasks(rc [2]*receipt.Receipt, req [2][32]byte) error {
	msg := fmt.Sprintf("the receipts are for different tasks (request_id %s and %s, recomputed from each receipt's task)",
		short(hex.EncodeToString(req[0][:])), short(hex.EncodeToString(req[1][:])))
	for i, r := range rc {
		if want := hex.EncodeToString(req[i][:]); r.RequestID != want {
			msg += fmt.Sprintf("; receipt %d's request_id field states %s, which is not its task's", i+1, short(r.RequestID))
		}
	}
	return errors.New(msg + ": compare needs two receipts of one task")
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
		} else if !c.RequestIDMatches[i] {
			out = append(out, fmt.Sprintf("receipt %d (node %s) states request_id %s, not its task's %s: it does not say which request its output answers, and nothing in it is held against that node for this task",
				i+1, short(c.Nodes[i]), short(c.stated[i]), c.RequestID))
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

// reference recomputes the correct output of task t (with o's supplied
// inputs) and checks each receipt's digest in that receipt's own algorithm.
func reference(t workload.ComputeTask, rc [2]*receipt.Receipt, o Options) (*Reference, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	if n > MaxCompareN {
		return nil, fmt.Errorf("n = %d is above the recomputation limit %d", n, MaxCompareN)
	}
	a, b, err := protocol.Inputs(t, o.A, o.B)
	if err != nil {
		return nil, err
	}
	c, err := workload.Multiply(a, b, n, f)
	if err != nil {
		return nil, err
	}
	ref := &Reference{FirstDifferingRow: [2]int{-1, -1},
		Note: "the receipts carry digests, not outputs: the first differing row is known only for a sampled receipt whose opened rows disagree"}
	leaves := sampling.RowLeaves(c, n)
	root, _ := merkle.RootHash(leaves)
	digests := map[protocol.Curve][32]byte{} // one Poseidon2 digest of C' per curve
	for i, r := range rc {
		switch r.OutputDigestAlg {
		case receipt.DigestMerkleRows:
			ref.Correct[i] = r.OutputDigest == hex.EncodeToString(root[:])
		case protocol.OutputDigestAlgorithm(protocol.BN254), protocol.OutputDigestAlgorithm(protocol.BLS12381):
			curve := ProofCurve(r)
			pos, ok := digests[curve]
			if !ok {
				if pos, err = protocol.OutputDigestOn(curve, c, n, f); err != nil {
					return nil, err
				}
				digests[curve] = pos
			}
			ref.Correct[i] = r.OutputDigest == hex.EncodeToString(pos[:])
		}
		if s := r.Sampling; s != nil && !ref.Correct[i] {
			for k, row := range s.Indices {
				if k < len(s.Paths) && row >= 0 && row < n && checkRow(a, b, n, f, row, s.Paths[k], mustRoot(r.OutputDigest), nil) != nil {
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
