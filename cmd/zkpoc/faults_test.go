package main

// Process-level faults on the network of TestExternalNATSServer: a worker
// killed mid-proof and nats-server killed and restarted on its store. (A
// replayed result paying nothing is TestHonestAccepted's, in
// network/coordinator: it republishes every captured result message.)

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
)

// TestExternalWorkerKilledMidProof: a worker process SIGKILLed while it
// proves a Groth16 receipt at n = 64 (about 2.5 s on 2 cores) loses the job
// once the coordinator has not heard from it for --heartbeat-timeout (2 s
// here); the other worker proves it and the task is accepted once, credited
// once, to the survivor, in a block.
func TestExternalWorkerKilledMidProof(t *testing.T) {
	x := startExternal(t)
	const n = 64
	// Set up the n = 64 keys first (once per key cache, about 5 s), so
	// that the job below is a proof and not a setup.
	x.run("keys", "setup", "--n", fmt.Sprint(n))
	x.zk("coordinator", x.coordArgs("--heartbeat-timeout", "2s", "--job-timeout", "60s")...)
	workers := x.startWorkers(2, "--mode", "groth16")
	api := x.startMarket()
	task := postTask(t, api, n)
	rid := task.RequestID[:16]
	// The worker logs the prover's "proving … (N constraints)…" when the
	// Groth16 prove starts, and "proved in" when it ends.
	victim := waitLogs(t, x.workerLogs, fmt.Sprintf("job %s: proving ", rid), 60*time.Second)
	proving := time.Now()
	time.Sleep(300 * time.Millisecond)
	if err := workers[victim].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-workers[victim].done
	killed := time.Now()
	if logHas(t, x.workerLogs[victim], "job "+rid+": proved in") {
		t.Fatal("the proof ended before the worker was killed: not mid-proof; the proof is too fast for this test")
	}
	rec := settle(t, api, task.TaskID, 90*time.Second)

	first := rec.Jobs[0]
	if !logHas(t, x.workerLogs[victim], "registered as "+first.Node) {
		t.Fatalf("the first job went to %s, not to the killed worker %d", first.Node, victim+1)
	}
	if first.ReturnedAt != 0 || first.Verdict != "lost" || (first.Reason != "node dead" && first.Reason != "timeout") {
		t.Fatalf("the killed worker's job: %+v", first)
	}
	if len(rec.Jobs) != 2 || rec.Accepted.Node == first.Node || rec.Jobs[1].Verdict != "pass" {
		t.Fatalf("jobs %+v, accepted %+v", rec.Jobs, rec.Accepted)
	}
	survivor := 1 - victim
	js := x.client()
	if h := history(t, js, network.LedgerBucket, network.Credit+"."+rec.RequestID); len(h) != 1 {
		t.Fatalf("credit %s written %d times", rec.RequestID, len(h))
	}
	if got := balance(t, api, fmt.Sprintf("cpc1external%d", survivor+1)); got != "10000000000000000000" {
		t.Errorf("survivor's balance %q wei, want 10 CPC", got)
	}
	if got := balance(t, api, fmt.Sprintf("cpc1external%d", victim+1)); got != "" && got != "0" {
		t.Errorf("killed worker's balance %s wei", got)
	}
	b := getBlock(t, api, rec.Accepted.Block)
	in := 0
	for _, tx := range b.Transactions {
		if tx.Payload.TaskID == rec.TaskID {
			in++
		}
	}
	if in != 1 {
		t.Fatalf("task %s is %d times in block %d", rec.TaskID, in, b.Height)
	}
	t.Logf("worker %d killed %d ms into its proof, %d ms after the job was dispatched to it; re-dispatched %d ms after the kill, accepted %d ms after the kill (block %d); the survivor: %s",
		victim+1, killed.Sub(proving).Milliseconds(), killed.UnixMilli()-first.DispatchedAt, rec.Jobs[1].DispatchedAt-killed.UnixMilli(),
		rec.Accepted.AcceptedAt-killed.UnixMilli(), rec.Accepted.Block,
		logLine(t, x.workerLogs[survivor], "job "+rid+": proved in")+"; "+logLine(t, x.workerLogs[survivor], "job "+rid+" attempt 2 (primary) answered"))
}

