package coordinator

// Settling a disagreement: the coordinator's own recomputation, or a
// third worker and a majority of verified receipts.
//
// What a vote is. A vote is a receipt that passed the verifier for the
// job's task (verifyResult: its task's request_id recomputed and equal to
// the job's, the sender's node_id and registered worker_address, the
// signature, and the mode's checks: a SNARK's proof, a sampled receipt's
// rows re-executed after its root was committed, a binding receipt's
// structure). A receipt that was rejected or held is no vote, and one node
// has at most one vote per task (votesLocked keeps a node's first passed
// receipt; the check and the third worker are drawn excluding every node
// that already executed the task, excludeFor). A vote says only "this
// node signed this output digest": a binding receipt proves nothing about
// the product, a sampled one is refuted only with probability
// 1-(1-d/n)^k for d wrong rows out of n and k opened, so a majority is
// what settles them when the coordinator does not recompute (a SNARK
// receipt that passes proves its output, under its setup's trust, and
// cannot be outvoted by a right one: two of them never disagree).
//
// Within the recompute budget (matrix_size ≤ Config.RecomputeMaxN, by
// default network.MaxNetworkN) the coordinator settles a disagreement
// itself: verifier.Compare multiplies the task's matrices (derived from the
// seed, or the supplied matrices checked against the input commitment
// fixed at intake) natively and refutes the receipt whose digest is not
// the product's. That is sound against any number of colluding workers
// for a disagreement: the struck node signed a wrong output, whoever else
// agrees with it. It costs n³ multiply-accumulates per disagreement.
//
// Above the budget, or when Compare cannot decide (it could not recompute,
// or a receipt is not evidence), the task goes to a third worker, and the
// output digest carried by two of the three votes (same digest algorithm,
// same digest) is accepted; a vote with the same algorithm and another
// digest is outvoted: its job is marked rejected and its node struck, with
// all the votes' receipts as evidence. The credit goes to the first job in
// job order whose vote is in the majority: the primary when it is, else the
// check (the third worker is paid only if neither was — it cannot be: a
// majority of three with the third in it contains the primary or the
// check); the ledger's create-once key credit.<request_id> keeps it one
// payment. A vote of another digest algorithm (a SNARK's Poseidon2 digest
// beside a sampled receipt's row root) cannot be compared without the
// product: it is neither counted for nor struck. Except that a passed
// SNARK receipt is not a vote but a proof of its output: when one is
// among the receipts it decides (it is accepted; a receipt of its digest
// algorithm with another digest is refuted and struck; the others are
// neither struck nor paid), and a check that disagrees with one goes to
// no third worker. Counted as one vote, it was outvoted by two binding
// receipts, which cost nothing to sign (TestRedteam2SNARKOutvoted). With no majority (three
// different digests, or too few comparable ones) at most one of the
// workers is right and nobody can tell which: the task is expired and its
// reward refunded at once, nobody is struck, nobody paid. A third worker
// whose receipt fails verification (garbage, a forged signature, another
// task) is struck as any rejected result is, and a fourth distinct worker
// is drawn; with none live the job waits until the deadline expires the
// task (refund).
//
// What the majority guarantees. It is sound only against fewer than two
// colluding (or identically faulty) workers among the three chosen: two
// that sign the same wrong digest win the vote, are paid, and get the
// honest third struck. Independent faults agree only by a SHA-256 or
// Poseidon2 collision. The workers are drawn by the coordinator with its
// own randomness (Config.Rand), each after the results before it are fixed:
// the check after the primary's receipt is verified, the third after both
// are, excluding the nodes already drawn, so no worker chooses its partner.
// Against an adversary holding a fraction φ of the live registered
// identities (2^t identities among H honest ones: φ = 2^t/(2^t+H);
// registering is free, an Ed25519 key), a wrong output is accepted when the
// primary and the check are both its own (about φ², no third is asked) or
// when one of them and the third are (about 2φ²(1-φ)); the draw is among
// the least-loaded live workers, so idle identities are drawn more often
// than φ says. A try that fails verification costs it a strike and a
// redraw (t redraws give it about 1-(1-φ)^t of getting its own identity
// for one role at the cost of t strikes, and Config.MaxStrikes strikes bar
// an identity from further jobs); but a try that ends in a timeout or a
// hold — committing a sampled root, seeing the challenge, then going
// silent — costs it no strike, only one of the task's maxJobsPerTask
// executions, so with enough identities such redraws are free (open). Agreement is never
// checked further: two colluding nodes that agree are accepted without a
// third worker and without recomputation, within the budget as above it.
// A strike from a vote is therefore weaker evidence than one from
// recomputation; the strike's reason says which it is. The vote also
// assumes the third computed its output without seeing the first two: a
// job carries no output, and with authentication on (zkpoc coordinator
// --workers: per-role accounts) a worker cannot read the receipts bucket
// (TestAuthWorkerDenied); without it a third can copy either digest — and
// so pick the winner — without computing anything.

