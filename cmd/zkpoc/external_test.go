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
	x := startExternal(t)
	coordArgs := x.coordArgs("--heartbeat-timeout", "3s")
	coord := x.zk("coordinator", coordArgs...)
	x.startWorkers(2)
	api := x.startMarket()

	first := postAndSettle(t, api)
	b1 := getBlock(t, api, first.Accepted.Block)

	if err := coord.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-coord.done
	x.zk("coordinator-restarted", coordArgs...)
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

// external is a network of separate processes on loopback: nats-server
// built from its module (JetStream on file storage, the configuration the
// README documents), and zkpoc commands started with --nats against it.
type external struct {
	t                  *testing.T
	dir, home, exe     string
	natsBin, conf, url string
	natsPort           int
	nats               *proc
	workerLogs         []string // each worker's log file, in start order
}

// startExternal builds and starts nats-server (skipped with -short).
func startExternal(t *testing.T) *external {
	t.Helper()
	if testing.Short() {
		t.Skip("builds nats-server and starts zkpoc processes")
	}
	x := &external{t: t, dir: t.TempDir()}
	x.natsBin = filepath.Join(x.dir, "nats-server")
	if out, err := exec.Command("go", "build", "-o", x.natsBin, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Fatalf("build nats-server: %v\n%s", err, out)
	}
	x.home = filepath.Join(x.dir, "home")
	if err := os.MkdirAll(x.home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sharedKeys, filepath.Join(x.home, "keys")); err != nil {
		t.Fatal(err)
	}
	x.natsPort = freePort(t)
	x.url = fmt.Sprintf("nats://127.0.0.1:%d", x.natsPort)
	// The configuration the README documents for an external server.
	x.conf = filepath.Join(x.dir, "nats.conf")
	cfg := fmt.Sprintf("listen: 127.0.0.1:%d\nmax_payload: 8MB\njetstream {\n  store_dir: %q\n}\n", x.natsPort, filepath.Join(x.dir, "js"))
	if err := os.WriteFile(x.conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	x.startNATS("nats-server")
	var err error
	if x.exe, err = os.Executable(); err != nil {
		t.Fatal(err)
	}
	return x
}

// startNATS starts nats-server on x's configuration (its port and store)
// under the log name name, and waits for its port.
func (x *external) startNATS(name string) {
	x.t.Helper()
	x.nats = startProc(x.t, x.dir, name, x.natsBin, "-c", x.conf)
	waitPort(x.t, x.natsPort)
}

// coordArgs are the coordinator's arguments: short block interval, no
// random re-dispatch, then extra.
func (x *external) coordArgs(extra ...string) []string {
	return append([]string{"coordinator", "--nats", x.url, "--block-interval", "300ms", "--redispatch", "0"}, extra...)
}

// zk starts the zkpoc command args as a process logged as name.
func (x *external) zk(name string, args ...string) *proc {
	x.t.Helper()
	return startZK(x.t, x.dir, x.home, x.exe, name, args...)
}

// startWorkers starts n workers (addresses cpc1external1, …), with extra
// flags, and returns them.
func (x *external) startWorkers(n int, extra ...string) []*proc {
	x.t.Helper()
	var ps []*proc
	for i := len(x.workerLogs) + 1; i <= n; i++ {
		name := fmt.Sprintf("worker%d", i)
		ps = append(ps, x.zk(name, append([]string{"worker", "--nats", x.url, "--worker-address", fmt.Sprintf("cpc1external%d", i),
			"--node-key", filepath.Join(x.home, fmt.Sprintf("node%d.pem", i)), "--heartbeat", "500ms"}, extra...)...))
		x.workerLogs = append(x.workerLogs, filepath.Join(x.dir, name+".log"))
	}
	return ps
}

// startMarket starts zkpoc market and returns its base URL.
func (x *external) startMarket() string {
	x.t.Helper()
	port := freePort(x.t)
	x.zk("market", "market", "--nats", x.url, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	waitPort(x.t, port)
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

func postAndSettle(t *testing.T, api string) network.TaskRecord {
	t.Helper()
	return settle(t, api, postTask(t, api, 4).TaskID, 60*time.Second)
}

// postTask posts a task of size n through the market.
func postTask(t *testing.T, api string, n int) network.TaskRecord {
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
		resp, err = http.Post(api+"/v1/tasks", "application/json", strings.NewReader(fmt.Sprintf(`{"matrix_size":%d,"reward":"10.0","deadline_in":600}`, n)))
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
	return rec
}

// settle waits until task id is accepted and in a block.
func settle(t *testing.T, api, id string, within time.Duration) network.TaskRecord {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var r network.TaskRecord
		getJSON(t, api+"/v1/tasks/"+id, &r)
		if r.Status == network.StatusAccepted && r.Accepted != nil && r.Accepted.Block > 0 {
			return r
		}
		if r.Status == network.StatusExpired {
			t.Fatalf("task %s expired", id)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("task %s not accepted in a block within %s", id, within)
	return network.TaskRecord{}
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