// TestExternalNATSRestart: nats-server SIGKILLed with two tasks in flight
// and started again on the same store and port. Nothing the network had
// recorded is lost (credits, receipts, blocks and the settled task
// unchanged; node records not behind), the two tasks are accepted, every
// client reconnects by itself, and a task posted afterwards goes into a
// block that continues the chain.
func TestExternalNATSRestart(t *testing.T) {
	x := startExternal(t)
	x.zk("coordinator", x.coordArgs("--heartbeat-timeout", "5s", "--job-timeout", "30s")...)
	x.startWorkers(2)
	api := x.startMarket()
	first := postAndSettle(t, api)
	js := x.client()
	before := snapshot(t, js)

	inflight := []network.TaskRecord{postTask(t, api, 4), postTask(t, api, 4)}
	time.Sleep(200 * time.Millisecond)
	if err := x.nats.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-x.nats.done
	killed := time.Now()
	x.startNATS("nats-server-restarted")
	up := time.Since(killed)
	var lastAccepted int64
	for _, r := range inflight {
		r = settle(t, api, r.TaskID, 90*time.Second)
		lastAccepted = max(lastAccepted, r.Accepted.AcceptedAt)
	}
	if lastAccepted <= killed.UnixMilli() {
		t.Fatal("both tasks were accepted before the kill: nothing was in flight")
	}
	posted := time.Now()
	next := postAndSettle(t, api)
	took := next.Accepted.AcceptedAt - posted.UnixMilli()
	after := snapshot(t, js)

	for _, bucket := range []string{network.LedgerBucket, network.ReceiptsBucket, network.ChallengesKV} {
		for k, v := range before.kv[bucket] {
			if after.kv[bucket][k] != v {
				t.Errorf("%s %s changed or lost across the restart", bucket, k)
			}
		}
	}
	if after.kv[network.TasksBucket][first.TaskID] != before.kv[network.TasksBucket][first.TaskID] {
		t.Errorf("settled task %s changed or lost across the restart", first.TaskID)
	}
	for id, v := range before.kv[network.NodesBucket] {
		var was, is network.NodeRecord
		if json.Unmarshal([]byte(v), &was) != nil || json.Unmarshal([]byte(after.kv[network.NodesBucket][id]), &is) != nil || is.Accepted < was.Accepted {
			t.Errorf("node %s: %s before, %s after", id, v, after.kv[network.NodesBucket][id])
		}
	}
	for seq, data := range before.blocks {
		if after.blocks[seq] != data {
			t.Errorf("block message %d changed or lost across the restart", seq)
		}
	}
	for _, r := range append(inflight, first, next) {
		if h := history(t, js, network.LedgerBucket, network.Credit+"."+r.RequestID); len(h) != 1 {
			t.Errorf("task %s credited %d times", r.TaskID, len(h))
		}
	}
	// The chain links from genesis to the block after the restart.
	parent := fmt.Sprintf("%x", network.GenesisHash)
	for h := uint64(1); h <= next.Accepted.Block; h++ {
		b := getBlock(t, api, h)
		if b.Parent != parent {
			t.Fatalf("block %d's parent %s, want %s", h, b.Parent, parent)
		}
		parent = b.Hash
	}
	t.Logf("nats-server listening again %d ms after the SIGKILL; both tasks in flight accepted %d ms after it; a new task accepted %d ms after it was posted (block %d)",
		up.Milliseconds(), lastAccepted-killed.UnixMilli(), took, next.Accepted.Block)
}

// run runs the zkpoc command args to completion.
func (x *external) run(args ...string) {
	x.t.Helper()
	cmd := &exec.Cmd{Path: x.exe, Args: append([]string{"zkpoc"}, args...), Env: append(os.Environ(), "ZKPOC_HOME="+x.home)}
	if out, err := cmd.CombinedOutput(); err != nil {
		x.t.Fatalf("zkpoc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// client connects the test itself to nats-server; it reconnects without limit.
func (x *external) client() jetstream.JetStream {
	x.t.Helper()
	nc, err := nats.Connect(x.url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		x.t.Fatal(err)
	}
	x.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		x.t.Fatal(err)
	}
	return js
}

// waitLogs waits until one of the log files holds want and returns its index.
func waitLogs(t *testing.T, logs []string, want string, within time.Duration) int {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for i, p := range logs {
			if logHas(t, p, want) {
				return i
			}
		}
	}
	t.Fatalf("no log says %q within %s", want, within)
	return -1
}

func logHas(t *testing.T, path, want string) bool {
	t.Helper()
	return logLine(t, path, want) != ""
}

// logLine is the first line of the log file holding want ("" if none).
func logLine(t *testing.T, path, want string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	return ""
}

// balance is an account's balance in wei ("" when it has no ledger entry).
func balance(t *testing.T, api, addr string) string {
	t.Helper()
	var acct struct {
		BalanceWei string `json:"balance_wei"`
	}
	if code := getJSON(t, api+"/v1/accounts/"+addr, &acct); code != http.StatusOK {
		return ""
	}
	return acct.BalanceWei
}

// history is every value a key has had.
func history(t *testing.T, js jetstream.JetStream, bucket, key string) []jetstream.KeyValueEntry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	h, err := kv.History(ctx, key)
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatal(err)
	}
	return h
}

// state is what the network has stored: each bucket's keys and values,
// and the block stream's messages by sequence.
type state struct {
	kv     map[string]map[string]string
	blocks map[uint64]string
}

func snapshot(t *testing.T, js jetstream.JetStream) state {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := state{kv: map[string]map[string]string{}, blocks: map[uint64]string{}}
	for _, bucket := range []string{network.TasksBucket, network.NodesBucket, network.LedgerBucket, network.ReceiptsBucket, network.ChallengesKV} {
		kv, err := js.KeyValue(ctx, bucket)
		if err != nil {
			t.Fatalf("bucket %s: %v", bucket, err)
		}
		keys, err := kv.Keys(ctx)
		if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
			t.Fatalf("bucket %s: %v", bucket, err)
		}
		st.kv[bucket] = map[string]string{}
		for _, k := range keys {
			e, err := kv.Get(ctx, k)
			if err != nil {
				t.Fatalf("%s %s: %v", bucket, k, err)
			}
			st.kv[bucket][k] = string(e.Value())
		}
	}
	s, err := js.Stream(ctx, network.BlocksStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("block message %d: %v", seq, err)
		}
		st.blocks[seq] = string(m.Data)
	}
	return st
}
