//go:build !race

// The load test proves hundreds of Groth16 receipts: under the race
// detector it would take many times longer, so it is built without it
// (CI's go test -race ./network/... skips it).

package loadgen_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network/loadgen"
	"github.com/zkpoc/zkpoc/protocol"
)

// tail keeps the last lines written to it, for a failure's log.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, strings.Split(strings.TrimRight(string(p), "\n"), "\n")...)
	if len(t.lines) > 200 {
		t.lines = t.lines[len(t.lines)-200:]
	}
	return len(p), nil
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		t.Fatalf("%s=%q: a non-negative integer", name, s)
	}
	return v
}

// TestLoad posts ZKPOC_LOAD_TASKS tasks (default 100; the README's figures
// are for 1,000) at n = 8 through ZKPOC_LOAD_WORKERS workers (default 4)
// on one embedded server (ZKPOC_LOAD_MODE=binding: no proofs, every task
// checked by a second worker: the coordinator's and the server's own
// throughput), logs the figures, and checks that every task was
// accepted once, credited once and put in a block of a chain that links
// from genesis. It gives up after ZKPOC_LOAD_TIMEOUT seconds (default 240).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("proves a hundred Groth16 receipts")
	}
	keyDir := os.Getenv("ZKPOC_TEST_KEYS")
	if keyDir == "" {
		keyDir = t.TempDir() // the n = 8 setup first, about 2 s
	}
	o := loadgen.Options{Tasks: envInt(t, "ZKPOC_LOAD_TASKS", 100), Workers: envInt(t, "ZKPOC_LOAD_WORKERS", 4), N: 8,
		InFlight: envInt(t, "ZKPOC_LOAD_INFLIGHT", 8), Redispatch: float64(envInt(t, "ZKPOC_LOAD_REDISPATCH_PCT", 10)) / 100, Mode: protocol.Mode(os.Getenv("ZKPOC_LOAD_MODE")), KeyDir: keyDir, Dir: t.TempDir()}
	logs := &tail{}
	o.Log, o.Trace = logs, logs
	timeout := time.Duration(envInt(t, "ZKPOC_LOAD_TIMEOUT", 240)) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	rep, err := loadgen.Run(ctx, o)
	if err != nil {
		t.Logf("last log lines:\n%s", strings.Join(logs.lines, "\n"))
		t.Fatalf("%v\n%s", err, rep)
	}
	t.Logf("\n%s", rep)
	if err := rep.Check(); err != nil {
		t.Fatal(err)
	}
	if rep.Jobs < o.Tasks || rep.Coordinator.Intakes != int64(o.Tasks) || rep.Coordinator.Results < int64(rep.Jobs) {
		t.Fatalf("%d jobs, %d intakes, %d results for %d tasks", rep.Jobs, rep.Coordinator.Intakes, rep.Coordinator.Results, o.Tasks)
	}
	if rep.LatencyP50 <= 0 || rep.LatencyP99 < rep.LatencyP50 || rep.TasksPerSecond <= 0 || (rep.Mode == protocol.ModeGroth16 && rep.ProveMean <= 0) {
		t.Fatalf("figures: %+v", rep)
	}
}
