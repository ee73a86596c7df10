package network

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nkeys"
)

// Permissions are the subjects one NATS user may publish to and subscribe
// to (allow-lists; NATS wildcards * and > allowed). Everything else is
// denied by the server: a denied publish is dropped with an asynchronous
// "permissions violation" error, a denied subscription receives nothing.
type Permissions struct {
	Publish   []string
	Subscribe []string
}

// Roles, as the server's users are keyed: the coordinator may do
// everything (it provisions the streams and buckets); the market and the
// workers get the allow-lists below, each in an account of its own.
//
// Subject permissions alone cannot confine a client of the coordinator's
// account: a request names its reply subject, and nats-server answers a
// JetStream API request or a publish into a stream at that subject with
// nobody's permissions checked, so a worker allowed any request at all
// could have the server write its API answers into the blocks stream or
// the ledger (TestAuthReplyInjection shows it). In their own accounts the
// workers and the market reach the coordinator's only through the
// services it exports (these lists), and every answer lands back in their
// account, where there are no streams.

// MarketInboxPrefix is the inbox prefix the market connects with
// (nats.CustomInboxPrefix): replies and JetStream deliveries to it land
// under MarketInboxPrefix+".", the only subjects it may subscribe to.
const MarketInboxPrefix = "_INBOX_market"

// WorkerInboxPrefix is the inbox prefix worker nodeID connects with: its
// replies (registration, commit, JetStream API answers, pulled jobs) land
// there and nowhere another client may subscribe. A shared _INBOX.>
// would let any worker read the coordinator's replies, such as its reads
// of the receipts bucket.
func WorkerInboxPrefix(nodeID string) string { return "_INBOX_" + nodeID }

// jsAPI is the JetStream API subject prefix.
const jsAPI = "$JS.API."

// objStream and kvStream are the streams behind an object store and a
// key-value bucket.
func objStream(bucket string) string { return "OBJ_" + bucket }
func kvStream(bucket string) string  { return "KV_" + bucket }

// readStream is what reading single messages of stream needs: its info
// (the client looks up whether direct gets are allowed), direct gets (by
// sequence, next or last by subject) and the older message-get API. None
// of them creates anything on the server.
func readStream(stream string) []string {
	return []string{
		jsAPI + "STREAM.INFO." + stream,
		jsAPI + "STREAM.MSG.GET." + stream,
		jsAPI + "DIRECT.GET." + stream,
		jsAPI + "DIRECT.GET." + stream + ".>",
	}
}

// workerPublish is what a worker publishes to, with id the token of its
// node id and cons that of its job consumer ("*" both: the subjects the
// coordinator's account exports to the workers' account).
func workerPublish(id, cons string) []string {
	pub := []string{
		SubjectRegisterPfx + id,
		SubjectCommitPfx + id,
		SubjectHeartbeatPfx + id,
		SubjectResultsPfx + id,
		jsAPI + "CONSUMER.INFO." + JobsStream + "." + cons,
		jsAPI + "CONSUMER.MSG.NEXT." + JobsStream + "." + cons,
		"$JS.ACK." + JobsStream + "." + cons + ".>",
	}
	return append(pub, readStream(objStream(InputsObjects))...)
}

// WorkerPermissions are worker nodeID's permissions: it publishes its own
// registration, commitments, heartbeats and results (subjects carrying its
// node id), pulls and acks jobs from its own consumer only, and reads the
// inputs object store with message gets (GetObject: no consumer, so it
// creates nothing on the server). It subscribes to its own inbox only.
//
// It may not read or write any bucket but the inputs, create or delete
// consumers or streams, pull or ack another node's jobs, publish under
// another node id, or publish blocks.
func WorkerPermissions(nodeID string) (Permissions, error) {
	if err := CheckID("node_id", nodeID); err != nil {
		return Permissions{}, err
	}
	return Permissions{Publish: workerPublish(nodeID, NodeConsumer(nodeID)), Subscribe: []string{WorkerInboxPrefix(nodeID) + ".>"}}, nil
}

// WorkerExports are the subjects the coordinator's account exports to the
// workers' (as services: each request is answered back into the
// requester's account), every node's at once; WorkerPermissions narrows
// each worker to its own.
func WorkerExports() []string { return workerPublish("*", "*") }

// MarketExports are the subjects exported to the market's account: its
// publish allow-list.
func MarketExports() []string { return MarketPermissions().Publish }

// StreamResponses reports whether a request to the exported subject is
// answered with more than one message (a pull request: a batch of jobs and
// status messages), which a service export must declare.
func StreamResponses(subject string) bool {
	return strings.HasPrefix(subject, jsAPI+"CONSUMER.MSG.NEXT.")
}

