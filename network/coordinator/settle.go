package coordinator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// Chain is a ComputeRegistry the coordinator settles accepted results on
// (onchain.Poster): Config.Chain.
//
// The flow, for an accepted receipt Eligible says the registry can pay
// (Groth16 BN254, an EVM worker_address, a reward within the cap):
//
//  1. acceptLocked records the credit with network.SettleChain (the ledger
//     does not owe it) and a ChainSettlement in state ChainPost, in that
//     order, before the task record: a restart at any point resumes it.
//  2. settleLoop posts the task naming the worker (ChainPosted), and sends
//     the worker a RoleSubmit job carrying its own receipt.
//  3. The worker submits; the registry verifies the proof and pays it
//     (ChainPaid, read back from the ResultAccepted event).
//  4. If the deadline passes on chain unpaid, the escrow is refunded to
//     the coordinator's account (ChainRefunded): the worker forfeits it.
//  5. If the task cannot be posted — no verifier for the shape or not for
//     the receipt's key, the deadline passed first, the task id taken on
//     the registry by someone else, or MaxChainTries failures after which
//     the registry shows no such task — the credit moves to the ledger
//     (ChainFailed): the worker is paid once, off chain. A task found
//     posted by this coordinator is never failed: its escrow can pay.
//
// Step 1 reads no chain: it runs under the coordinator's mutex.
type Chain interface {
	// Ref names the registry; Account is the coordinator's account on it
	// (EIP-55), which pays the escrows and receives the refunds.
	Ref(ctx context.Context) (network.ChainRef, error)
	Account() string
	// Eligible, without reading the chain, is the worker address
	// (EIP-55) the registry would pay for env, or an error wrapping
	// network.ErrNotPayable.
	Eligible(task workload.ComputeTask, env *receipt.Envelope) (string, error)
	// Post posts task naming env's worker, escrowing its reward; an error
	// wrapping network.ErrNotPayable is final.
	Post(ctx context.Context, task workload.ComputeTask, env *receipt.Envelope) (network.ChainTx, error)
	Outcome(ctx context.Context, taskID string) (network.ChainOutcome, error)
	// Refund refunds an unpaid task after its deadline; an error wrapping
	// network.ErrNotYet means look again later.
	Refund(ctx context.Context, taskID string) (network.ChainTx, error)
}

// InFlight is implemented by a Chain that can tell whether a transaction
// of its account is sent and not mined yet (onchain.Poster): a post in
// flight may still land, so giving up on posting then could leave an
// escrow beside the ledger credit.
type InFlight interface {
	InFlight(ctx context.Context) (bool, error)
}

// MaxChainTries is how many failed attempts at posting one task (the
// chain unreachable, a transaction lost) are made before it is credited
// on the ledger instead.
const MaxChainTries = 20

// MinChainSubmitWindow is the least time before a task's deadline, on top
// of two ChainEvery ticks (the post's, then the submit job's), that the
// coordinator posts it with: the registry pays a submission only up to
// the deadline and refunds after it, so a task posted closer is credited
// on the ledger instead (the worker could not be paid on chain).
const MinChainSubmitWindow = time.Minute

