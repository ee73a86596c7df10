package native

import (
	"fmt"
	"testing"

	"github.com/zkpoc/zkpoc/workload"
)

// BenchmarkExecutors measures every executor available on this host on seeded matrices and
// reports GMAC/s (n³ multiply-adds per wall-clock second, in 1e9) and, where the OS reports
// process CPU time, GMAC/cpu-s (per CPU-second of this process: a load-independent figure on
// a busy machine; GMAC/s ≈ GMAC/cpu-s × cores on an idle one).
func BenchmarkExecutors(b *testing.B) {
	for _, e := range Executors() {
		for _, n := range []int{256, 512, 1024} {
			var seed [32]byte
			seed[0] = byte(n)
			A, B, err := workload.Generate(seed, n)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/n=%d", e.Name(), n), func(b *testing.B) {
				macs := float64(n) * float64(n) * float64(n)
				cpu0 := processCPUSeconds()
				for b.Loop() {
					if _, err := e.Multiply(A, B, n, workload.DefaultFracBits); err != nil {
						b.Fatal(err)
					}
				}
				secs := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(macs/secs/1e9, "GMAC/s")
				if cpu := processCPUSeconds() - cpu0; cpu0 > 0 && cpu > 0 {
					b.ReportMetric(macs*float64(b.N)/cpu/1e9, "GMAC/cpu-s")
				}
			})
		}
	}
}
