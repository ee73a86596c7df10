// Package onchain settles the network's accepted results on a
// ComputeRegistry (package chain/registry): the coordinator's side posts
// each accepted task naming its worker and escrowing its reward (Poster),
// and the worker's side submits its own accepted receipt as SUBMIT_RESULT,
// which the registry verifies and pays (Submitter).
//
// Why the worker submits: the registry pays only msg.sender, and only when
// the receipt signs it as node.worker_address (seed 002's L1 rule
// worker_address == sender); the coordinator cannot submit for it. Why the
// task is posted after acceptance, naming the worker: the registry then
// holds an escrow only one sender can take, for a result the coordinator
// has verified already, and nothing else can race for it.
//
// Payment is made once: a result settled on the registry is recorded on
// the coordinator's ledger with network.SettleChain and is not part of the
// ledger balance; one that cannot be posted is credited on the ledger
// instead (network.ChainFailed).
package onchain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// Poster is the coordinator's account on a ComputeRegistry.
type Poster struct {
	Registry *registry.Registry
	// Key signs the postTask and refund transactions and pays the
	// escrows; refunds come back to it.
	Key *ecdsa.PrivateKey
	// Circuit is the circuit id the registry's verifiers are registered
	// under (registry.Circuit; e.g. protocol.Freivalds.Name()).
	Circuit string
	// MaxReward bounds the wei one task escrows from Key (required,
	// positive): a task posted with a larger reward is credited on the
	// ledger instead. The network's posters are not authenticated and
	// its rewards not funded (README), so this caps what any one of them
	// can make the coordinator's account pay.
	MaxReward *big.Int
	// MinBalance, when set, is the balance Key's account keeps: a task
	// whose escrow would take it below is credited on the ledger instead.
	MinBalance *big.Int
}

// Ref names the registry.
func (p *Poster) Ref(ctx context.Context) (network.ChainRef, error) {
	return ref(ctx, p.Registry)
}

func ref(ctx context.Context, r *registry.Registry) (network.ChainRef, error) {
	id, err := r.Client().ChainID(ctx)
	if err != nil {
		return network.ChainRef{}, fmt.Errorf("chain id: %w", err)
	}
	return network.ChainRef{ChainID: id.Uint64(), Registry: r.Address.Hex()}, nil
}

// Check checks p's configuration.
func (p *Poster) Check() error {
	switch {
	case p.Registry == nil:
		return errors.New("chain poster: no registry")
	case p.Key == nil:
		return errors.New("chain poster: no key")
	case p.MaxReward == nil || p.MaxReward.Sign() <= 0:
		return errors.New("chain poster: MaxReward must be a positive number of wei")
	}
	if _, err := registry.Circuit(p.Circuit); err != nil {
		return fmt.Errorf("chain poster: %w", err)
	}
	return nil
}

// Account is the poster's account (EIP-55).
func (p *Poster) Account() string { return registry.WorkerAddress(registry.Address(p.Key)) }

// EVMAddress parses an EIP-55 checksummed address, the form a receipt for
// the registry signs (registry.WorkerAddress).
func EVMAddress(s string) (common.Address, error) {
	if !common.IsHexAddress(s) || common.HexToAddress(s).Hex() != s {
		return common.Address{}, fmt.Errorf("worker_address %.80q is not an EIP-55 checksummed EVM address", s)
	}
	a := common.HexToAddress(s)
	if a == (common.Address{}) {
		// A task naming the zero address is open on the registry: any
		// sender with a copy of the proof would be paid, and Outcome
		// reports it as naming no worker.
		return common.Address{}, fmt.Errorf("worker_address %s is the zero address: the registry would pay any sender", s)
	}
	return a, nil
}

// Eligible reports, without reading the chain, whether the registry could
// pay env's worker for task: a Groth16 BN254 receipt bound to the task's
// input commitment for the registry's circuit, signing an EVM
// worker_address, with a reward in (0, MaxReward]. It returns the worker's
// address, or an error wrapping network.ErrNotPayable that says why not. Post
// checks the rest on chain: a verifier registered for the task's shape,
// embedding the receipt's key.
func (p *Poster) Eligible(task workload.ComputeTask, env *receipt.Envelope) (string, error) {
	worker, _, err := p.eligible(task, env)
	if err != nil {
		return "", err
	}
	return registry.WorkerAddress(worker), nil
}

