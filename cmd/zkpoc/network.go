package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/embedded"
	"github.com/zkpoc/zkpoc/network/market"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

const networkHelp = "Usage: zkpoc network demo|bench|nkey|nats-config [flags]\n\n" +
	"  demo         runs the whole network on this machine (zkpoc network demo --help tells what it runs)\n" +
	"  bench        measures it under load: tasks/s, latency, the coordinator's own cost (--help: what it measures)\n" +
	"  nkey         prints a worker's NKey, for the coordinator's --workers allowlist\n" +
	"  nats-config  writes a nats-server config with the network's users and permissions\n"

func runNetwork(env *cliEnv, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "nkey":
			return runNkey(env, args[1:])
		case "nats-config":
			return runNATSConfig(env, args[1:])
		case "bench":
			return runNetworkBench(env, args[1:])
		case "-h", "--help", "help":
			fmt.Fprint(env.stdout, networkHelp)
			return nil
		}
	}
	if len(args) == 0 || args[0] != "demo" {
		return withHint(usagef("network takes a subcommand: demo, bench, nkey or nats-config"), "zkpoc network demo runs the whole network on this machine")
	}
	fs := newFlags(env, "network demo", "network demo [--workers N] [--tasks M] [--n N] [--timeout D] [--out DIR]", `
Runs the zkpoc network on this machine: an embedded nats-server (JetStream on
file storage in a temporary directory, 127.0.0.1 only, NKey authentication
with per-role permissions: each worker signs in with its node key and may
touch its own subjects only, as zkpoc coordinator --workers runs it), the
coordinator and the Task Market API in this process, and --workers workers as
separate OS processes (zkpoc worker), the last of them dishonest: it returns a
wrong product with a valid PoE and signature. It posts --tasks tasks through
the market's HTTP API, waits until each is accepted and in a block, and prints
the summary: every task's jobs and verdicts, re-dispatches, the strikes (the
dishonest node caught, with the evidence), the rewards paid and each block's
compute_root, recomputed here from the accepted receipts as zkpoc root
computes it. The accepted receipts go to --out (default: a temporary
directory, kept), so that zkpoc root RECEIPT... can be run on them.

Workers prove in auto mode with the keys in $ZKPOC_HOME/keys (set up on the
first run, about 2 s at n = 8).

--chain settles the accepted Groth16 results on a ComputeRegistry too (README
"Settling on chain"): a simulated chain served on a loopback JSON-RPC port,
the registry and the n×n key's verifier deployed (compiled with solc-js); the
coordinator posts each accepted task naming its worker and escrowing the
reward, each honest worker submits its own receipt with --chain-rpc (at most
two honest workers: one dev account each), and the registry verifies the
proof and pays. The summary adds each task's transactions and the compute_root
of the block that paid it, recomputed from the receipts.`)
	workers := fs.Int("workers", 3, "worker processes (at least 2; the last is dishonest)")
	tasks := fs.Int("tasks", 4, "tasks to post")
	n := fs.Int("n", 8, "matrix size of the tasks")
	timeout := fs.Duration("timeout", 90*time.Second, "give up after this long")
	out := fs.String("out", "", "directory for the accepted receipts (default: a new temporary directory)")
	onChain := fs.Bool("chain", false, "settle accepted results on a ComputeRegistry on a simulated chain as well (needs solc-js)")
	if err := parseNone(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case *workers < 2 || *workers > 16:
		return usagef("--workers %d: between 2 and 16 (one is dishonest)", *workers)
	case *tasks < 1 || *tasks > 100:
		return usagef("--tasks %d: between 1 and 100", *tasks)
	case *n < 1 || *n > 64:
		return usagef("--n %d: between 1 and 64 for the demo", *n)
	case *timeout <= 0:
		return usagef("--timeout must be positive")
	case *onChain && *workers-1 > demoChainWorkers:
		return usagef("--chain --workers %d: at most %d workers (%d honest: the simulated chain has a dev account for each)", *workers, demoChainWorkers+1, demoChainWorkers)
	}
	if err := checkOutput("--out", *out); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(env.ctx, *timeout)
	defer cancel()
	d := &demo{env: env, ctx: ctx, chain: *onChain}
	return d.run(*workers, *tasks, *n, *out)
}

type demo struct {
	env   *cliEnv
	ctx   context.Context
	js    jetstream.JetStream
	api   string
	chain bool
}

func (d *demo) logf(format string, args ...any) { fmt.Fprintf(d.env.progress(), format+"\n", args...) }

