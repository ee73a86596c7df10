package network

import (
	"errors"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/workload"
)

// Task statuses.
const (
	StatusQueued    = "queued"    // published, no result accepted yet
	StatusChecking  = "checking"  // a first result passed; a second worker's is awaited
	StatusEscalated = "escalated" // two results disagree; a third is awaited
	StatusAccepted  = "accepted"  // a result was accepted and credited
	StatusExpired   = "expired"   // the deadline passed first, or three workers had no majority; the reward was refunded
)

// TaskRecord is the coordinator's state for one task (bucket TasksBucket,
// key task_id), written only by the coordinator, read by the market.
type TaskRecord struct {
	TaskID    string               `json:"task_id"`
	RequestID string               `json:"request_id"`
	Task      workload.ComputeTask `json:"task"`
	Inputs    *SuppliedInputs      `json:"inputs,omitempty"`
	Poster    string               `json:"poster,omitempty"`
	Status    string               `json:"status"`
	CreatedAt int64                `json:"created_at_ms"` // unix milliseconds
	// Jobs are the executions dispatched so far, in order.
	Jobs []JobRecord `json:"jobs"`
	// Accepted names the result that was accepted.
	Accepted *Acceptance `json:"accepted,omitempty"`
	// RewardPaidWei is the credited reward ("0" until accepted).
	RewardPaidWei string `json:"reward_paid_wei"`
	Refunded      bool   `json:"refunded,omitempty"`
	Redispatches  int    `json:"redispatches"`
	// Comparison is the outcome of comparing two workers' receipts, when
	// the request was re-dispatched.
	Comparison string `json:"comparison,omitempty"`
	// Settlement is where the accepted result's reward is paid: "" or
	// SettleLedger (a credit on the coordinator's ledger), SettleChain (the
	// ComputeRegistry escrow; ChainBucket has its progress).
	Settlement string `json:"settlement,omitempty"`
}

// Settlements (TaskRecord.Settlement, LedgerEntry.Settlement).
const (
	SettleLedger = "ledger"
	SettleChain  = "chain"
)

