package network

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gowebpki/jcs"
	"github.com/nats-io/nats.go/jetstream"
)

// Settings of the streams and consumers Provision creates.
type Settings struct {
	// Storage is file (the default, survives a server restart) or memory.
	Storage jetstream.StorageType
	// Replicas is the stream and bucket replica count (1 on one server, 3
	// on a three-node cluster).
	Replicas int
	// AckWait is how long a worker may hold a job without an ack or an
	// in-progress ack before JetStream redelivers it (default 30 s).
	AckWait time.Duration
	// MaxDeliver bounds redeliveries of one job message (default 5).
	MaxDeliver int
}

func (s Settings) withDefaults() Settings {
	if s.Replicas == 0 {
		s.Replicas = 1
	}
	if s.AckWait == 0 {
		s.AckWait = 30 * time.Second
	}
	if s.MaxDeliver == 0 {
		s.MaxDeliver = 5
	}
	return s
}

// Provision creates (or updates to s) every stream, bucket and the shared
// consumers the network uses. The coordinator calls it at start; it is
// idempotent, so a restarted coordinator finds its state where it was.
func Provision(ctx context.Context, js jetstream.JetStream, s Settings) error {
	s = s.withDefaults()
	streams := []jetstream.StreamConfig{
		{Name: JobsStream, Subjects: []string{SubjectJobsNodePfx + "*"}, Retention: jetstream.WorkQueuePolicy},
		{Name: ResultsStream, Subjects: []string{SubjectResultsPfx + "*"}, Retention: jetstream.WorkQueuePolicy},
		{Name: BlocksStream, Subjects: []string{SubjectBlocks}, Retention: jetstream.LimitsPolicy},
	}
	for _, c := range streams {
		c.Storage, c.Replicas = s.Storage, s.Replicas
		c.MaxMsgSize = MaxMessageBytes
		c.Duplicates = 10 * time.Minute
		if _, err := js.CreateOrUpdateStream(ctx, c); err != nil {
			return fmt.Errorf("provision stream %s: %w", c.Name, err)
		}
	}
	for _, b := range []string{TasksBucket, NodesBucket, LedgerBucket, ChallengesKV, ReceiptsBucket, ChainBucket} {
		cfg := jetstream.KeyValueConfig{Bucket: b, Storage: s.Storage, Replicas: s.Replicas, MaxValueSize: MaxMessageBytes}
		if _, err := js.CreateOrUpdateKeyValue(ctx, cfg); err != nil {
			return fmt.Errorf("provision bucket %s: %w", b, err)
		}
	}
	if _, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: InputsObjects, Storage: s.Storage, Replicas: s.Replicas}); err != nil {
		return fmt.Errorf("provision object store %s: %w", InputsObjects, err)
	}
	consumers := []struct {
		stream string
		cfg    jetstream.ConsumerConfig
	}{
		{ResultsStream, jetstream.ConsumerConfig{Durable: ConsumerCoordinator, FilterSubject: SubjectResultsPfx + "*",
			AckPolicy: jetstream.AckExplicitPolicy, AckWait: s.AckWait, MaxAckPending: 1}},
	}
	for _, c := range consumers {
		if _, err := js.CreateOrUpdateConsumer(ctx, c.stream, c.cfg); err != nil {
			return fmt.Errorf("provision consumer %s on %s: %w", c.cfg.Durable, c.stream, err)
		}
	}
	return nil
}

// JobConsumerConfig is the durable pull consumer config for job subject
// subject: explicit acks, redelivery after AckWait without an ack or an
// in-progress ack, at most MaxDeliver deliveries.
func JobConsumerConfig(name, subject string, s Settings) jetstream.ConsumerConfig {
	s = s.withDefaults()
	return jetstream.ConsumerConfig{Durable: name, FilterSubject: subject, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: s.AckWait, MaxDeliver: s.MaxDeliver}
}

// ProvisionNode creates a registered node's own job consumer.
func ProvisionNode(ctx context.Context, js jetstream.JetStream, nodeID string, s Settings) error {
	subj, err := NodeSubject(SubjectJobsNodePfx, nodeID)
	if err != nil {
		return err
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, JobsStream, JobConsumerConfig(NodeConsumer(nodeID), subj, s)); err != nil {
		return fmt.Errorf("provision consumer for node %s: %w", nodeID, err)
	}
	return nil
}

// GenesisHash is the parent of block 1 and the block hash synthetic tasks
// derive from before any block exists: SHA-256("zkpoc/network/genesis/v1").
var GenesisHash = sha256.Sum256([]byte("zkpoc/network/genesis/v1"))

// ComputeHash returns hex SHA-256 of the block's canonical JSON (RFC 8785)
// with Hash empty.
func (b Block) ComputeHash() (string, error) {
	b.Hash = ""
	raw, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("block hash: %w", err)
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		return "", fmt.Errorf("block hash: %w", err)
	}
	h := sha256.Sum256(c)
	return hex.EncodeToString(h[:]), nil
}