func (p *Poster) eligible(task workload.ComputeTask, env *receipt.Envelope) (common.Address, *chain.ComputeProof, error) {
	notEligible := func(format string, args ...any) (common.Address, *chain.ComputeProof, error) {
		return common.Address{}, nil, fmt.Errorf("%w: %s", network.ErrNotPayable, fmt.Sprintf(format, args...))
	}
	cr, err := chain.FromReceipt(env, "")
	if err != nil {
		return notEligible("%v", err)
	}
	worker, err := EVMAddress(cr.WorkerAddress)
	if err != nil {
		return notEligible("%v", err)
	}
	st, _, err := env.Statement()
	if err != nil {
		return notEligible("%v", err)
	}
	if st.Predicate.Task.TaskID != task.TaskID {
		return notEligible("the receipt is for task %s, not %s", st.Predicate.Task.TaskID, task.TaskID)
	}
	cp, err := chain.ComputeProofFromReceipt(&st.Predicate)
	if err != nil {
		return notEligible("%v", err)
	}
	if cp.Circuit != p.Circuit {
		return notEligible("circuit %s, the registry's verifiers are for %s", cp.Circuit, p.Circuit)
	}
	if _, reward, err := registry.NewTaskSpec(task, p.Circuit, worker); err != nil {
		return notEligible("%v", err)
	} else if reward.Cmp(p.MaxReward) > 0 {
		return notEligible("reward %s wei is over the coordinator's cap of %s wei", reward, p.MaxReward)
	}
	return worker, cp, nil
}

// Outcome reads a task's state on the registry.
func (p *Poster) Outcome(ctx context.Context, taskID string) (network.ChainOutcome, error) {
	id, err := registry.TaskID(taskID)
	if err != nil {
		return network.ChainOutcome{}, err
	}
	o, err := p.Registry.Outcome(ctx, id)
	if err != nil {
		return network.ChainOutcome{}, err
	}
	out := network.ChainOutcome{Posted: o.State != registry.StateNone, Deadline: int64(o.Deadline),
		Settled: o.State == registry.StateSettled, Paid: o.Paid}
	if out.Posted {
		out.Poster = o.Poster.Hex()
		if o.Named != (common.Address{}) {
			out.Named = o.Named.Hex()
		}
	}
	if out.Settled {
		out.Tx = network.ChainTx{Hash: o.Tx.Hex(), Block: o.Block}
	}
	return out, nil
}

// Post posts task on the registry naming env's worker, escrowing its
// reward from Key, after checking that the verifier registered for the
// task's shape embeds env's key (network.ErrNotPayable otherwise: the worker
// could not be paid).
func (p *Poster) Post(ctx context.Context, task workload.ComputeTask, env *receipt.Envelope) (network.ChainTx, error) {
	worker, cp, err := p.eligible(task, env)
	if err != nil {
		return network.ChainTx{}, err
	}
	v, fp, err := p.Registry.VerifierFor(ctx, p.Circuit, cp.N, cp.FracBits)
	if err != nil {
		return network.ChainTx{}, err
	}
	if v == (common.Address{}) {
		return network.ChainTx{}, fmt.Errorf("%w: no verifier registered for (%s, %d, %d)", network.ErrNotPayable, p.Circuit, cp.N, cp.FracBits)
	}
	if fp != cp.VKFingerprint {
		return network.ChainTx{}, fmt.Errorf("%w: the registry's verifier for (%s, %d, %d) embeds key %x, the receipt's is %x", network.ErrNotPayable, p.Circuit, cp.N, cp.FracBits, fp, cp.VKFingerprint)
	}
	spec, reward, err := registry.NewTaskSpec(task, p.Circuit, worker)
	if err != nil {
		return network.ChainTx{}, err
	}
	if p.MinBalance != nil && p.MinBalance.Sign() > 0 {
		bal, err := p.Registry.Client().BalanceAt(ctx, registry.Address(p.Key), nil)
		if err != nil {
			return network.ChainTx{}, fmt.Errorf("balance of %s: %w", p.Account(), err)
		}
		if left := new(big.Int).Sub(bal, reward); left.Cmp(p.MinBalance) < 0 {
			return network.ChainTx{}, fmt.Errorf("%w: escrowing %s wei would leave %s wei in %s, under its floor of %s wei", network.ErrNotPayable, reward, left, p.Account(), p.MinBalance)
		}
	}
	rc, err := p.Registry.Post(ctx, p.Key, spec, reward)
	if err != nil {
		switch registry.ErrorName(err) {
		case "DeadlineInPast", "NoVerifier", "RewardTooLarge", "InvalidShape", "InputCommitmentNotCanonical":
			// The registry will refuse this task whatever the retries.
			return network.ChainTx{}, fmt.Errorf("%w: %w", network.ErrNotPayable, err)
		}
		return network.ChainTx{}, err
	}
	return network.ChainTx{Hash: rc.TxHash.Hex(), Block: rc.BlockNumber.Uint64()}, nil
}

