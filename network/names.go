package network

import (
	"fmt"
	"regexp"
)

// Streams.
const (
	// JobsStream is a work-queue stream: a job is removed once its worker
	// acks it. Subjects SubjectJobsNodePfx+<node_id>: every job is
	// addressed to one worker, which alone may pull and ack it.
	JobsStream = "ZKPOC_JOBS"
	// ResultsStream holds the workers' results until the coordinator has
	// processed them (a work queue too).
	ResultsStream = "ZKPOC_RESULTS"
	// BlocksStream is the append-only chain of blocks (limits retention,
	// never trimmed): one message per block, Nats-Msg-Id the height.
	BlocksStream = "ZKPOC_BLOCKS"
)

// Key-value buckets and the object store.
const (
	TasksBucket   = "zkpoc_tasks"   // task_id → TaskRecord
	NodesBucket   = "zkpoc_nodes"   // node_id → NodeRecord
	LedgerBucket  = "zkpoc_ledger"  // credit.<request_id> / refund.<request_id> → LedgerEntry
	ChallengesKV  = "zkpoc_commits" // <request_id>.<node_id>.<attempt> → coordinator.Commitment with its challenge
	ChainBucket   = "zkpoc_chain"   // task_id → ChainSettlement (results settled on a ComputeRegistry)
	InputsObjects = "zkpoc_inputs"  // supplied matrices, by name
)

// Subjects.
const (
	SubjectIntake       = "zkpoc.intake"     // request/reply: IntakeRequest → IntakeReply
	SubjectRegisterPfx  = "zkpoc.register."  // + node_id; request/reply: Registration → Ack
	SubjectCommitPfx    = "zkpoc.commit."    // + node_id; request/reply: CommitRequest → CommitReply
	SubjectResultsPfx   = "zkpoc.results."   // + node_id; Result, on ResultsStream
	SubjectJobsNodePfx  = "zkpoc.jobs.node." // + node_id; Job for one worker
	SubjectBlocks       = "zkpoc.blocks"     // Block, on BlocksStream
	SubjectHeartbeatPfx = "zkpoc.heartbeat." // + node_id; Heartbeat (core NATS, not stored)
	ConsumerNodePfx     = "node-"            // + node_id: durable pull consumer on SubjectJobsNodePfx+node_id
	ConsumerCoordinator = "coordinator"      // durable pull consumer on ResultsStream
)

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// CheckID checks that id (a node id or request id) is 64 lowercase hex
// digits, the only form allowed in a subject token.
func CheckID(field, id string) error {
	if !hex64.MatchString(id) {
		return fmt.Errorf("%s: %.80q is not 64 lowercase hex digits", field, id)
	}
	return nil
}

// NodeSubject appends a checked node id to a subject prefix.
func NodeSubject(prefix, nodeID string) (string, error) {
	if err := CheckID("node_id", nodeID); err != nil {
		return "", err
	}
	return prefix + nodeID, nil
}

// NodeConsumer is the name of a node's own job consumer.
func NodeConsumer(nodeID string) string { return ConsumerNodePfx + nodeID }
