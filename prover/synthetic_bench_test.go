package prover_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

// BenchmarkProveSynthetic proves a freivalds-s2 task of size
// $ZKPOC_BENCH_S1_N (f = 8; skipped when unset) with the keys in
// $ZKPOC_BENCH_KEYS (set up there on the first run, which is then not a
// proving figure: run it twice), under the heap bound the cost model
// predicts (prover.BoundHeap at EstimateSyntheticCost's peak), and reports the
// whole call (keys loaded and proved) per op and the process's peak RSS.
// README "Performance" quotes it at n = 512 and 1024:
//
//	ZKPOC_BENCH_S1_N=1024 ZKPOC_BENCH_KEYS=/path go test ./prover -run XX -bench ProveSynthetic -benchtime 1x
func BenchmarkProveSynthetic(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("ZKPOC_BENCH_S1_N"))
	dir := os.Getenv("ZKPOC_BENCH_KEYS")
	if n < 1 || dir == "" {
		b.Skip("set ZKPOC_BENCH_S1_N and ZKPOC_BENCH_KEYS")
	}
	const f = 8
	task, err := workload.NewSyntheticTask("5e1a7e57-0000-4000-8000-000000000001", [32]byte{7}, n, f, "1000", 1795000000)
	if err != nil {
		b.Fatal(err)
	}
	a, bm, err := protocol.Matrices(task, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	c, err := workload.Multiply(a, bm, n, f)
	if err != nil {
		b.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	cache := keys.Cache{Dir: dir}
	_, err = cache.Load(keys.SyntheticIDFor(n, f))
	est := prover.EstimateSyntheticCost(n, f, err == nil, prover.DefaultCoefficients)
	defer prover.BoundHeap(est.PeakMemory)()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := prover.ProveSynthetic(task, key, cache, c, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/prove")
	b.ReportMetric(float64(peakRSS()), "peak-rss-bytes")
	b.ReportMetric(float64(est.PeakMemory), "estimated-peak-bytes")
	b.ReportMetric((est.Prove + est.Load + est.Setup).Seconds(), "estimated-s")
}

// peakRSS is the process's VmHWM in bytes (0 where /proc is not there).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