import (
	"context"
	"fmt"
	"strings"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// canRecompute reports whether n is within the coordinator's recompute budget.
func (c *Coordinator) canRecompute(n int) bool { return n <= c.cfg.RecomputeMaxN }

func (c *Coordinator) budgetNote(n int) string {
	if c.cfg.RecomputeMaxN < 0 {
		return "the coordinator recomputes no product (recompute budget off)"
	}
	return fmt.Sprintf("n = %d is above the coordinator's recompute budget n ≤ %d", n, c.cfg.RecomputeMaxN)
}

// sameOutput compares two verified receipts' output digests; when they
// differ, why says how.
func sameOutput(e1, e2 *receipt.Envelope) (same bool, why string) {
	s1, _, err1 := e1.Statement()
	s2, _, err2 := e2.Statement()
	if err1 != nil || err2 != nil {
		return false, "a receipt's statement does not decode"
	}
	r1, r2 := &s1.Predicate, &s2.Predicate
	switch {
	case r1.OutputDigestAlg != r2.OutputDigestAlg:
		return false, fmt.Sprintf("the receipts' output digests are of different algorithms (%s, %s): not comparable without the product", r1.OutputDigestAlg, r2.OutputDigestAlg)
	case r1.OutputDigest != r2.OutputDigest:
		return false, fmt.Sprintf("the verified receipts carry different output digests (%s, %s)", short(r1.OutputDigest), short(r2.OutputDigest))
	}
	return true, ""
}

// escalateLocked sends rec to a third worker (distinct from every node
// that executed it) after a disagreement the coordinator did not settle.
func (c *Coordinator) escalateLocked(ctx context.Context, rec *network.TaskRecord, why string) error {
	rec.Comparison = "escalated: " + why
	rec.Status = network.StatusEscalated
	c.dispatchLocked(ctx, rec, network.RoleEscalate, nil)
	return c.saveTaskLocked(ctx, rec)
}

// vote is one verified receipt of a task, from one node.
type vote struct {
	job         int // index in the task's jobs
	node, key   string
	alg, digest string
	env         *receipt.Envelope
}

func (v vote) output() string { return v.alg + ":" + v.digest }

// votesLocked are rec's passed receipts in job order, one per node.
func (c *Coordinator) votesLocked(ctx context.Context, rec *network.TaskRecord) ([]vote, error) {
	var out []vote
	seen := map[string]bool{}
	for k, j := range rec.Jobs {
		if j.Verdict != verifier.Pass || j.Receipt == "" || j.Node == "" || seen[j.Node] {
			continue
		}
		env, err := c.loadEnvelope(ctx, j.Receipt)
		if err != nil {
			return nil, err
		}
		st, _, err := env.Statement()
		if err != nil || st.Predicate.Node.NodeID != j.Node {
			continue // not what passed: no vote
		}
		seen[j.Node] = true
		out = append(out, vote{job: k, node: j.Node, key: j.Receipt, alg: st.Predicate.OutputDigestAlg, digest: st.Predicate.OutputDigest, env: env})
	}
	return out, nil
}

// majority is the output a strict majority (and at least two) of the
// comparable votes carry, and ok false when there is none. Votes are
// comparable when their digest algorithm is the same.
func majority(votes []vote) (string, bool) {
	count, comparable := map[string]int{}, map[string]int{}
	for _, v := range votes {
		count[v.output()]++
		comparable[v.alg]++
	}
	for _, v := range votes {
		if n := count[v.output()]; n >= 2 && 2*n > comparable[v.alg] {
			return v.output(), true
		}
	}
	return "", false
}

// voteLocked decides rec once its third worker's receipt passed: the
// output of the majority is accepted, the outvoted are struck, and with
// no majority the task expires with a refund (see the comment above).
func (c *Coordinator) voteLocked(ctx context.Context, rec *network.TaskRecord) error {
	votes, err := c.votesLocked(ctx, rec)
	if err != nil {
		return err
	}
	var ev, desc []string
	for _, v := range votes {
		ev = append(ev, v.key)
		desc = append(desc, fmt.Sprintf("%s %s %s", rec.Jobs[v.job].Role, short(v.node), short(v.digest)))
	}
	win, ok := majority(votes)
	proved := false
	for _, v := range votes {
		// A passed SNARK receipt proves its output (under its setup's
		// trust, as its verdict says): it decides, whatever votes beside
		// it. Otherwise two receipts of another digest algorithm (binding
		// ones cost nothing to sign) outvoted the proof.
		if protocol.Mode(rec.Jobs[v.job].Mode).SNARK() {
			win, ok, proved = v.output(), true, true
			break
		}
	}
	if !ok {
		rec.Comparison = fmt.Sprintf("no majority among %d verified receipts from distinct nodes (%s): at most one is right and none can be told; expired and refunded, nobody struck",
			len(votes), strings.Join(desc, ", "))
		c.logf("task %s: %s", rec.TaskID, rec.Comparison)
		return c.expireLocked(ctx, rec)
	}
	var w vote
	for _, v := range votes {
		if v.output() == win {
			w = v // the first in job order: the primary when it is in the majority
			break
		}
	}
	agree, comparable := 0, 0
	for _, v := range votes {
		if v.alg == w.alg {
			comparable++
			if v.digest == w.digest {
				agree++
			}
		}
	}
	var outvoted []string
	for _, v := range votes {
		if v.alg != w.alg || v.digest == w.digest {
			continue // in the majority, or not comparable: neither struck nor paid
		}
		reason := fmt.Sprintf("output outvoted %d of %d: the majority of verified receipts from distinct nodes carry %s, this one %s (a vote, not a recomputation)",
			agree, comparable, short(w.digest), short(v.digest))
		if proved {
			reason = fmt.Sprintf("output refuted by a verified SNARK receipt of the task (node %s): it proves %s, this one carries %s", short(w.node), short(w.digest), short(v.digest))
		}
		if err := c.strikeLocked(ctx, v.node, rec, reason, ev); err != nil {
			return err
		}
		rec.Jobs[v.job].Verdict, rec.Jobs[v.job].Reason = verifier.Reject, "output outvoted"
		outvoted = append(outvoted, short(v.node))
	}
	ov := strings.Join(outvoted, ", ")
	if ov == "" {
		ov = "none"
	}
	rec.Comparison = fmt.Sprintf("majority %d of %d: verified receipts from distinct nodes (%s); accepted %s's, outvoted: %s",
		agree, comparable, strings.Join(desc, ", "), short(w.node), ov)
	if proved {
		rec.Comparison = fmt.Sprintf("proved: a verified SNARK receipt decides among the receipts from distinct nodes (%s); accepted %s's, refuted: %s (receipts of another digest algorithm are neither struck nor paid)",
			strings.Join(desc, ", "), short(w.node), ov)
	}
	return c.acceptLocked(ctx, rec, w.job, w.env)
}
