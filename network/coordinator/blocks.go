package coordinator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/network"
)

// appendBlock publishes a block of the waiting results, the first
// cfg.MaxBlockTxs of them (the others wait for the next block).
func (c *Coordinator) appendBlock(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return nil
	}
	in := c.pending[:min(len(c.pending), c.cfg.MaxBlockTxs)]
	results := make([]chain.ComputeResult, 0, len(in))
	txs := make([]chain.SubmitResult, 0, len(in))
	var proof []byte
	for _, p := range in {
		results = append(results, p.result.cr)
		txs = append(txs, chain.NewSubmitResult(p.result.cr))
		if proof == nil && p.result.proof != nil {
			proof = p.result.proof
		}
	}
	hdr, err := chain.NewBlockHeader(results, proof)
	if err != nil {
		return fmt.Errorf("block %d: %w", c.height+1, err)
	}
	b := network.Block{Height: c.height + 1, Parent: fmt.Sprintf("%x", c.lastHash), Time: c.cfg.Now().Unix(), Transactions: txs, Header: hdr}
	if b.Hash, err = b.ComputeHash(); err != nil {
		return err
	}
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if _, err := c.js.Publish(ctx, network.SubjectBlocks, data, jetstream.WithMsgID(strconv.FormatUint(b.Height, 10))); err != nil {
		return fmt.Errorf("publish block %d: %w", b.Height, err)
	}
	h, err := decodeHex32(b.Hash)
	if err != nil {
		return err
	}
	c.height, c.lastHash = b.Height, h
	for _, p := range in {
		rec := c.tasks[p.taskID]
		if rec == nil || rec.Accepted == nil {
			continue
		}
		rec.Accepted.Block = b.Height
		if err := c.saveTaskLocked(ctx, rec); err != nil {
			c.logf("block %d: %v", b.Height, err)
		}
		delete(c.tasks, p.taskID)
	}
	c.pending = append([]pendingResult(nil), c.pending[len(in):]...)
	c.logf("block %d: %d results, compute_root %s", b.Height, len(txs), hdr.ComputeRoot)
	return nil
}

// housekeeping re-dispatches the jobs of dead workers and timed-out jobs,
// and expires tasks past their deadline.
func (c *Coordinator) housekeeping(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	for id, rec := range c.tasks {
		if rec.Status == network.StatusAccepted || rec.Status == network.StatusExpired {
			continue
		}
		changed := false
		if rec.Task.Deadline <= now.Unix() || exhausted(rec) {
			if err := c.expireLocked(ctx, rec); err != nil {
				c.logf("expire %s: %v", id, err)
			}
			continue
		}
		for i := range rec.Jobs {
			j := &rec.Jobs[i]
			if j.Node == "" || j.ReturnedAt != 0 || j.Verdict != "" {
				continue
			}
			reason := ""
			last, ok := c.live[j.Node]
			if !ok {
				last = c.started // after a restart, a node gets HeartbeatTimeout to be heard
			}
			if now.Sub(last) > c.cfg.HeartbeatTimeout {
				reason = "node dead"
			} else if now.UnixMilli()-j.DispatchedAt > c.cfg.JobTimeout.Milliseconds() {
				reason = "timeout"
			}
			if reason != "" {
				j.Verdict, j.Reason = "lost", reason
				c.logf("task %s attempt %d on %s: %s: re-dispatch", id, j.Attempt, short(j.Node), reason)
				c.dispatchLocked(ctx, rec, j.Role, nil)
				changed = true
			}
		}
		if changed {
			if err := c.saveTaskLocked(ctx, rec); err != nil {
				c.logf("%v", err)
			}
		}
	}
	c.dispatchWaitingLocked(ctx)
}

// exhausted: every one of the task's maxJobsPerTask executions has
// returned or been lost, none accepted.
func exhausted(rec *network.TaskRecord) bool {
	if len(rec.Jobs) < maxJobsPerTask {
		return false
	}
	for _, j := range rec.Jobs {
		if j.Verdict == "" {
			return false
		}
	}
	return true
}