// chainSettleLocked starts the on-chain settlement of an accepted result
// when Config.Chain can pay it, returning network.SettleChain, or
// network.SettleLedger.
func (c *Coordinator) chainSettleLocked(ctx context.Context, rec *network.TaskRecord, node, key string, env *receipt.Envelope) (string, error) {
	if c.cfg.Chain == nil {
		return network.SettleLedger, nil
	}
	worker, err := c.cfg.Chain.Eligible(rec.Task, env)
	if err != nil {
		c.logf("task %s: credited on the ledger, not on chain: %v", rec.TaskID, err)
		return network.SettleLedger, nil
	}
	s := network.ChainSettlement{TaskID: rec.TaskID, RequestID: rec.RequestID, Node: node, WorkerAddress: worker,
		Receipt: key, Chain: c.chainRef, State: network.ChainPost, UpdatedAt: c.nowMs()}
	b, _ := json.Marshal(s)
	if _, err := c.chainKV.Create(ctx, rec.TaskID, b); errors.Is(err, jetstream.ErrKeyExists) {
		// A settlement on record: this acceptance's, redelivered, or one
		// left by an acceptance of another receipt that was rolled back
		// (its credit never written), which pays that receipt's worker
		// or nobody: this one is credited on the ledger.
		prev, _, err := c.settlement(ctx, rec.TaskID)
		if err != nil {
			return "", err
		}
		if prev.Receipt != key {
			c.logf("task %s: a settlement of receipt %s is on record: credited on the ledger", rec.TaskID, prev.Receipt)
			return network.SettleLedger, nil
		}
	} else if err != nil {
		return "", fmt.Errorf("chain settlement %s: %w", rec.TaskID, err)
	}
	c.settleMu.Lock()
	c.settling[rec.TaskID] = true
	c.settleMu.Unlock()
	return network.SettleChain, nil
}

// reloadSettlements finds the settlements not final (a restart).
func (c *Coordinator) reloadSettlements(ctx context.Context) error {
	lister, err := c.chainKV.ListKeys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil
	}
	if err != nil {
		return err
	}
	c.settleMu.Lock()
	defer c.settleMu.Unlock()
	for k := range lister.Keys() {
		s, _, err := c.settlement(ctx, k)
		if err != nil {
			return err
		}
		if !s.Final() {
			c.settling[k] = true
		}
	}
	return nil
}

func (c *Coordinator) settlement(ctx context.Context, taskID string) (network.ChainSettlement, uint64, error) {
	e, err := c.chainKV.Get(ctx, taskID)
	if err != nil {
		return network.ChainSettlement{}, 0, fmt.Errorf("chain settlement %s: %w", taskID, err)
	}
	var s network.ChainSettlement
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return network.ChainSettlement{}, 0, fmt.Errorf("chain settlement %s: %w", taskID, err)
	}
	return s, e.Revision(), nil
}

// settleLoop advances every settlement not final once per
// Config.ChainEvery. It is the only writer of settlements after their
// creation, and reads the chain without the coordinator's mutex.
func (c *Coordinator) settleLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.ChainEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.settleMu.Lock()
		ids := make([]string, 0, len(c.settling))
		for id := range c.settling {
			ids = append(ids, id)
		}
		c.settleMu.Unlock()
		sort.Strings(ids)
		for _, id := range ids {
			if ctx.Err() != nil {
				return
			}
			if err := c.settleStep(ctx, id); err != nil {
				c.logf("chain: task %s: %v", id, err)
			}
		}
	}
}

// settleStep advances one settlement by at most one state.
func (c *Coordinator) settleStep(ctx context.Context, id string) error {
	s, rev, err := c.settlement(ctx, id)
	if err != nil {
		return err
	}
	before := s
	switch s.State {
	case network.ChainPost:
		err = c.settlePost(ctx, &s)
	case network.ChainPosted:
		err = c.settlePosted(ctx, &s)
	}
	if err != nil {
		s.Tries++
		s.Error = clip(err.Error())
		if s.State == network.ChainPost && s.Tries >= MaxChainTries {
			// Give up only when the registry says the task is not there:
			// a failed attempt may have landed with its answer lost, and
			// a worker paid by that escrow must not be credited as well.
			// Nor while a transaction of the account is in flight: a post
			// not mined yet may land after the registry was read.
			busy := false
			if f, ok := c.cfg.Chain.(InFlight); ok {
				b, ferr := f.InFlight(ctx)
				busy = b || ferr != nil
			}
			if o, oerr := c.cfg.Chain.Outcome(ctx, id); oerr == nil && !o.Posted && !busy {
				err = c.settleFail(ctx, &s, fmt.Sprintf("%d failed attempts at posting: %v", s.Tries, err))
			}
		}
	}
	if s == before {
		return err
	}
	s.UpdatedAt = c.nowMs()
	b, _ := json.Marshal(s)
	if _, uerr := c.chainKV.Update(ctx, id, b, rev); uerr != nil {
		return fmt.Errorf("chain settlement %s: %w", id, uerr)
	}
	if s.Final() {
		c.settleMu.Lock()
		delete(c.settling, id)
		c.settleMu.Unlock()
	}
	if s.State != before.State {
		c.logf("chain: task %s: %s → %s", id, before.State, s.State)
	}
	return err
}

