package network

import (
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
}

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
