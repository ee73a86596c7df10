package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/network"
)

// TestExternalNATSServer runs the network as separate processes with
// nothing shared but loopback: nats-server built from its module and run
// as its own process (JetStream on file storage), then zkpoc coordinator,
// two zkpoc workers and zkpoc market, each an OS process connected to it
// with --nats. A task posted over HTTP is accepted and put in a block; the
// coordinator is then killed (SIGKILL) and restarted, and a second task is
// accepted in a block whose parent is the first block: its state came back
// from JetStream.
func TestExternalNATSServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nats-server and starts five processes")
	}
	dir := t.TempDir()
	natsBin := filepath.Join(dir, "nats-server")
	if out, err := exec.Command("go", "build", "-o", natsBin, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Fatalf("build nats-server: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sharedKeys, filepath.Join(home, "keys")); err != nil {
		t.Fatal(err)
	}
	natsPort, apiPort := freePort(t), freePort(t)
	url := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	// The configuration the README documents for an external server.
	conf := filepath.Join(dir, "nats.conf")
	cfg := fmt.Sprintf("listen: 127.0.0.1:%d\nmax_payload: 8MB\njetstream {\n  store_dir: %q\n}\n", natsPort, filepath.Join(dir, "js"))
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	startProc(t, dir, "nats-server", natsBin, "-c", conf)
	waitPort(t, natsPort)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	zk := func(name string, args ...string) *proc {
		return startZK(t, dir, home, exe, name, args...)
	}
	coordArgs := []string{"coordinator", "--nats", url, "--block-interval", "300ms", "--heartbeat-timeout", "3s", "--redispatch", "0"}
	coord := zk("coordinator", coordArgs...)
	for i := 1; i <= 2; i++ {
		zk(fmt.Sprintf("worker%d", i), "worker", "--nats", url, "--worker-address", fmt.Sprintf("cpc1external%d", i),
			"--node-key", filepath.Join(home, fmt.Sprintf("node%d.pem", i)), "--heartbeat", "500ms")
	}
	zk("market", "market", "--nats", url, "--listen", fmt.Sprintf("127.0.0.1:%d", apiPort))
	waitPort(t, apiPort)
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)

	first := postAndSettle(t, api)
	b1 := getBlock(t, api, first.Accepted.Block)

	if err := coord.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-coord.done
	zk("coordinator-restarted", coordArgs...)
	second := postAndSettle(t, api)
	b2 := getBlock(t, api, second.Accepted.Block)
	if b2.Height <= b1.Height {
		t.Fatalf("block %d after the restart, not after block %d", b2.Height, b1.Height)
	}
	if b2.Height == b1.Height+1 && b2.Parent != b1.Hash {
		t.Fatalf("block %d's parent %s is not block %d's hash %s", b2.Height, b2.Parent, b1.Height, b1.Hash)
	}
	var acct struct {
		BalanceWei string `json:"balance_wei"`
	}
	total := 0
	for i := 1; i <= 2; i++ {
		if code := getJSON(t, fmt.Sprintf("%s/v1/accounts/cpc1external%d", api, i), &acct); code == http.StatusOK {
			if acct.BalanceWei != "10000000000000000000" && acct.BalanceWei != "20000000000000000000" {
				t.Errorf("cpc1external%d balance %s wei", i, acct.BalanceWei)
			}
			total++
		}
	}
	if total == 0 {
		t.Fatal("no worker was paid")
	}
}

func postAndSettle(t *testing.T, api string) network.TaskRecord {
	t.Helper()
	// A client retries a 503: a coordinator just restarted answers intake
	// once it has reloaded its state.
	var resp *http.Response
	var body []byte
	for try := 0; try < 40; try++ {
		if try > 0 {
			time.Sleep(500 * time.Millisecond)
		}
		var err error
		resp, err = http.Post(api+"/v1/tasks", "application/json", strings.NewReader(`{"matrix_size":4,"reward":"10.0","deadline_in":600}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			break
		}
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("post task: %s: %s", resp.Status, body)
	}
	var rec network.TaskRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var r network.TaskRecord
		getJSON(t, api+"/v1/tasks/"+rec.TaskID, &r)
		if r.Status == network.StatusAccepted && r.Accepted != nil && r.Accepted.Block > 0 {
			return r
		}
		if r.Status == network.StatusExpired {
			t.Fatalf("task %s expired", rec.TaskID)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("task %s not accepted in a block within 60 s", rec.TaskID)
	return rec
}

func getBlock(t *testing.T, api string, h uint64) network.Block {
	t.Helper()
	var b network.Block
	if code := getJSON(t, fmt.Sprintf("%s/v1/blocks/%d", api, h), &b); code != http.StatusOK {
		t.Fatalf("block %d: HTTP %d", h, code)
	}
	var results []chain.ComputeResult
	for _, tx := range b.Transactions {
		if err := tx.Validate(); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		results = append(results, tx.Payload)
	}
	root, err := chain.ComputeRoot(results)
	if err != nil || root != b.Header.ComputeRoot {
		t.Fatalf("block %d: compute_root %s, recomputed %s (%v)", h, b.Header.ComputeRoot, root, err)
	}
	if hash, _ := b.ComputeHash(); hash != b.Hash {
		t.Fatalf("block %d: hash %s, recomputed %s", h, b.Hash, hash)
	}
	return b
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	for i := 0; i < 150; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d after 15 s", port)
}

// startZK starts the test binary as the zkpoc command (testscript.Main
// dispatches on argv[0]) with its own log file.
func startZK(t *testing.T, dir, home, exe, name string, args ...string) *proc {
	t.Helper()
	cmd := &exec.Cmd{Path: exe, Args: append([]string{"zkpoc"}, args...), Env: append(os.Environ(), "ZKPOC_HOME="+home)}
	return runLogged(t, dir, name, cmd)
}

func startProc(t *testing.T, dir, name, bin string, args ...string) *proc {
	t.Helper()
	return runLogged(t, dir, name, exec.Command(bin, args...))
}

// run starts cmd with its output in DIR/NAME.log, stopped (interrupt,
// then kill after 5 s) at the end of the test; the log is printed when
// the test fails.
func runLogged(t *testing.T, dir, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		f.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			t.Logf("%s log:\n%s", name, data)
		}
	})
	return &proc{cmd, done}
}

// proc is a started process and a channel closed when it has exited.
type proc struct {
	*exec.Cmd
	done chan struct{}
}