func (c *Coordinator) taskRecord(ctx context.Context, id string) (network.TaskRecord, uint64, error) {
	e, err := c.tasksKV.Get(ctx, id)
	if err != nil {
		return network.TaskRecord{}, 0, fmt.Errorf("task %s: %w", id, err)
	}
	var rec network.TaskRecord
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return network.TaskRecord{}, 0, fmt.Errorf("task %s: %w", id, err)
	}
	return rec, e.Revision(), nil
}

// settlePost posts the task, or finds it posted by an earlier attempt
// whose outcome was not recorded.
func (c *Coordinator) settlePost(ctx context.Context, s *network.ChainSettlement) error {
	rec, _, err := c.taskRecord(ctx, s.TaskID)
	if err != nil {
		return err
	}
	o, err := c.cfg.Chain.Outcome(ctx, s.TaskID)
	if err != nil {
		return err
	}
	if o.Posted {
		// Posted: by this coordinator for this worker (an attempt whose
		// record was lost), or by someone else, who took the task id
		// (task ids are public): then nobody can pay the worker on chain.
		if o.Poster != c.cfg.Chain.Account() || o.Named != s.WorkerAddress {
			return c.settleFail(ctx, s, fmt.Sprintf("task id taken on the registry by %s for worker %q", o.Poster, o.Named))
		}
		s.State, s.Tries, s.Error = network.ChainPosted, 0, ""
		return nil
	}
	if rec.Task.Deadline <= c.cfg.Now().Unix() {
		return c.settleFail(ctx, s, "the deadline passed before the task could be posted")
	}
	if window := MinChainSubmitWindow + 2*c.cfg.ChainEvery; rec.Task.Deadline <= c.cfg.Now().Add(window).Unix() {
		return c.settleFail(ctx, s, fmt.Sprintf("the deadline is less than %v away: too close to submit on chain", window))
	}
	// The credit this settlement pays: a settlement left by an acceptance
	// rolled back (its credit never written) must not pay its worker when
	// the task was accepted since for another, nor before the credit is on
	// record.
	if le, _, err := c.credit(ctx, s.RequestID); err != nil {
		return err
	} else if le.Node != s.Node || le.Settlement != network.SettleChain {
		return c.settleFail(ctx, s, fmt.Sprintf("the credit is node %s's, settled %q: not this settlement's (node %s)", short(le.Node), le.Settlement, short(s.Node)))
	}
	env, err := c.loadEnvelope(ctx, s.Receipt)
	if err != nil {
		return err
	}
	tx, err := c.cfg.Chain.Post(ctx, rec.Task, env)
	if errors.Is(err, network.ErrNotPayable) {
		return c.settleFail(ctx, s, err.Error())
	}
	if err != nil {
		return err
	}
	s.State, s.PostTx, s.PostBlock, s.Tries, s.Error = network.ChainPosted, tx.Hash, tx.Block, 0, ""
	return nil
}

