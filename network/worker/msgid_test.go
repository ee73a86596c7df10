package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
)

// TestForgedMsgID: another worker publishes, on its own results subject
// (all its permissions allow), a message carrying the Nats-Msg-Id this
// node's result will carry. JetStream deduplicates stream-wide, so the
// genuine result would be dropped as a duplicate; the worker sees the
// duplicate and publishes again under an unpredictable id.
func TestForgedMsgID(t *testing.T) {
	c := newCoord(t, 5*time.Second)
	w, _ := start(t, c, worker.Config{NodeKey: nodeKey(11), Mode: protocol.ModeBinding})
	tk := task(t, 4, "0b6f6a52-4c7e-4d2e-9a59-3b2f1c1d9e01")
	req, _ := tk.RequestID()
	mallory := fmt.Sprintf("%064x", 7)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	forged := fmt.Sprintf("%x/%s/%d", req, w.NodeID(), 1)
	if _, err := c.js.Publish(ctx, network.SubjectResultsPfx+mallory, []byte(`{"forged":true}`), jetstream.WithMsgID(forged)); err != nil {
		t.Fatal(err)
	}
	for len(c.registrations()) == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the worker did not register")
		case <-time.After(50 * time.Millisecond):
		}
	}
	c.job(w.NodeID(), tk, 1)
	for {
		msg, err := c.results.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatalf("the worker's result never reached the stream: %v", err)
		}
		_ = msg.Ack()
		if msg.Subject() == network.SubjectResultsPfx+w.NodeID() {
			if id := msg.Headers().Get(jetstream.MsgIDHeader); len(id) <= len(forged) || id[:len(forged)] != forged {
				t.Errorf("Nats-Msg-Id %q, want %q with a nonce", id, forged)
			}
			return
		}
	}
}