func (d *demo) run(workers, tasks, n int, out string) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "zkpoc-network-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Every client signs in with an NKey: the coordinator and the market
	// with keys made for this run, each worker with its node key, which
	// limits it to its own subjects.
	coordKey, err := nkeys.CreateUser()
	if err != nil {
		return err
	}
	marketKey, err := nkeys.CreateUser()
	if err != nil {
		return err
	}
	roles := embedded.RoleKeys{Coordinator: publicKey(coordKey), Market: publicKey(marketKey)}
	nodeKeys := make([]string, workers)
	for i := range nodeKeys {
		nodeKeys[i] = filepath.Join(tmp, fmt.Sprintf("node%d.pem", i+1))
		key, _, err := receipt.LoadOrCreateNodeKey(nodeKeys[i])
		if err != nil {
			return err
		}
		pub, _, err := network.NodeNkey(key)
		if err != nil {
			return err
		}
		roles.Workers = append(roles.Workers, pub)
	}
	srv, err := embedded.Start(embedded.Options{Dir: filepath.Join(tmp, "jetstream"), Auth: &roles})
	if err != nil {
		return err
	}
	defer srv.Stop()
	d.logf("nats-server (embedded, JetStream on file storage) on %s, NKey auth: the coordinator, the market and %d workers, each worker limited to its own subjects", srv.URL(), workers)
	nc, err := nats.Connect(srv.URL(), nats.Name("zkpoc network demo"), nats.Nkey(roles.Coordinator, coordKey.Sign))
	if err != nil {
		return err
	}
	defer nc.Close()
	mnc, err := nats.Connect(srv.URL(), nats.Name("zkpoc network demo market"), nats.Nkey(roles.Market, marketKey.Sign),
		nats.CustomInboxPrefix(network.MarketInboxPrefix))
	if err != nil {
		return err
	}
	defer mnc.Close()
	if d.js, err = jetstream.New(nc); err != nil {
		return err
	}
	kc, err := keyCache()
	if err != nil {
		return err
	}
	var dc *demoChain
	var settler coordinator.Chain
	if d.chain {
		if dc, err = startDemoChain(d.ctx, d.env, tmp, n); err != nil {
			return err
		}
		defer dc.close()
		settler = dc.poster()
	}
	coord, err := coordinator.New(nc, coordinator.Config{Address: "cpc1zkpocdemocoordinator", RedispatchFraction: 0.5,
		JobTimeout: 30 * time.Second, HeartbeatTimeout: 5 * time.Second, BlockInterval: time.Second, KeyDir: kc.Dir,
		Chain: settler, ChainEvery: 250 * time.Millisecond})
	if err != nil {
		return err
	}
	cctx, stopCoord := context.WithCancel(context.Background())
	coordDone := make(chan error, 1)
	go func() { coordDone <- coord.Run(cctx) }()
	defer func() { stopCoord(); <-coordDone }()

	h, err := market.New(mnc, market.Config{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	d.api = "http://" + ln.Addr().String()
	d.logf("coordinator and market (%s) in this process", d.api)

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			p.Process.Signal(os.Interrupt)
		}
		for _, p := range procs {
			done := make(chan struct{})
			go func() { p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				p.Process.Kill()
				<-done
			}
		}
	}()
	addrs := map[string]string{}
	for i := 1; i <= workers; i++ {
		addr := fmt.Sprintf("cpc1zkpocdemoworker%d", i)
		var chainArgs []string
		if dc != nil && i < workers { // an honest worker, paid on chain: its address is its chain account's
			if chainArgs, addr, err = dc.workerArgs(i); err != nil {
				return err
			}
		}
		args := append([]string{"worker", "--nats", srv.URL(), "--worker-address", addr, "--node-key", nodeKeys[i-1], "--heartbeat", "1s"}, chainArgs...)
		role := "honest"
		if i == workers {
			args, role = append(args, "--dishonest"), "DISHONEST"
		}
		cmd := exec.Command(exe, args...)
		cmd.Env = os.Environ()
		logf, err := os.Create(filepath.Join(tmp, fmt.Sprintf("worker%d.log", i)))
		if err != nil {
			return err
		}
		defer logf.Close()
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start worker %d: %w", i, err)
		}
		procs = append(procs, cmd)
		addrs[addr] = role
		d.logf("worker %d: process %d, address %s (%s)", i, cmd.Process.Pid, addr, role)
	}
	if err := d.waitRegistered(workers); err != nil {
		return err
	}
	var ids []string
	for i := 0; i < tasks; i++ {
		var rec network.TaskRecord
		body := fmt.Sprintf(`{"matrix_size":%d,"reward":"10.0","deadline_in":600,"poster":"cpc1zkpocdemoposter"}`, n)
		if err := d.call("POST", "/v1/tasks", body, http.StatusCreated, &rec); err != nil {
			return fmt.Errorf("post task %d: %w", i+1, err)
		}
		ids = append(ids, rec.TaskID)
		d.logf("posted task %s (n = %d, reward 10.0 CPC), request_id %s", rec.TaskID, n, rec.RequestID[:16])
	}
	recs, err := d.waitSettled(ids)
	if err != nil {
		return err
	}
	if dc != nil {
		if err := d.waitPaid(recs); err != nil {
			return err
		}
	}
	if err := d.summary(recs, addrs, out, time.Since(start)); err != nil {
		return err
	}
	if dc != nil {
		return dc.summary(d.ctx, d.env, d, recs)
	}
	return nil
}

