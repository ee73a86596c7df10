package coordinator

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

type resultForBlock struct {
	cr    chain.ComputeResult
	proof []byte // zk_compute_proof bytes of a proved result, else nil
}

// maxResultDeliveries bounds the tries at one result message.
const maxResultDeliveries = 8

// resultRetryDelay is the wait before the n+1-th try: 100 ms doubling,
// at most 10 s (12.7 s over the eight tries).
func resultRetryDelay(n uint64) time.Duration {
	d := 100 * time.Millisecond << min(n-1, 7)
	return min(d, 10*time.Second)
}

func (c *Coordinator) resultsLoop(ctx context.Context, cons jetstream.Consumer) {
	for ctx.Err() == nil {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			if ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		for m := range batch.Messages() {
			t0 := time.Now()
			err := c.processResult(ctx, m.Subject(), m.Data())
			since(&c.st.results, &c.st.resultNs, t0)
			if err != nil {
				// A failure to record (a KV write refused) is retried with
				// backoff; a message that fails maxResultDeliveries times is
				// dropped, so it cannot stop everyone's results behind it
				// (the consumer takes one at a time). Its job then times out
				// and goes to another worker.
				n := uint64(1)
				if md, mdErr := m.Metadata(); mdErr == nil {
					n = md.NumDelivered
				}
				if n >= maxResultDeliveries {
					c.logf("result on %s: %v: failed %d times, dropped (the job will time out and be re-dispatched)", m.Subject(), clip(err.Error()), n)
					_ = m.Term()
					continue
				}
				c.logf("result on %s: %v (will be redelivered)", m.Subject(), clip(err.Error()))
				_ = m.NakWithDelay(resultRetryDelay(n))
				continue
			}
			_ = m.Ack()
		}
	}
}

// processResult handles one result message; an error means state could
// not be written (the message is redelivered); a bad result is handled
// (ignored or struck) and returns nil.
func (c *Coordinator) processResult(ctx context.Context, subject string, data []byte) error {
	node := strings.TrimPrefix(subject, network.SubjectResultsPfx)
	if network.CheckID("node_id", node) != nil {
		return nil
	}
	var res network.Result
	if err := network.Decode(data, network.MaxMessageBytes, &res); err != nil {
		c.logf("result from %s: %s: ignored", node[:12], clip(err.Error()))
		return c.strikeUnknown(ctx, node, "garbage result: "+err.Error())
	}
	t0 := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	since(nil, &c.st.lockWaitNs, t0)
	rec, i, ok := c.findJobLocked(res.RequestID, node, res.Attempt)
	if !ok || res.NodeID != node {
		if _, known := c.byRequest[res.RequestID]; known && res.NodeID == node {
			c.logf("result %s attempt %d from %s: not outstanding (replay): ignored", short(res.RequestID), res.Attempt, node[:12])
			return nil
		}
		c.logf("result from %s: no outstanding job %s attempt %d: ignored", node[:12], short(res.RequestID), res.Attempt)
		return nil
	}
	// On an error nothing is kept in memory either: the redelivered
	// message finds the job outstanding again.
	saved, savedPending := cloneTask(rec), len(c.pending)
	err := c.handleResultLocked(ctx, rec, i, node, res)
	if err != nil {
		*rec = saved
		c.pending = c.pending[:savedPending]
		c.tasks[rec.TaskID], c.byRequest[rec.RequestID] = rec, rec.TaskID
	}
	return err
}

func cloneTask(t *network.TaskRecord) network.TaskRecord {
	out := *t
	out.Jobs = append([]network.JobRecord(nil), t.Jobs...)
	if t.Accepted != nil {
		a := *t.Accepted
		out.Accepted = &a
	}
	return out
}