func (c *Coordinator) expireLocked(ctx context.Context, rec *network.TaskRecord) error {
	acct := rec.Poster
	if acct == "" {
		acct = "market"
	}
	// Never both credited and refunded: a credit on record (its task's
	// record failed to be written after it) leaves the task final as
	// expired without a refund; the worker was paid.
	credited, err := c.ledgerHas(ctx, network.Credit+"."+rec.RequestID)
	if err != nil {
		return err
	}
	if credited {
		rec.Status = network.StatusExpired
		if err := c.saveTaskLocked(ctx, rec); err != nil {
			return err
		}
		c.logf("expire: task %s credited already: no refund", rec.TaskID)
		delete(c.tasks, rec.TaskID)
		return nil
	}
	e := network.LedgerEntry{Kind: network.Refund, Account: acct, Wei: rec.Task.Reward, TaskID: rec.TaskID, RequestID: rec.RequestID, At: c.nowMs()}
	b, _ := json.Marshal(e)
	if _, err := c.ledgerKV.Create(ctx, network.Refund+"."+rec.RequestID, b); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return err
	}
	rec.Status, rec.Refunded = network.StatusExpired, true
	if err := c.saveTaskLocked(ctx, rec); err != nil {
		return err
	}
	c.logf("expire: task %s refunded to %s", rec.TaskID, acct)
	delete(c.tasks, rec.TaskID)
	return nil
}

// reload restores the non-final tasks, the registered nodes and the last block.
func (c *Coordinator) reload(ctx context.Context) error {
	msg, err := c.js.Stream(ctx, network.BlocksStream)
	if err != nil {
		return err
	}
	// inLast are the tasks whose results the last block holds: a
	// coordinator stopped between publishing a block and recording the
	// height in its tasks must not put those results in a block again.
	inLast := map[string]bool{}
	if m, err := msg.GetLastMsgForSubject(ctx, network.SubjectBlocks); err == nil {
		var b network.Block
		if err := json.Unmarshal(m.Data, &b); err != nil {
			return fmt.Errorf("last block: %w", err)
		}
		h, err := decodeHex32(b.Hash)
		if err != nil {
			return fmt.Errorf("last block hash: %w", err)
		}
		c.height, c.lastHash = b.Height, h
		for _, tx := range b.Transactions {
			inLast[tx.Payload.TaskID] = true
		}
	} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("last block: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if lister, err := c.nodesKV.ListKeys(ctx); err == nil {
		for k := range lister.Keys() {
			if e, err := c.nodesKV.Get(ctx, k); err == nil {
				var n network.NodeRecord
				if json.Unmarshal(e.Value(), &n) == nil {
					c.nodes[k] = n.Registration.WorkerAddress
					c.noteStrikes(k, &n)
				}
			}
		}
	}
	lister, err := c.tasksKV.ListKeys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for k := range lister.Keys() {
		e, err := c.tasksKV.Get(ctx, k)
		if err != nil {
			continue
		}
		var rec network.TaskRecord
		if json.Unmarshal(e.Value(), &rec) != nil {
			continue
		}
		if rec.Status == network.StatusExpired || rec.Status == network.StatusAccepted && (rec.Accepted == nil || rec.Accepted.Block > 0) {
			continue
		}
		r := rec
		if r.Status == network.StatusAccepted && inLast[k] {
			// In the last block already; record it there.
			r.Accepted.Block = c.height
			if err := c.saveTaskLocked(ctx, &r); err != nil {
				return fmt.Errorf("reload: task %s in block %d: %w", k, c.height, err)
			}
			c.logf("reload: task %s was in block %d already", k, c.height)
			continue
		}
		if r.Status == network.StatusAccepted {
			// Accepted, not yet in a block: queue its result again.
			env, err := c.loadEnvelope(ctx, r.Accepted.Receipt)
			if err != nil {
				c.logf("reload: task %s: %v", k, err)
				continue
			}
			rb, err := blockResult(env, r.Accepted.WorkerAddress)
			if err != nil {
				c.logf("reload: task %s: %v", k, err)
				continue
			}
			c.pending = append(c.pending, pendingResult{taskID: k, result: rb})
		}
		c.tasks[k] = &r
		c.byRequest[r.RequestID] = k
	}
	return nil
}