// JobRecord is one execution: who, in which role, and what came back.
type JobRecord struct {
	Role         string `json:"role"`
	Attempt      int    `json:"attempt"`
	Node         string `json:"node,omitempty"` // the worker the job was addressed to
	DispatchedAt int64  `json:"dispatched_at_ms"`
	ReturnedAt   int64  `json:"returned_at_ms,omitempty"`
	// Receipt is the key of the stored envelope (ReceiptsBucket), once returned.
	Receipt string `json:"receipt,omitempty"`
	Mode    string `json:"mode,omitempty"`
	// Verdict is the verifier's status on the receipt (pass, reject, hold)
	// and Reason its reason.
	Verdict string `json:"verdict,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Acceptance is the accepted result of a task.
type Acceptance struct {
	Node          string `json:"node"`
	WorkerAddress string `json:"worker_address"`
	Receipt       string `json:"receipt"` // key in ReceiptsBucket
	AcceptedAt    int64  `json:"accepted_at_ms"`
	// Block is the height of the block its SUBMIT_RESULT went into (0: not yet).
	Block uint64 `json:"block"`
}

// NodeRecord is a registered worker (bucket NodesBucket, key node_id).
type NodeRecord struct {
	Registration Registration `json:"registration"`
	RegisteredAt int64        `json:"registered_at_ms"`
	Accepted     int          `json:"accepted"`
	Rejected     int          `json:"rejected"`
	// Rating is accepted / (accepted + rejected), 1 for a new node.
	Rating float64 `json:"rating"`
	// Strikes are the most recent MaxStrikesKept strikes; Rejected counts
	// every one.
	Strikes []Strike `json:"strikes"`
}

// Strike records a node proved wrong (or a message it sent refused), with
// the evidence: the keys of the stored receipts that show it.
type Strike struct {
	TaskID    string   `json:"task_id,omitempty"`
	RequestID string   `json:"request_id,omitempty"`
	Reason    string   `json:"reason"`
	Evidence  []string `json:"evidence,omitempty"`
	At        int64    `json:"at_ms"`
}

// Ledger entry kinds.
const (
	Credit = "credit" // a reward to a worker, once per accepted request
	Refund = "refund" // a task's reward back to its poster, after expiry
)

// LedgerEntry is one credit or refund (bucket LedgerBucket, key
// "<kind>.<request_id>": created once, so a request is paid at most once).
type LedgerEntry struct {
	Kind      string `json:"kind"`
	Account   string `json:"account"`
	Wei       string `json:"wei"` // integer wei, decimal
	TaskID    string `json:"task_id"`
	RequestID string `json:"request_id"`
	Node      string `json:"node,omitempty"`
	At        int64  `json:"at_ms"`
	// Settlement, on a credit, is SettleChain when the reward is paid by
	// the ComputeRegistry's escrow (not part of the ledger balance), ""
	// when the ledger owes it.
	Settlement string `json:"settlement,omitempty"`
}

// Chain settlement states (ChainSettlement.State), in order; the last
// three are final.
const (
	ChainPost     = "post"     // accepted; the task is to be posted on the registry, naming the worker
	ChainPosted   = "posted"   // escrowed; the worker was sent a RoleSubmit job
	ChainPaid     = "paid"     // the registry accepted the worker's SUBMIT_RESULT and paid it
	ChainRefunded = "refunded" // the deadline passed on chain unpaid: the escrow went back to the coordinator
	ChainFailed   = "failed"   // never posted (the registry refused, or the deadline came first): credited on the ledger instead
)

// ChainSettlement is the progress of one accepted result settled on a
// ComputeRegistry (bucket ChainBucket, key task_id), written only by the
// coordinator. It is created with the credit, so a restart resumes it.
type ChainSettlement struct {
	TaskID        string   `json:"task_id"`
	RequestID     string   `json:"request_id"`
	Node          string   `json:"node"`
	WorkerAddress string   `json:"worker_address"` // EIP-55: the only sender the registry pays
	Receipt       string   `json:"receipt"`        // key in ReceiptsBucket
	Chain         ChainRef `json:"chain"`
	State         string   `json:"state"`
	// Transactions (hex hashes) and the blocks they landed in.
	PostTx     string `json:"post_tx,omitempty"`
	PostBlock  uint64 `json:"post_block,omitempty"`
	SubmitSent bool   `json:"submit_sent,omitempty"`
	PaidTx     string `json:"paid_tx,omitempty"`
	PaidBlock  uint64 `json:"paid_block,omitempty"`
	RefundTx   string `json:"refund_tx,omitempty"`
	// Tries counts failed attempts at the current step; Error is the last.
	Tries     int    `json:"tries,omitempty"`
	Error     string `json:"error,omitempty"`
	UpdatedAt int64  `json:"updated_at_ms"`
}

// Final reports a settlement nothing more happens to.
func (s ChainSettlement) Final() bool {
	return s.State == ChainPaid || s.State == ChainRefunded || s.State == ChainFailed
}

// Block is one block of the coordinator's chain (stream BlocksStream).
type Block struct {
	Height uint64 `json:"height"` // 1, 2, …
	Parent string `json:"parent"` // hex hash of the previous block (GenesisHash for height 1)
	Time   int64  `json:"time"`   // unix seconds
	// Transactions are the SUBMIT_RESULT transactions, in leaf order.
	Transactions []chain.SubmitResult `json:"transactions"`
	Header       chain.BlockHeader    `json:"header"`
	// Hash is hex SHA-256 of the block's canonical JSON with Hash empty.
	Hash string `json:"hash"`
}

// ReceiptsBucket holds the envelopes of returned results (key
// "<request_id>.<node_id>.<attempt>"), the evidence behind verdicts and strikes.
const ReceiptsBucket = "zkpoc_receipts"

// MaxStrikesKept bounds the strikes a node record lists: the most recent
// ones; NodeRecord.Rejected counts every strike.
const MaxStrikesKept = 64

// ErrNotPayable is wrapped by a chain settler's error for a result the
// registry will never pay (network/onchain): the coordinator credits it on
// its ledger instead.
var ErrNotPayable = errors.New("not payable by the registry")

// ErrNotYet is wrapped by a chain settler's refund error when the task
// cannot be refunded yet (its deadline has not passed on chain) or any
// more (it was settled meanwhile): look at it again later.
var ErrNotYet = errors.New("not refundable now")

// ChainTx is a transaction a registry accepted: hash (hex) and block number.
type ChainTx struct {
	Hash  string
	Block uint64
}

// ChainOutcome is a task's state on a registry.
type ChainOutcome struct {
	// Posted: the task exists on the registry (open or settled), posted
	// by Poster naming the worker Named (EIP-55; "" for an open task).
	Posted        bool
	Poster, Named string
	Deadline      int64 // unix seconds, on chain
	// Settled: paid (Paid, by a ResultAccepted) or refunded, in Tx.
	Settled, Paid bool
	Tx            ChainTx
}
