package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/chain/registry/simchain"
	"github.com/zkpoc/zkpoc/internal/solctest"
)

// TestChainOverRPC: `zkpoc chain node` serves the embedded chain on a
// loopback port, and deploy, post, submit and root reach it as any EVM node
// over --rpc with --key files (no Mine hook: the node seals a block per
// transaction, as geth --dev does). The block's compute_root is what zkpoc
// root computes from the receipt.
func TestChainOverRPC(t *testing.T) {
	dir := chainTestHome(t)
	keyDir, epFile := filepath.Join(dir, "keys"), filepath.Join(dir, "endpoint")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var nodeOut, nodeErr bytes.Buffer
	go func() {
		done <- runCtx(ctx, []string{"chain", "node", "--listen", "127.0.0.1:0", "--keys", keyDir, "--endpoint-file", epFile}, nil, &nodeOut, &nodeErr)
	}()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("chain node exited %d: %s", code, nodeErr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("chain node did not stop")
		}
	}()
	var url string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(epFile); err == nil {
			url = strings.TrimSpace(string(b))
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("chain node wrote no endpoint")
		}
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q", url)
	}
	chainVerbsOver(t, url, keyDir, dir)
}

// chainVerbsOver runs deploy, post, submit and root against the EVM node at
// url, sending from the dev accounts whose keys are in keyDir
// (account-N.key), and checks the block's compute_root against zkpoc root.
func chainVerbsOver(t *testing.T, url, keyDir, dir string) {
	t.Helper()
	key := func(i int) string { return filepath.Join(keyDir, "account-"+string(rune('0'+i))+".key") }
	worker := registry.WorkerAddress(registry.Address(simchain.DevKey(2)))
	depl := filepath.Join(dir, "deployment.json")
	task, rcpt := filepath.Join(dir, "task.json"), filepath.Join(dir, "r.json")

	must := func(want int, args ...string) string {
		t.Helper()
		out, stderr, code := cli(t, args...)
		if code != want {
			t.Fatalf("zkpoc %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, stderr)
		}
		return out
	}
	must(0, "challenge", "new", "--block-hash", strings.Repeat("ab", 32), "--worker", worker, "--n", "4", "--reward", "0.5",
		"--task-id", "0b1e7c2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d", "--deadline", "4102444800", "-o", task)
	must(0, "prove", "-q", "--task", task, "--worker", worker, "--node-key", filepath.Join(dir, "node.key"), "-o", rcpt)
	rpc := []string{"--rpc", url, "--deployment", depl}
	must(0, append([]string{"chain", "deploy", "--key", key(0), "--n", "4"}, rpc...)...)
	must(2, append([]string{"chain", "post", "--task", task}, rpc...)...) // --rpc needs --key
	must(0, append([]string{"chain", "post", "--key", key(1), "--task", task, "--worker", worker}, rpc...)...)
	out := must(0, append([]string{"chain", "submit", "--key", key(2), rcpt}, rpc...)...)
	m := regexp.MustCompile(`compute_root ([0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("submit printed no compute_root:\n%s", out)
	}
	if got := must(0, append([]string{"chain", "root"}, rpc...)...); got != "compute_root "+m[1]+"\n" {
		t.Errorf("chain root printed %q, submit %s", got, m[1])
	}
	if got := must(0, "root", rcpt); got != "compute_root "+m[1]+"\n" {
		t.Errorf("zkpoc root printed %q, the chain's block %s", got, m[1])
	}
	must(1, append([]string{"chain", "submit", "--key", key(2), rcpt}, rpc...)...) // TaskSettled
}

// TestChainOverGeth is TestChainOverRPC against go-ethereum's own dev node,
// geth --dev (ZKPOC_GETH names the binary: go install
// github.com/ethereum/go-ethereum/cmd/geth@<the go.mod version>; skipped
// without it): geth's dev account funds the four test accounts, then the
// same verbs run over --rpc.
func TestChainOverGeth(t *testing.T) {
	gethBin := os.Getenv("ZKPOC_GETH")
	if gethBin == "" {
		t.Skip("ZKPOC_GETH names no geth binary")
	}
	dir := chainTestHome(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var gethLog bytes.Buffer
	cmd := exec.CommandContext(ctx, gethBin, "--dev", "--datadir", filepath.Join(dir, "geth"), "--http", "--http.addr", "127.0.0.1",
		"--http.port", fmt.Sprint(port), "--http.api", "eth,net,web3", "--nodiscover", "--maxpeers", "0", "--port", "0", "--ipcdisable", "--verbosity", "2")
	cmd.Stdout, cmd.Stderr = &gethLog, &gethLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	var cl *rpc.Client
	var dev []string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if cl, err = rpc.DialContext(ctx, url); err == nil {
			if err = cl.CallContext(ctx, &dev, "eth_accounts"); err == nil && len(dev) == 1 {
				break
			}
			cl.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("geth --dev did not serve %s: %v\n%s", url, err, gethLog.String())
		}
	}
	defer cl.Close()
	keyDir := filepath.Join(dir, "keys")
	for i := 0; i < simchain.Accounts; i++ {
		if _, err := writeDevKey(keyDir, i); err != nil {
			t.Fatal(err)
		}
		var tx string
		to := registry.Address(simchain.DevKey(i)).Hex()
		if err := cl.CallContext(ctx, &tx, "eth_sendTransaction", map[string]string{"from": dev[0], "to": to, "value": "0x3635C9ADC5DEA00000"}); err != nil {
			t.Fatalf("fund %s from geth's dev account: %v", to, err)
		}
	}
	for _, i := range []int{0, 3} { // the last transfer mined: every account is funded
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			var bal string
			if err := cl.CallContext(ctx, &bal, "eth_getBalance", registry.Address(simchain.DevKey(i)).Hex(), "latest"); err == nil && bal != "0x0" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("account %d not funded", i)
			}
		}
	}
	chainVerbsOver(t, url, keyDir, dir)
}

// chainTestHome skips under -short or without solc, points ZKPOC_HOME at a
// new home sharing the tests' key cache, and returns a scratch directory.
func chainTestHome(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("proves with Groth16 and compiles the verifier")
	}
	solctest.Path(t)
	home := t.TempDir()
	if err := os.Symlink(sharedKeys, filepath.Join(home, "keys")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ZKPOC_HOME", home)
	return t.TempDir()
}
