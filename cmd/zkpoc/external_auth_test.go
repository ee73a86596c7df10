package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// authNet is a test directory with a $ZKPOC_HOME sharing the test keys,
// the zkpoc binary, and two workers' node keys listed in workers.txt by
// zkpoc network nkey.
type authNet struct {
	t              *testing.T
	dir, home, exe string
	workers        string // the allowlist file
}

func newAuthNet(t *testing.T) *authNet {
	t.Helper()
	a := &authNet{t: t, dir: t.TempDir()}
	a.home = filepath.Join(a.dir, "home")
	if err := os.MkdirAll(a.home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sharedKeys, filepath.Join(a.home, "keys")); err != nil {
		t.Fatal(err)
	}
	var err error
	if a.exe, err = os.Executable(); err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	for i := 1; i <= 2; i++ {
		list.WriteString(a.zk(true, "network", "nkey", "-q", "--node-key", a.nodeKey(i)))
	}
	a.workers = filepath.Join(a.dir, "workers.txt")
	if err := os.WriteFile(a.workers, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *authNet) nodeKey(i int) string { return filepath.Join(a.home, fmt.Sprintf("node%d.pem", i)) }

// zk runs a zkpoc command to its end (at most 30 s) and returns its output.
func (a *authNet) zk(wantOK bool, args ...string) string {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.exe)
	cmd.Args, cmd.Env = append([]string{"zkpoc"}, args...), append(os.Environ(), "ZKPOC_HOME="+a.home)
	out, err := cmd.CombinedOutput()
	if (err == nil) != wantOK {
		a.t.Fatalf("zkpoc %s: %v (want success %v)\n%s", strings.Join(args, " "), err, wantOK, out)
	}
	return string(out)
}

func (a *authNet) start(name string, args ...string) *proc {
	return startZK(a.t, a.dir, a.home, a.exe, name, args...)
}

// run starts the two listed workers and the market (signing in with
// marketSeed) on url, settles a task, and checks that a third worker,
// not listed, is refused.
func (a *authNet) run(url, marketSeed string) {
	t := a.t
	t.Helper()
	for i := 1; i <= 2; i++ {
		a.start(fmt.Sprintf("worker%d", i), "worker", "--nats", url, "--worker-address", fmt.Sprintf("cpc1auth%d", i),
			"--node-key", a.nodeKey(i), "--heartbeat", "500ms")
	}
	apiPort := freePort(t)
	a.start("market", "market", "--nats", url, "--nkey-seed", marketSeed, "--listen", fmt.Sprintf("127.0.0.1:%d", apiPort))
	waitPort(t, apiPort)
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	rec := postAndSettle(t, api)
	getBlock(t, api, rec.Accepted.Block)
	out := a.zk(false, "worker", "--nats", url, "--worker-address", "cpc1auth3", "--node-key", a.nodeKey(3))
	if !strings.Contains(strings.ToLower(out), "authorization violation") {
		t.Errorf("an unlisted worker: %s", out)
	}
}

// TestExternalNATSServerAuth runs the network on an external nats-server
// configured by zkpoc network nats-config: every process signs in with its
// NKey (the workers with their node keys, listed by zkpoc network nkey);
// a task is accepted in a block with no permission violation in the
// server's log, and a worker whose key is not listed cannot connect.
func TestExternalNATSServerAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nats-server and starts five processes")
	}
	a := newAuthNet(t)
	natsBin := filepath.Join(a.dir, "nats-server")
	if out, err := exec.Command("go", "build", "-o", natsBin, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Fatalf("build nats-server: %v\n%s", err, out)
	}
	natsPort := freePort(t)
	url := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	coordSeed, marketSeed, conf := filepath.Join(a.dir, "coordinator.nk"), filepath.Join(a.dir, "market.nk"), filepath.Join(a.dir, "nats.conf")
	a.zk(true, "network", "nats-config", "--workers", a.workers, "--coordinator-seed", coordSeed, "--market-seed", marketSeed,
		"--listen", fmt.Sprintf("127.0.0.1:%d", natsPort), "--store", filepath.Join(a.dir, "js"), "-o", conf)
	if st, err := os.Stat(marketSeed); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("market seed file: %v, mode %v; want 0600", err, st.Mode())
	}
	startProc(t, a.dir, "nats-server", natsBin, "-c", conf)
	waitPort(t, natsPort)
	a.start("coordinator", "coordinator", "--nats", url, "--nkey-seed", coordSeed, "--block-interval", "300ms", "--heartbeat-timeout", "3s", "--redispatch", "0")
	a.run(url, marketSeed)

	log, err := os.ReadFile(filepath.Join(a.dir, "nats-server.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "authentication error - Nkey") {
		t.Errorf("the server logged no refused NKey for the unlisted worker:\n%s", log)
	}
	if strings.Contains(string(log), "Violation - Subject") {
		t.Errorf("permission violations in the honest run:\n%s", log)
	}
}

// TestCoordinatorWorkersAuth: zkpoc coordinator --workers FILE embeds a
// server that requires NKeys; the market signs in with the key the
// coordinator keeps in its store, the listed workers with their node keys,
// and an unlisted worker is refused; state a run without --workers left in
// the store is warned of (another JetStream account).
func TestCoordinatorWorkersAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five processes")
	}
	a := newAuthNet(t)
	natsPort := freePort(t)
	store := filepath.Join(a.dir, "store")
	// State a run without --workers left: another JetStream account.
	if err := os.MkdirAll(filepath.Join(store, "jetstream", "$G"), 0o755); err != nil {
		t.Fatal(err)
	}
	a.start("coordinator", "coordinator", "--workers", a.workers, "--store", store, "--listen-nats", fmt.Sprintf("127.0.0.1:%d", natsPort),
		"--block-interval", "300ms", "--heartbeat-timeout", "3s", "--redispatch", "0")
	waitPort(t, natsPort)
	a.run(fmt.Sprintf("nats://127.0.0.1:%d", natsPort), filepath.Join(store, "market.nk"))
	log, err := os.ReadFile(filepath.Join(a.dir, "coordinator.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "NKey auth: 2 workers listed") || !strings.Contains(string(log), "holds state written without --workers") ||
		strings.Contains(string(log), "authenticates no one") {
		t.Errorf("coordinator log:\n%s", log)
	}
}
