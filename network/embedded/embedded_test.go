package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
)

// TestProvisionSurvivesRestart provisions the network's streams, writes a
// task record, restarts the server on the same store and port, and reads
// it back.
func TestProvisionSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := embedded.Start(embedded.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	url := s.URL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	if err := network.Provision(ctx, js, network.Settings{}); err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, network.TasksBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "t1", []byte(`{"status":"queued"}`)); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	s.Stop()

	port := s.Port()
	s2, err := embedded.Start(embedded.Options{Dir: dir, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	if s2.URL() != url {
		t.Fatalf("restarted server at %s, want %s", s2.URL(), url)
	}
	nc, err = nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ = jetstream.New(nc)
	if err := network.Provision(ctx, js, network.Settings{}); err != nil {
		t.Fatalf("provision again (idempotent): %v", err)
	}
	kv, err = js.KeyValue(ctx, network.TasksBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, "t1")
	if err != nil {
		t.Fatalf("task record lost across a restart: %v", err)
	}
	if string(e.Value()) != `{"status":"queued"}` {
		t.Fatalf("task record %q after restart", e.Value())
	}
}
