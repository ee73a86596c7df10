package network

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrBadObject is wrapped by GetObject's error for an object it refuses.
var ErrBadObject = errors.New("object refused")

// GetObject reads object name of object store bucket with single-message
// gets only: its metadata (the last message on its meta subject), then its
// chunks one by one (the next message on its chunk subject), checking the
// size, the chunk count and the SHA-256 digest the metadata records.
//
// jetstream's ObjectStore.Get reads through an ordered push consumer
// instead, which a worker may not create: a consumer's config names the
// subject it delivers to, and the server does not check that subject
// against the creator's permissions, so a client allowed to create
// consumers could have the server publish the inputs into the jobs,
// results or blocks streams under any subject. Message gets create
// nothing.
//
// An object over maxBytes, a link, or one whose chunks do not match its
// metadata wraps ErrBadObject; an absent or deleted one wraps
// jetstream.ErrObjectNotFound.
func GetObject(ctx context.Context, js jetstream.JetStream, bucket, name string, maxBytes uint64) ([]byte, error) {
	s, err := js.Stream(ctx, objStream(bucket))
	if err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			err = errors.Join(jetstream.ErrBucketNotFound, err)
		}
		return nil, fmt.Errorf("object store %s: %w", bucket, err)
	}
	meta, err := s.GetLastMsgForSubject(ctx, "$O."+bucket+".M."+base64.URLEncoding.EncodeToString([]byte(name)))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, fmt.Errorf("object %.80q: %w", name, jetstream.ErrObjectNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("object %.80q: metadata: %w", name, err)
	}
	var info jetstream.ObjectInfo
	if err := json.Unmarshal(meta.Data, &info); err != nil {
		return nil, fmt.Errorf("object %.80q: metadata: %w", name, err)
	}
	switch {
	case info.Deleted:
		return nil, fmt.Errorf("object %.80q: deleted: %w", name, jetstream.ErrObjectNotFound)
	case info.Opts != nil && info.Opts.Link != nil:
		return nil, fmt.Errorf("%w: %.80q is a link, not read", ErrBadObject, name)
	case info.NUID == "":
		return nil, fmt.Errorf("object %.80q: %w", name, jetstream.ErrBadObjectMeta)
	case info.Size > maxBytes:
		return nil, fmt.Errorf("%w: %.80q: %d bytes, over %d", ErrBadObject, name, info.Size, maxBytes)
	}
	want, err := jetstream.DecodeObjectDigest(info.Digest)
	if err != nil && info.Size > 0 {
		return nil, fmt.Errorf("%w: %.80q: digest %.80q: %v", ErrBadObject, name, info.Digest, err)
	}
	data := make([]byte, 0, info.Size)
	chunks := uint32(0)
	err = EachMsg(ctx, s, "$O."+bucket+".C."+info.NUID, func(m *jetstream.RawStreamMsg) (bool, error) {
		if chunks++; chunks > info.Chunks || uint64(len(data))+uint64(len(m.Data)) > info.Size {
			return false, fmt.Errorf("%w: %.80q: more chunks than the %d bytes in %d its metadata records", ErrBadObject, name, info.Size, info.Chunks)
		}
		data = append(data, m.Data...)
		return uint64(len(data)) < info.Size, nil
	})
	if err != nil {
		return nil, fmt.Errorf("object %.80q: %w", name, err)
	}
	if uint64(len(data)) != info.Size {
		return nil, fmt.Errorf("%w: %.80q: %d bytes in its chunks, its metadata records %d", ErrBadObject, name, len(data), info.Size)
	}
	if info.Size > 0 {
		got := sha256.Sum256(data)
		if !bytes.Equal(got[:], want) {
			return nil, fmt.Errorf("%w: %.80q: SHA-256 of the chunks is not the recorded digest", ErrBadObject, name)
		}
	}
	return data, nil
}

// EachMsg calls fn on the messages of stream s on subject (wildcards
// allowed), in stream order, until fn returns false or an error, or no
// message is left. It reads with single-message gets (the next message on
// subject from a sequence): one request a message, and nothing created
// on the server, so a client that may not create consumers can scan.
func EachMsg(ctx context.Context, s jetstream.Stream, subject string, fn func(*jetstream.RawStreamMsg) (bool, error)) error {
	for seq := uint64(1); ; {
		m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s from sequence %d: %w", subject, seq, err)
		}
		more, err := fn(m)
		if err != nil || !more {
			return err
		}
		seq = m.Sequence + 1
	}
}
