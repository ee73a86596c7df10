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

// TestExternalNATSServerAuth runs the network on an external nats-server
// configured by zkpoc network nats-config: every process signs in with its
// NKey (the workers with their node keys, listed by zkpoc network nkey);
// a task is accepted in a block with no permission violation in the
// server's log, and a worker whose key is not listed cannot connect.
func TestExternalNATSServerAuth(t *testing.T) {
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
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// zk runs a zkpoc command to its end (at most 30 s).
	zk := func(wantOK bool, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, exe)
		cmd.Args, cmd.Env = append([]string{"zkpoc"}, args...), append(os.Environ(), "ZKPOC_HOME="+home)
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Fatalf("zkpoc %s: %v (want success %v)\n%s", strings.Join(args, " "), err, wantOK, out)
		}
		return string(out)
	}
	var workers strings.Builder
	for i := 1; i <= 2; i++ {
		out := zk(true, "network", "nkey", "-q", "--node-key", filepath.Join(home, fmt.Sprintf("node%d.pem", i)))
		workers.WriteString(out)
	}
	if err := os.WriteFile(filepath.Join(dir, "workers.txt"), []byte(workers.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	natsPort, apiPort := freePort(t), freePort(t)
	url := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	coordSeed, marketSeed, conf := filepath.Join(dir, "coordinator.nk"), filepath.Join(dir, "market.nk"), filepath.Join(dir, "nats.conf")
	zk(true, "network", "nats-config", "--workers", filepath.Join(dir, "workers.txt"), "--coordinator-seed", coordSeed,
		"--market-seed", marketSeed, "--listen", fmt.Sprintf("127.0.0.1:%d", natsPort), "--store", filepath.Join(dir, "js"), "-o", conf)
	if st, err := os.Stat(marketSeed); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("market seed file: %v, mode %v; want 0600", err, st.Mode())
	}
	startProc(t, dir, "nats-server", natsBin, "-c", conf)
	waitPort(t, natsPort)

	run := func(name string, args ...string) *proc { return startZK(t, dir, home, exe, name, args...) }
	run("coordinator", "coordinator", "--nats", url, "--nkey-seed", coordSeed, "--block-interval", "300ms", "--heartbeat-timeout", "3s", "--redispatch", "0")
	for i := 1; i <= 2; i++ {
		run(fmt.Sprintf("worker%d", i), "worker", "--nats", url, "--worker-address", fmt.Sprintf("cpc1externalauth%d", i),
			"--node-key", filepath.Join(home, fmt.Sprintf("node%d.pem", i)), "--heartbeat", "500ms")
	}
	run("market", "market", "--nats", url, "--nkey-seed", marketSeed, "--listen", fmt.Sprintf("127.0.0.1:%d", apiPort))
	waitPort(t, apiPort)
	rec := postAndSettle(t, fmt.Sprintf("http://127.0.0.1:%d", apiPort))
	getBlock(t, fmt.Sprintf("http://127.0.0.1:%d", apiPort), rec.Accepted.Block)

	out := zk(false, "worker", "--nats", url, "--worker-address", "cpc1externalauth3", "--node-key", filepath.Join(home, "node3.pem"))
	if !strings.Contains(strings.ToLower(out), "authorization violation") {
		t.Errorf("an unlisted worker: %s", out)
	}
	log, err := os.ReadFile(filepath.Join(dir, "nats-server.log"))
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
