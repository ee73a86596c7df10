package probe

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/hardware"
)

// TestProcessCPUsFixtures reads the cgroup layouts under testdata/cgroup (each
// a view of "/": proc/self/{cgroup,mountinfo} and the cgroup files) as a
// 254-core package whose process may use what the fixture allows.
func TestProcessCPUsFixtures(t *testing.T) {
	for _, tc := range []struct {
		dir              string
		affinity, numCPU int
		want             hardware.ProcessCPUs
	}{
		{"v2-limited", 254, 254, hardware.ProcessCPUs{Usable: 2, Affinity: 254, NumCPU: 254, CgroupQuota: 2, CgroupSource: "/sys/fs/cgroup/user.slice/job/cpu.max"}},
		{"v2-parent", 254, 254, hardware.ProcessCPUs{Usable: 2, Affinity: 254, NumCPU: 254, CgroupQuota: 1.5, CgroupSource: "/sys/fs/cgroup/user.slice/cpu.max"}},
		{"v2-unlimited", 254, 254, hardware.ProcessCPUs{Usable: 254, Affinity: 254, NumCPU: 254}},
		{"v2-malformed", 8, 8, hardware.ProcessCPUs{Usable: 8, Affinity: 8, NumCPU: 8}},
		{"v2-outside", 8, 8, hardware.ProcessCPUs{Usable: 8, Affinity: 8, NumCPU: 8}},
		{"v1-docker", 254, 254, hardware.ProcessCPUs{Usable: 1, Affinity: 254, NumCPU: 254, CgroupQuota: 0.5, CgroupSource: "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"}},
		{"hybrid-unlimited", 2, 2, hardware.ProcessCPUs{Usable: 2, Affinity: 2, NumCPU: 2}},
		{"hybrid-both", 254, 254, hardware.ProcessCPUs{Usable: 3, Affinity: 254, NumCPU: 254, CgroupQuota: 2.5, CgroupSource: "/sys/fs/cgroup/unified/job/cpu.max"}},
		{"v2-limited", 1, 254, hardware.ProcessCPUs{Usable: 1, Affinity: 1, NumCPU: 254, CgroupQuota: 2, CgroupSource: "/sys/fs/cgroup/user.slice/job/cpu.max"}},
		{"none", 0, 6, hardware.ProcessCPUs{Usable: 6, Affinity: 0, NumCPU: 6}}, // no affinity (not Linux): NumCPU
	} {
		t.Run(tc.dir, func(t *testing.T) {
			got := probeProcessCPUs(os.DirFS(filepath.Join("testdata", "cgroup", tc.dir)), tc.affinity, tc.numCPU)
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestProbeProcessCPUs: on this host, what the process may use is what the
// runtime sees at most, and the receipt's hardware box labels both.
func TestProbeProcessCPUs(t *testing.T) {
	h := Host()
	p := h.Process
	if p == nil || p.Usable < 1 || p.NumCPU != runtime.NumCPU() {
		t.Fatalf("process CPUs %+v", p)
	}
	if runtime.GOOS == "linux" {
		if p.Affinity < 1 || p.Usable > runtime.NumCPU() || p.Usable > p.Affinity {
			t.Errorf("usable %d, affinity %d, runtime.NumCPU %d", p.Usable, p.Affinity, runtime.NumCPU())
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"cores_reported_by":"cpuid: the CPU package`, `"process_cpus":{"usable":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("hardware JSON lacks %s: %s", key, b)
		}
	}
}