func (c *Coordinator) handleResultLocked(ctx context.Context, rec *network.TaskRecord, i int, node string, res network.Result) error {
	job := &rec.Jobs[i]
	job.ReturnedAt = c.nowMs()
	key := jobKey(rec.RequestID, node, job.Attempt)
	if _, _, err := c.taskInputsLocked(ctx, rec); errors.Is(err, errInputsChanged) {
		// No receipt of this task can be verified any more; the worker
		// is not at fault.
		job.Verdict, job.Reason = verifier.Hold, err.Error()
		c.logf("task %s: %v: expired", rec.TaskID, err)
		return c.expireLocked(ctx, rec)
	}
	t0 := time.Now()
	env, verdict, reason := c.verifyResult(ctx, rec, node, key, res.Receipt)
	since(nil, &c.st.verifyNs, t0)
	if env != nil {
		if _, err := c.receiptsKV.Put(ctx, key, res.Receipt); err != nil {
			job.ReturnedAt = 0
			return fmt.Errorf("store receipt %s: %w", key, err)
		}
		job.Receipt = key
		if st, _, err := env.Statement(); err == nil {
			job.Mode = string(st.Predicate.Mode)
		}
	}
	reason = clip(reason)
	job.Verdict, job.Reason = verdict, reason
	c.logf("result: task %s %s attempt %d from %s: %s (%s)", rec.TaskID, job.Role, job.Attempt, node[:12], verdict, reason)
	if verdict != verifier.Pass {
		// A strike means the node was proved wrong (a reject). A hold is
		// the coordinator not being able to judge (a key it lacks, no
		// commitment on record): the job goes elsewhere, nobody is struck.
		if verdict == verifier.Reject {
			var ev []string
			if job.Receipt != "" {
				ev = []string{key}
			}
			if err := c.strikeLocked(ctx, node, rec, reason, ev); err != nil {
				return err
			}
		}
		// Re-dispatch the same role to another worker (a rejected check
		// leaves the passed primary waiting for a distinct second one).
		c.dispatchLocked(ctx, rec, job.Role, nil)
		return c.saveTaskLocked(ctx, rec)
	}
	switch job.Role {
	case network.RolePrimary:
		mode := protocol.Mode(job.Mode)
		if mode == protocol.ModeSampled || mode == protocol.ModeBinding || c.randFloat() < c.cfg.RedispatchFraction {
			rec.Status = network.StatusChecking
			c.dispatchLocked(ctx, rec, network.RoleCheck, nil)
			return c.saveTaskLocked(ctx, rec)
		}
		return c.acceptLocked(ctx, rec, i, env)
	case network.RoleEscalate:
		return c.voteLocked(ctx, rec)
	default:
		return c.compareLocked(ctx, rec, i, env)
	}
}

func (c *Coordinator) passedPrimaryLocked(rec *network.TaskRecord) int {
	for i, j := range rec.Jobs {
		if j.Role == network.RolePrimary && j.Verdict == verifier.Pass {
			return i
		}
	}
	return -1
}

// compareLocked compares the check result job i with the passed primary.
// Within the recompute budget the coordinator settles a disagreement
// itself (verifier.Compare recomputes the product); above it, or when
// Compare cannot settle it, a third worker is asked (escalateLocked) and a
// majority decides (voteLocked).
func (c *Coordinator) compareLocked(ctx context.Context, rec *network.TaskRecord, i int, env *receipt.Envelope) error {
	p := c.passedPrimaryLocked(rec)
	if p < 0 {
		return c.acceptLocked(ctx, rec, i, env)
	}
	penv, err := c.loadEnvelope(ctx, rec.Jobs[p].Receipt)
	if err != nil {
		return err
	}
	if n := rec.Task.Payload.MatrixSize; !c.canRecompute(n) {
		same, why := sameOutput(penv, env)
		if same {
			rec.Comparison = verifier.Agree + ": both verified receipts carry the same output digest (no recomputation: " + c.budgetNote(n) + ")"
			return c.acceptLocked(ctx, rec, p, penv)
		}
		if protocol.Mode(rec.Jobs[p].Mode).SNARK() || protocol.Mode(rec.Jobs[i].Mode).SNARK() {
			return c.voteLocked(ctx, rec) // a verified SNARK receipt decides: no third worker
		}
		return c.escalateLocked(ctx, rec, why+"; "+c.budgetNote(n))
	}
	o1, err := c.verifyOptions(ctx, rec, penv, rec.Jobs[p].Receipt)
	if err != nil {
		return err
	}
	o2, err := c.verifyOptions(ctx, rec, env, rec.Jobs[i].Receipt)
	if err != nil {
		return err
	}
	cmp, err := verifier.Compare(penv, env, o1, o2)
	if err != nil {
		return c.escalateLocked(ctx, rec, "error: "+err.Error())
	}
	rec.Comparison = cmp.Outcome + ": " + cmp.Advice
	ev := []string{rec.Jobs[p].Receipt, rec.Jobs[i].Receipt}
	switch {
	case cmp.Outcome == verifier.Agree:
		return c.acceptLocked(ctx, rec, p, penv)
	case cmp.Outcome == verifier.Disagree && cmp.Reference != nil:
		for _, n := range cmp.Escalate {
			if err := c.strikeLocked(ctx, n, rec, "output refuted by recomputation: "+cmp.Advice, ev); err != nil {
				return err
			}
			for k := range rec.Jobs {
				if rec.Jobs[k].Node == n && (k == p || k == i) {
					rec.Jobs[k].Verdict, rec.Jobs[k].Reason = verifier.Reject, "output refuted by recomputation"
				}
			}
		}
		if cmp.Reference.Correct[0] {
			return c.acceptLocked(ctx, rec, p, penv)
		}
		if cmp.Reference.Correct[1] {
			return c.acceptLocked(ctx, rec, i, env)
		}
		// neither correct: execute again.
		c.dispatchLocked(ctx, rec, network.RolePrimary, nil)
		rec.Status = network.StatusQueued
		return c.saveTaskLocked(ctx, rec)
	default:
		// Undecided, or a disagreement the coordinator could not recompute.
		return c.escalateLocked(ctx, rec, rec.Comparison)
	}
}

