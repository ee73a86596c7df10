package worker

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/receipt"
)

// submitTimeout bounds one SUBMIT_RESULT (sending it and waiting for the
// block that includes it).
const submitTimeout = 2 * time.Minute

// submit answers a RoleSubmit job: the coordinator posted the task on the
// registry naming this worker; the job carries this node's own accepted
// receipt, which Config.Chain submits. A job it can never carry out (no
// chain configured, another registry, a receipt that is not this node's,
// or one the registry refuses) is terminated: the coordinator refunds the
// escrow after the deadline. A chain that cannot be reached leaves the job
// for redelivery.
func (w *Worker) submit(ctx context.Context, msg jetstream.Msg, job network.Job) {
	id := job.RequestID[:16]
	term := func(format string, args ...any) {
		w.logf("submit %s: "+format+"; terminated", append([]any{id}, args...)...)
		_ = msg.Term()
	}
	if w.cfg.Chain == nil {
		term("no chain configured (the registry pays only a submission from %s)", w.cfg.WorkerAddress)
		return
	}
	ref, err := w.cfg.Chain.Ref(ctx)
	if err != nil {
		w.logf("submit %s: %v; left for redelivery", id, err)
		_ = msg.NakWithDelay(5 * time.Second)
		return
	}
	if job.Chain == nil || *job.Chain != ref {
		term("the job names registry %+v, this worker's is %+v", job.Chain, ref)
		return
	}
	env, err := receipt.Decode(job.Receipt)
	if err != nil {
		term("%v", err)
		return
	}
	st, _, err := env.Statement()
	if err != nil {
		term("%v", err)
		return
	}
	pub := w.cfg.NodeKey.Public().(ed25519.PublicKey)
	if r := st.Predicate; r.Node.PublicKey != hex.EncodeToString(pub) || r.Task.TaskID != job.TaskID || r.Node.WorkerAddress != w.cfg.WorkerAddress {
		term("the receipt is not this node's for task %s", job.TaskID)
		return
	}
	if err := env.VerifySignature(pub); err != nil {
		term("the receipt's signature: %v", err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	tx, err := w.cfg.Chain.Submit(sctx, env)
	switch {
	case err == nil:
		w.logf("submit %s: task %s paid on chain by transaction %s in block %d", id, job.TaskID, tx.Hash, tx.Block)
		_ = msg.Ack()
	case errors.Is(err, onchain.ErrSettled):
		w.logf("submit %s: task %s is settled on chain already", id, job.TaskID)
		_ = msg.Ack()
	case onchain.Refused(err):
		term("%v", err)
	default:
		w.logf("submit %s: %v; left for redelivery", id, err)
		if ctx.Err() == nil {
			_ = msg.NakWithDelay(5 * time.Second)
		}
	}
}