// InFlight reports whether a transaction of Key's account is sent and not
// mined (its pending nonce, as the node it talks to sees it, is ahead of
// its mined one). A transaction broadcast only to other nodes is not seen.
func (p *Poster) InFlight(ctx context.Context) (bool, error) {
	a := registry.Address(p.Key)
	pending, err := p.Registry.Client().PendingNonceAt(ctx, a)
	if err != nil {
		return false, fmt.Errorf("pending nonce of %s: %w", p.Account(), err)
	}
	mined, err := p.Registry.Client().NonceAt(ctx, a, nil)
	if err != nil {
		return false, fmt.Errorf("nonce of %s: %w", p.Account(), err)
	}
	return pending > mined, nil
}

// Refund refunds a task whose deadline has passed on chain.
func (p *Poster) Refund(ctx context.Context, taskID string) (network.ChainTx, error) {
	id, err := registry.TaskID(taskID)
	if err != nil {
		return network.ChainTx{}, err
	}
	rc, err := p.Registry.Refund(ctx, p.Key, id)
	if err != nil {
		if n := registry.ErrorName(err); n == "DeadlineNotPassed" || n == "TaskSettled" {
			return network.ChainTx{}, fmt.Errorf("%w: %w", network.ErrNotYet, err)
		}
		return network.ChainTx{}, err
	}
	return network.ChainTx{Hash: rc.TxHash.Hex(), Block: rc.BlockNumber.Uint64()}, nil
}

// Submitter is a worker's account on a ComputeRegistry.
type Submitter struct {
	Registry *registry.Registry
	// Key signs SUBMIT_RESULT; its address must be the worker address
	// the worker signs into its receipts.
	Key *ecdsa.PrivateKey
}

// Address is the submitter's account, in the EIP-55 form its receipts
// must sign as worker_address.
func (s *Submitter) Address() string { return registry.WorkerAddress(registry.Address(s.Key)) }

// Ref names the registry.
func (s *Submitter) Ref(ctx context.Context) (network.ChainRef, error) { return ref(ctx, s.Registry) }

// ErrSettled is wrapped by Submit's error when the task is settled
// already (paid to this worker, or refunded): nothing more to do.
var ErrSettled = errors.New("the task is settled on the registry")

var errNamed = errors.New("the registry names worker")

// Submit checks env's task against the registry's record of it
// (registry.CheckTask: the poster's word for request_id, the input
// commitment, shape and deadline must be the task's JSON, and the task
// names this worker) and submits env's proof.
func (s *Submitter) Submit(ctx context.Context, env *receipt.Envelope) (network.ChainTx, error) {
	st, _, err := env.Statement()
	if err != nil {
		return network.ChainTx{}, fmt.Errorf("submit: %w", err)
	}
	task := st.Predicate.Task
	id, err := registry.TaskID(task.TaskID)
	if err != nil {
		return network.ChainTx{}, fmt.Errorf("submit: %w", err)
	}
	t, err := s.Registry.Task(ctx, id)
	if err != nil {
		return network.ChainTx{}, err
	}
	if t.State == registry.StateSettled {
		return network.ChainTx{}, fmt.Errorf("submit task %s: %w", task.TaskID, ErrSettled)
	}
	circuit, err := registry.CircuitName(t.Circuit)
	if err != nil {
		return network.ChainTx{}, fmt.Errorf("submit task %s: %w", task.TaskID, err)
	}
	if err := registry.CheckTask(t, task, circuit); err != nil {
		return network.ChainTx{}, fmt.Errorf("submit: %w", err)
	}
	if me := registry.Address(s.Key); t.Worker != me {
		return network.ChainTx{}, fmt.Errorf("submit task %s: %w %s, this account is %s", task.TaskID, errNamed, t.Worker.Hex(), me.Hex())
	}
	rc, _, err := s.Registry.SubmitReceipt(ctx, s.Key, env)
	if err != nil {
		if registry.ErrorName(err) == "TaskSettled" {
			return network.ChainTx{}, fmt.Errorf("submit task %s: %w", task.TaskID, ErrSettled)
		}
		return network.ChainTx{}, err
	}
	return network.ChainTx{Hash: rc.TxHash.Hex(), Block: rc.BlockNumber.Uint64()}, nil
}

// Refused reports an error that is the registry's answer (a named revert,
// or a task that does not match its record), not a failure to reach it:
// sending the same transaction again would be refused again.
func Refused(err error) bool {
	return registry.ErrorName(err) != "" || errors.Is(err, registry.ErrTaskMismatch) || errors.Is(err, registry.ErrWorker) || errors.Is(err, errNamed)
}