func policyFor(mode protocol.Mode) string {
	switch mode {
	case protocol.ModeBinding:
		return "binding-v1"
	case protocol.ModeSampled:
		return "sampled-v1"
	}
	return "zk-dev-v1"
}

// verifyOptions are the verifier options for env (stored at key) of a job
// of rec: the key cache, the policy of its mode, a sampled run's challenge,
// and a supplied task's matrices (checked against its input commitment), so
// sampled rows can be re-executed and Compare can recompute the product.
func (c *Coordinator) verifyOptions(ctx context.Context, rec *network.TaskRecord, env *receipt.Envelope, key string) (verifier.Options, error) {
	st, _, err := env.Statement()
	if err != nil {
		return verifier.Options{}, err
	}
	r := &st.Predicate
	pol, err := verifier.LookupPolicy(policyFor(r.Mode))
	if err != nil {
		return verifier.Options{}, err
	}
	o := verifier.Options{Policy: &pol}
	if o.A, o.B, err = c.taskInputsLocked(ctx, rec); err != nil {
		return o, err
	}
	if c.cfg.KeyDir != "" {
		o.Cache = keys.Cache{Dir: c.cfg.KeyDir}
	}
	if r.Sampling != nil && r.Sampling.Method == receipt.SamplingMethodChallenge {
		e, err := c.commitsKV.Get(ctx, key)
		if err == nil {
			var com Commitment
			if json.Unmarshal(e.Value(), &com) == nil {
				root, err1 := decodeHex32(com.Root)
				ch, err2 := hex.DecodeString(com.Challenge)
				if err1 == nil && err2 == nil {
					o.SampleChallenge = &verifier.SampleChallenge{Value: ch, Root: root}
				}
			}
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return o, fmt.Errorf("commitment %s: %w", key, err)
		}
	}
	return o, nil
}

func (c *Coordinator) loadEnvelope(ctx context.Context, key string) (*receipt.Envelope, error) {
	e, err := c.receiptsKV.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("receipt %s: %w", key, err)
	}
	return receipt.Decode(e.Value())
}