// waitRegistered waits until want nodes are registered.
func (d *demo) waitRegistered(want int) error {
	for {
		var keys []string
		if kv, err := d.js.KeyValue(d.ctx, network.NodesBucket); err == nil { // the coordinator creates it
			keys, _ = kv.Keys(d.ctx)
		}
		if len(keys) >= want {
			d.logf("%d workers registered", len(keys))
			time.Sleep(1500 * time.Millisecond) // a heartbeat each, so all count as live
			return nil
		}
		select {
		case <-d.ctx.Done():
			return fmt.Errorf("waiting for %d workers to register (%d so far): %w", want, len(keys), d.ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitSettled polls the market until every task is accepted and in a
// block, or expired.
func (d *demo) waitSettled(ids []string) ([]network.TaskRecord, error) {
	last := ""
	for {
		recs := make([]network.TaskRecord, len(ids))
		settled := 0
		for i, id := range ids {
			if err := d.call("GET", "/v1/tasks/"+id, "", http.StatusOK, &recs[i]); err != nil {
				return nil, err
			}
			r := recs[i]
			if r.Status == network.StatusExpired || (r.Status == network.StatusAccepted && r.Accepted != nil && r.Accepted.Block > 0) {
				settled++
			}
		}
		if p := fmt.Sprintf("%d of %d tasks settled", settled, len(ids)); p != last {
			d.logf("%s", p)
			last = p
		}
		if settled == len(ids) {
			return recs, nil
		}
		select {
		case <-d.ctx.Done():
			return nil, fmt.Errorf("%s: %w", last, d.ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// waitPaid waits until every task settled on chain is final there.
func (d *demo) waitPaid(recs []network.TaskRecord) error {
	kv, err := d.js.KeyValue(d.ctx, network.ChainBucket)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Settlement != network.SettleChain {
			continue
		}
		for {
			var s network.ChainSettlement
			if e, err := kv.Get(d.ctx, r.TaskID); err == nil && json.Unmarshal(e.Value(), &s) == nil && s.Final() {
				break
			}
			select {
			case <-d.ctx.Done():
				return fmt.Errorf("waiting for task %s to be paid on chain: %w", r.TaskID, d.ctx.Err())
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

func (d *demo) call(method, path, body string, want int, v any) error {
	req, err := http.NewRequestWithContext(d.ctx, method, d.api+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, network.MaxMessageBytes))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, v)
}

func (d *demo) summary(recs []network.TaskRecord, addrs map[string]string, out string, took time.Duration) error {
	w := d.env.stdout
	if out == "" {
		var err error
		if out, err = os.MkdirTemp("", "zkpoc-network-receipts-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	rkv, err := d.js.KeyValue(d.ctx, network.ReceiptsBucket)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nTasks:")
	redispatches, accepted := 0, 0
	nodes := map[string]bool{}
	receiptOf := map[string]string{} // task id → accepted receipt key
	for _, r := range recs {
		redispatches += r.Redispatches
		fmt.Fprintf(w, "  %s  %s", r.TaskID, r.Status)
		if a := r.Accepted; a != nil {
			accepted++
			fmt.Fprintf(w, " by %s (%s), block %d, paid %s wei", short(a.Node, 12), a.WorkerAddress, a.Block, r.RewardPaidWei)
			receiptOf[r.TaskID] = a.Receipt
		}
		fmt.Fprintln(w)
		for _, j := range r.Jobs {
			nodes[j.Node] = true
			fmt.Fprintf(w, "      %-8s attempt %d  node %s  %-7s %s  %s\n", j.Role, j.Attempt, short(j.Node, 12), j.Mode, j.Verdict, clip(j.Reason, 90))
		}
		if r.Comparison != "" {
			fmt.Fprintf(w, "      comparison: %s\n", r.Comparison)
		}
	}
	fmt.Fprintln(w, "\nBlocks (compute_root recomputed from the accepted receipts, as zkpoc root does):")
	var latest network.Block
	if err := d.call("GET", "/v1/blocks/latest", "", http.StatusOK, &latest); err != nil {
		return err
	}
	mismatches := 0
	for h := uint64(1); h <= latest.Height; h++ {
		var b network.Block
		if err := d.call("GET", fmt.Sprintf("/v1/blocks/%d", h), "", http.StatusOK, &b); err != nil {
			return err
		}
		again, err := d.rootFromReceipts(rkv, b, receiptOf, out)
		status := "reproduced"
		if err != nil || again != b.Header.ComputeRoot {
			status, mismatches = fmt.Sprintf("NOT reproduced (%v, %s)", err, again), mismatches+1
		}
		fmt.Fprintf(w, "  block %d  parent %s  %d SUBMIT_RESULT  compute_root %s  %s\n", b.Height, short(b.Parent, 12), len(b.Transactions), b.Header.ComputeRoot, status)
	}
	fmt.Fprintln(w, "\nNodes:")
	caught := 0
	for id := range nodes {
		var nr network.NodeRecord
		if err := d.call("GET", "/v1/nodes/"+id, "", http.StatusOK, &nr); err != nil {
			return err
		}
		role := addrs[nr.Registration.WorkerAddress]
		var bal struct {
			Balance    string `json:"balance"`
			OnChainWei string `json:"on_chain_wei"`
		}
		paid := "0 CPC"
		if err := d.call("GET", "/v1/accounts/"+nr.Registration.WorkerAddress, "", http.StatusOK, &bal); err == nil {
			paid = bal.Balance + " CPC"
			if c, err := workload.FormatCPC(bal.OnChainWei); bal.OnChainWei != "" && err == nil {
				paid = fmt.Sprintf("%s CPC by the registry on chain, %s", c, paid)
			}
		}
		fmt.Fprintf(w, "  %s  %s (%s)  accepted %d  strikes %d  rating %.2f  paid %s\n", short(id, 12), nr.Registration.WorkerAddress, role, nr.Accepted, nr.Rejected, nr.Rating, paid)
		for _, s := range nr.Strikes {
			fmt.Fprintf(w, "      strike: task %s: %s; evidence %s\n", s.TaskID, clip(s.Reason, 80), strings.Join(s.Evidence, ", "))
		}
		if role == "DISHONEST" && len(nr.Strikes) > 0 {
			caught++
		}
	}
	fmt.Fprintf(w, "\n%d of %d tasks accepted, %d re-dispatches, %d blocks, dishonest node caught: %v; %s in all.\n",
		accepted, len(recs), redispatches, latest.Height, caught > 0, took.Round(100*time.Millisecond))
	fmt.Fprintf(w, "Accepted receipts: %s (zkpoc root %s/block1/*.json prints block 1's compute_root)\n", out, out)
	if mismatches > 0 {
		return fmt.Errorf("%d blocks whose compute_root the receipts do not reproduce", mismatches)
	}
	return nil
}

// rootFromReceipts writes a block's accepted receipts to out, named in
// the block's transaction order (block<h>/01.json, 02.json, …, so that a
// shell glob lists them in that order), and recomputes its compute_root from
// them as zkpoc root does.
func (d *demo) rootFromReceipts(rkv jetstream.KeyValue, b network.Block, receiptOf map[string]string, out string) (string, error) {
	var results []chain.ComputeResult
	for i, tx := range b.Transactions {
		raw, cr, err := acceptedResult(d.ctx, rkv, receiptOf, tx.Payload.TaskID)
		if err != nil {
			return "", err
		}
		path := filepath.Join(out, fmt.Sprintf("block%d", b.Height), fmt.Sprintf("%02d.json", i+1))
		if err := atomicfile.Write(path, raw, 0o644); err != nil {
			return "", err
		}
		results = append(results, cr)
	}
	return chain.ComputeRoot(results)
}

// acceptedResult is a task's accepted receipt (receiptOf: task id → key in
// rkv) and its ComputeResult, as zkpoc root computes it.
func acceptedResult(ctx context.Context, rkv jetstream.KeyValue, receiptOf map[string]string, taskID string) ([]byte, chain.ComputeResult, error) {
	key, ok := receiptOf[taskID]
	if !ok {
		return nil, chain.ComputeResult{}, errors.New("no accepted receipt for task " + taskID)
	}
	e, err := rkv.Get(ctx, key)
	if err != nil {
		return nil, chain.ComputeResult{}, fmt.Errorf("accepted receipt %s: %w", key, err)
	}
	env, err := receipt.Decode(e.Value())
	if err != nil {
		return nil, chain.ComputeResult{}, err
	}
	cr, err := chain.FromReceipt(env, "")
	return e.Value(), cr, err
}