// settlePosted sends the worker its RoleSubmit job once, then waits for
// the registry to pay it, or refunds after the deadline.
func (c *Coordinator) settlePosted(ctx context.Context, s *network.ChainSettlement) error {
	if !s.SubmitSent {
		rec, _, err := c.taskRecord(ctx, s.TaskID)
		if err != nil {
			return err
		}
		raw, err := c.receiptsKV.Get(ctx, s.Receipt)
		if err != nil {
			return fmt.Errorf("receipt %s: %w", s.Receipt, err)
		}
		ref := s.Chain
		job := network.Job{TaskID: s.TaskID, RequestID: s.RequestID, Task: rec.Task, Role: network.RoleSubmit, Attempt: 1,
			Node: s.Node, Receipt: raw.Value(), Chain: &ref}
		b, err := json.Marshal(job)
		if err != nil {
			return err
		}
		if _, err := c.js.Publish(ctx, network.SubjectJobsNodePfx+s.Node, b, jetstream.WithMsgID(s.RequestID+"/"+network.RoleSubmit)); err != nil {
			return fmt.Errorf("submit job to %s: %w", short(s.Node), err)
		}
		s.SubmitSent = true
		c.logf("chain: task %s posted in block %d; submit job sent to node %s", s.TaskID, s.PostBlock, short(s.Node))
	}
	o, err := c.cfg.Chain.Outcome(ctx, s.TaskID)
	if err != nil {
		return err
	}
	switch {
	case o.Settled && o.Paid:
		s.State, s.PaidTx, s.PaidBlock, s.Tries, s.Error = network.ChainPaid, o.Tx.Hash, o.Tx.Block, 0, ""
	case o.Settled:
		s.State, s.RefundTx, s.Tries, s.Error = network.ChainRefunded, o.Tx.Hash, 0, ""
	case o.Posted && o.Deadline < c.cfg.Now().Unix():
		tx, err := c.cfg.Chain.Refund(ctx, s.TaskID)
		if errors.Is(err, network.ErrNotYet) {
			return nil // the chain's clock is behind, or it was paid meanwhile: look again
		}
		if err != nil {
			return err
		}
		s.State, s.RefundTx, s.Tries, s.Error = network.ChainRefunded, tx.Hash, 0, ""
		c.logf("chain: task %s unpaid after its deadline: refunded to %s", s.TaskID, c.cfg.Chain.Account())
	}
	return nil
}

// credit is the ledger's credit for request id, and its revision.
func (c *Coordinator) credit(ctx context.Context, requestID string) (network.LedgerEntry, uint64, error) {
	key := network.Credit + "." + requestID
	e, err := c.ledgerKV.Get(ctx, key)
	if err != nil {
		return network.LedgerEntry{}, 0, fmt.Errorf("ledger %s: %w", key, err)
	}
	var le network.LedgerEntry
	if err := json.Unmarshal(e.Value(), &le); err != nil {
		return network.LedgerEntry{}, 0, fmt.Errorf("ledger %s: %w", key, err)
	}
	return le, e.Revision(), nil
}

// settleFail gives up on the chain: the credit moves to the ledger, and
// the task record says so.
func (c *Coordinator) settleFail(ctx context.Context, s *network.ChainSettlement, why string) error {
	key := network.Credit + "." + s.RequestID
	le, rev, err := c.credit(ctx, s.RequestID)
	if err != nil {
		return err
	}
	if le.Settlement == network.SettleChain {
		le.Settlement = ""
		b, _ := json.Marshal(le)
		if _, err := c.ledgerKV.Update(ctx, key, b, rev); err != nil {
			return fmt.Errorf("ledger %s: %w", key, err)
		}
	}
	// The task record: the one in memory while its block is pending (it
	// is saved again then), else the stored one.
	c.mu.Lock()
	if rec, ok := c.tasks[s.TaskID]; ok {
		rec.Settlement = network.SettleLedger
		err = c.saveTaskLocked(ctx, rec)
	} else if rec, rev, rerr := c.taskRecord(ctx, s.TaskID); rerr == nil && rec.Settlement == network.SettleChain {
		rec.Settlement = network.SettleLedger
		b, _ := json.Marshal(rec)
		_, err = c.tasksKV.Update(ctx, s.TaskID, b, rev)
	}
	c.mu.Unlock()
	if err != nil {
		c.logf("chain: task %s: record: %v (the credit is on the ledger)", s.TaskID, err)
	}
	s.State, s.Error = network.ChainFailed, clip(why)
	c.logf("chain: task %s not settled on chain (%s): credited on the ledger", s.TaskID, why)
	return nil
}