// verifyResult checks a result's receipt for job key of rec from node:
// the envelope (nil when it does not decode) and the verdict with its reason.
func (c *Coordinator) verifyResult(ctx context.Context, rec *network.TaskRecord, node, key string, raw []byte) (*receipt.Envelope, string, string) {
	env, err := receipt.Decode(raw)
	if err != nil {
		return nil, verifier.Reject, "receipt does not decode: " + err.Error()
	}
	st, _, err := env.Statement()
	if err != nil {
		return env, verifier.Reject, "receipt statement: " + err.Error()
	}
	r := &st.Predicate
	rid, err := r.Task.RequestID()
	if err != nil || hex.EncodeToString(rid[:]) != rec.RequestID || r.RequestID != rec.RequestID {
		return env, verifier.Reject, "receipt is not for the job's task (request_id " + short(rec.RequestID) + ")"
	}
	if r.Task.Payload.MatrixSize > network.MaxNetworkN {
		return env, verifier.Reject, fmt.Sprintf("matrix_size %d above %d", r.Task.Payload.MatrixSize, network.MaxNetworkN)
	}
	if r.Node.NodeID != node {
		return env, verifier.Reject, "receipt's node_id " + short(r.Node.NodeID) + " is not the sender " + short(node)
	}
	if addr := c.nodes[node]; r.Node.WorkerAddress != addr {
		return env, verifier.Reject, fmt.Sprintf("receipt's worker_address %.80q is not the registered %q", r.Node.WorkerAddress, addr)
	}
	if r.Mode == protocol.ModeSampled && (r.Sampling == nil || r.Sampling.Method != receipt.SamplingMethodChallenge) {
		// The network's sampled runs draw their rows on the coordinator's
		// challenge, issued after the root was committed. Rows the worker
		// drew itself from its own root (Fiat–Shamir, even with a proof of
		// work) it may regrind until its wrong rows are missed.
		method := "none"
		if r.Sampling != nil {
			method = r.Sampling.Method
		}
		return env, verifier.Reject, fmt.Sprintf("sampled receipt's rows are not drawn on the coordinator's challenge (sampling method %.40q): a sampled job commits its root first (zkpoc.commit)", method)
	}
	o, err := c.verifyOptions(ctx, rec, env, key)
	if err != nil {
		return env, verifier.Hold, err.Error()
	}
	v := verifier.Verify(env, o)
	if err := v.Attributable(); err != nil {
		return env, verifier.Reject, err.Error()
	}
	return env, v.PolicyDecision.Status, v.PolicyDecision.Reason
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// strikeUnknown strikes a registered node for a message that is not a result at all.
func (c *Coordinator) strikeUnknown(ctx context.Context, node, reason string) error {
	c.mu.Lock()
	_, ok := c.nodes[node]
	c.mu.Unlock()
	if !ok {
		return nil
	}
	return c.updateNode(ctx, node, func(n *network.NodeRecord) { addStrike(n, network.Strike{Reason: reason, At: c.nowMs()}) })
}

// maxReasonBytes bounds a reason the coordinator stores (a strike's, a
// job's): reasons quote decoder and verifier errors, which may quote the
// sender's bytes (an unknown key of any length), and the records they go
// into are bounded by the buckets' value limit.
const maxReasonBytes = 512

// clip cuts s to at most maxReasonBytes, on a rune boundary.
func clip(s string) string {
	if len(s) <= maxReasonBytes {
		return s
	}
	cut := maxReasonBytes - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// addStrike records s against n: Rejected counts every strike, Strikes
// keeps the network.MaxStrikesKept most recent (a node flooding its own
// results subject with garbage must not grow its record without bound:
// past the bucket's value limit the write fails and the result pipeline
// stops), each reason clipped.
func addStrike(n *network.NodeRecord, s network.Strike) {
	s.Reason = clip(s.Reason)
	n.Strikes = append(n.Strikes, s)
	if k := len(n.Strikes) - network.MaxStrikesKept; k > 0 {
		n.Strikes = append([]network.Strike(nil), n.Strikes[k:]...)
	}
	n.Rejected++
	n.Rating = rating(n)
}

// rating is accepted / (accepted + strikes), every strike counted.
func rating(n *network.NodeRecord) float64 {
	if n.Accepted+n.Rejected == 0 {
		return 1
	}
	return float64(n.Accepted) / float64(n.Accepted+n.Rejected)
}

func (c *Coordinator) strikeLocked(ctx context.Context, node string, rec *network.TaskRecord, reason string, ev []string) error {
	c.logf("strike: node %s on task %s: %s", short(node), rec.TaskID, clip(reason))
	return c.updateNode(ctx, node, func(n *network.NodeRecord) {
		addStrike(n, network.Strike{TaskID: rec.TaskID, RequestID: rec.RequestID, Reason: reason, Evidence: ev, At: c.nowMs()})
	})
}

// acceptLocked credits job i's worker (once per request), marks the task
// accepted and queues its result for the next block.
// ledgerHas reports whether the ledger holds key.
func (c *Coordinator) ledgerHas(ctx context.Context, key string) (bool, error) {
	_, err := c.ledgerKV.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("ledger %s: %w", key, err)
	}
}

func (c *Coordinator) acceptLocked(ctx context.Context, rec *network.TaskRecord, i int, env *receipt.Envelope) error {
	j := rec.Jobs[i]
	// The credit goes to the worker_address the accepted receipt binds
	// (checked equal to the registration when it was verified), not to
	// whatever the node registered since: a re-registration while a check
	// is out must not move a reward off the signed receipt's address.
	addr := c.nodes[j.Node]
	if st, _, err := env.Statement(); err == nil && st.Predicate.Node.WorkerAddress != "" {
		addr = st.Predicate.Node.WorkerAddress
	}
	// A request is either credited or refunded, never both: a refund on
	// record (its task's record failed to be written after it) makes the
	// task final as expired, and nobody is paid.
	if refunded, err := c.ledgerHas(ctx, network.Refund+"."+rec.RequestID); err != nil {
		return err
	} else if refunded {
		c.logf("task %s: refunded already: not credited", rec.TaskID)
		rec.Status, rec.Refunded = network.StatusExpired, true
		if err := c.saveTaskLocked(ctx, rec); err != nil {
			return err
		}
		delete(c.tasks, rec.TaskID)
		return nil
	}
	// Where the reward is paid: a credit on record already (a redelivered
	// result) keeps its settlement, so it is never paid on both.
	settle := network.SettleLedger
	if prev, err := c.ledgerKV.Get(ctx, network.Credit+"."+rec.RequestID); err == nil {
		var le network.LedgerEntry
		if json.Unmarshal(prev.Value(), &le) == nil && le.Settlement == network.SettleChain {
			settle = network.SettleChain
		}
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("ledger credit.%s: %w", rec.RequestID, err)
	} else if settle, err = c.chainSettleLocked(ctx, rec, j.Node, j.Receipt, env); err != nil {
		return err
	}
	entry := network.LedgerEntry{Kind: network.Credit, Account: addr, Wei: rec.Task.Reward, TaskID: rec.TaskID, RequestID: rec.RequestID, Node: j.Node, At: c.nowMs()}
	if settle == network.SettleChain {
		entry.Settlement = network.SettleChain
	}
	b, _ := json.Marshal(entry)
	paid := true
	if _, err := c.ledgerKV.Create(ctx, network.Credit+"."+rec.RequestID, b); err != nil {
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("credit %s: %w", rec.RequestID, err)
		}
		paid = false // already credited: no second payment
	}
	if paid {
		if err := c.updateNode(ctx, j.Node, func(n *network.NodeRecord) { n.Accepted++; n.Rating = rating(n) }); err != nil {
			return err
		}
	}
	rec.Status = network.StatusAccepted
	rec.RewardPaidWei = rec.Task.Reward
	rec.Settlement = settle
	rec.Accepted = &network.Acceptance{Node: j.Node, WorkerAddress: addr, Receipt: j.Receipt, AcceptedAt: c.nowMs()}
	rb, err := blockResult(env, addr)
	for k := range rec.Jobs { // jobs still out are not awaited any more
		if rec.Jobs[k].ReturnedAt == 0 && rec.Jobs[k].Verdict == "" {
			rec.Jobs[k].Verdict, rec.Jobs[k].Reason = "cancelled", "task accepted"
		}
	}
	if err != nil {
		c.logf("task %s: no compute result for the block: %v", rec.TaskID, err)
	} else {
		c.pending = append(c.pending, pendingResult{taskID: rec.TaskID, result: rb})
	}
	if err := c.saveTaskLocked(ctx, rec); err != nil {
		return err
	}
	c.logf("accept: task %s to node %s (%s wei)", rec.TaskID, short(j.Node), rec.Task.Reward)
	if err != nil { // nothing for a block: the task is final now
		delete(c.tasks, rec.TaskID)
	}
	return nil
}

// blockResult is the ComputeResult of an accepted receipt: chain.FromReceipt
// for a Groth16 receipt, and for any other the PoE and signature without a proof.
func blockResult(env *receipt.Envelope, addr string) (resultForBlock, error) {
	if cr, err := chain.FromReceipt(env, addr); err == nil {
		st, _, _ := env.Statement()
		p, _ := chain.EncodeComputeProof(&st.Predicate)
		return resultForBlock{cr: cr, proof: p}, nil
	}
	st, _, err := env.Statement()
	if err != nil {
		return resultForBlock{}, err
	}
	if len(env.Signatures) == 0 {
		return resultForBlock{}, errors.New("no signature")
	}
	sig := env.Signatures[0].Sig
	cr := chain.ComputeResult{TaskID: st.Predicate.Task.TaskID, WorkerAddress: addr, ResultHash: st.Predicate.PoE, Signature: &sig}
	return resultForBlock{cr: cr}, cr.Validate()
}