// MarketPermissions are the market's: the intake request; message reads of
// the tasks, nodes and ledger buckets and of the blocks stream (it scans
// the ledger with EachMsg); and storing supplied inputs in the object store
// (its chunk and metadata subjects, and the purge that replaces an
// object's old chunks). It subscribes to its own inbox only. It may not
// write any bucket or stream but the object store, create consumers, nor
// read the receipts or commitments.
//
// No role but the coordinator may create consumers: a consumer's config
// names the subject it delivers to, and nats-server does not check that
// subject against the creator's publish permissions, so a client allowed
// to create one could have the server publish a stream's messages into
// the jobs, results or blocks streams.
func MarketPermissions() Permissions {
	var pub []string
	pub = append(pub, SubjectIntake)
	for _, b := range []string{TasksBucket, NodesBucket, LedgerBucket} {
		pub = append(pub, readStream(kvStream(b))...)
	}
	pub = append(pub, readStream(BlocksStream)...)
	obj := objStream(InputsObjects)
	pub = append(pub, readStream(obj)...)
	pub = append(pub, "$O."+InputsObjects+".>", jsAPI+"STREAM.PURGE."+obj)
	return Permissions{Publish: pub, Subscribe: []string{MarketInboxPrefix + ".>"}}
}

// NodeNkey is a node's NATS identity: NATS user nkeys are Ed25519 keys, so
// a worker authenticates with its node key itself (no second secret). It
// returns the user public key (U…) and the key pair that signs the
// server's nonce.
func NodeNkey(key ed25519.PrivateKey) (string, nkeys.KeyPair, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", nil, fmt.Errorf("node key: %d bytes, want an Ed25519 private key", len(key))
	}
	kp, err := nkeys.FromRawSeed(nkeys.PrefixByteUser, key.Seed())
	if err != nil {
		return "", nil, fmt.Errorf("node key as an nkey: %w", err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return "", nil, fmt.Errorf("node key as an nkey: %w", err)
	}
	return pub, kp, nil
}

// NkeyNodeID is the node id (hex SHA-256 of the Ed25519 public key) of a
// user public nkey (U…), checked (prefix and checksum).
func NkeyNodeID(userNkey string) (string, error) {
	if err := CheckUserNkey(userNkey); err != nil {
		return "", err
	}
	raw, err := nkeys.Decode(nkeys.PrefixByteUser, []byte(userNkey))
	if err != nil {
		return "", fmt.Errorf("NKey %s: %w", userNkey, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return "", fmt.Errorf("%.60q: %d key bytes, want %d", userNkey, len(raw), ed25519.PublicKeySize)
	}
	id := sha256.Sum256(raw)
	return hex.EncodeToString(id[:]), nil
}

// CheckUserNkey checks that s is an NKey user public key (U…, checksum
// included). Its error never quotes a seed: one given by mistake is a
// secret.
func CheckUserNkey(s string) error {
	if nkeys.IsValidPublicUserKey(s) {
		return nil
	}
	if _, err := nkeys.FromSeed([]byte(s)); err == nil {
		return errors.New("an NKey seed (a secret, S…) where its public key (U…) belongs")
	}
	if len(s) == 64 && hex64.MatchString(s) {
		return fmt.Errorf("%.64s is hex, perhaps a node id: give the node's NKey (U…, zkpoc network nkey prints it)", s)
	}
	return fmt.Errorf("%.60q is not an NKey user public key (U…)", s)
}

// ReplyAllowed reports whether the coordinator may answer a request on
// subject at reply. A request names the subject its answer goes to, and
// nats-server checks that subject against nobody's permissions (only
// JetStream's own $JS. subjects are refused), while the coordinator may
// publish anywhere: answering at zkpoc.blocks, $KV.zkpoc_ledger.… or
// another node's job subject would write the requester's choice of stream
// with the coordinator's rights. So an answer goes to an inbox only: the
// shared _INBOX. one (no authentication, or the coordinator's own
// requests), or the requester's own: the node whose id the subject
// carries, the market for intake; or a service import's reply (_R_.),
// which the server routes back to the requester's account.
func ReplyAllowed(subject, reply string) bool {
	// _R_. is the reply of a request from another account through a
	// service import: the server routes the answer back to that account.
	if strings.HasPrefix(reply, "_INBOX.") || strings.HasPrefix(reply, "_R_.") {
		return true
	}
	switch {
	case subject == SubjectIntake:
		return strings.HasPrefix(reply, MarketInboxPrefix+".")
	case strings.HasPrefix(subject, SubjectRegisterPfx):
		return nodeInbox(reply, strings.TrimPrefix(subject, SubjectRegisterPfx))
	case strings.HasPrefix(subject, SubjectCommitPfx):
		return nodeInbox(reply, strings.TrimPrefix(subject, SubjectCommitPfx))
	}
	return false
}

func nodeInbox(reply, nodeID string) bool {
	return CheckID("node_id", nodeID) == nil && strings.HasPrefix(reply, WorkerInboxPrefix(nodeID)+".")
}
