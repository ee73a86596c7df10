// Package hardware holds the record of the machine a native product ran on:
// the CPU (brand, vendor, cores, caches, features), what this process may use
// of it (affinity and cgroup quota), Go runtime settings and GPUs. Receipts and
// benchmark reports carry it as capacity context only: nothing about a
// result's correctness depends on it.
//
// The package is pure data, so that receipt and verifier code can decode it
// without pulling in the probe: the probe that fills it in (cpuid, cgroup
// files, /proc/driver/nvidia, nvidia-smi) is package
// github.com/zkpoc/zkpoc/hardware/probe.
package hardware

// Hardware describes the machine an executor ran on. It is capacity context for receipts
// only: nothing about a result's correctness depends on it.
type Hardware struct {
	CPUBrand  string `json:"cpu_brand"`
	CPUVendor string `json:"cpu_vendor"`
	// PhysicalCores and LogicalCores are the CPU package's, as cpuid reports
	// them (CoresReportedBy says so in the JSON); Process is what this
	// process may use, which a VM or container can make far fewer. Both are
	// absent from receipts made before they were recorded (omitempty keeps
	// those receipts' canonical encoding, hence their receipt_id).
	PhysicalCores   int          `json:"physical_cores"`
	LogicalCores    int          `json:"logical_cores"`
	CoresReportedBy string       `json:"cores_reported_by,omitempty"`
	Process         *ProcessCPUs `json:"process_cpus,omitempty"`
	// Cache sizes in bytes; 0 where undetected.
	L1DBytes int `json:"l1d_bytes"`
	L2Bytes  int `json:"l2_bytes"`
	L3Bytes  int `json:"l3_bytes"`
	// Features lists, sorted, the CPU features relevant to the executors that this CPU has,
	// from AVX2, AVX512F, AVX512BW, AVX512VNNI, AVXVNNI, ADX, BMI2, FMA3. Never nil.
	Features   []string `json:"features"`
	GOARCH     string   `json:"goarch"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	// GPUs found on the host; empty (never nil) where there is none.
	GPUs []GPU `json:"gpus"`
}

// GPU is one accelerator found by the probe.
type GPU struct {
	Vendor string `json:"vendor"` // "nvidia"
	Model  string `json:"model"`
	BusID  string `json:"bus_id,omitempty"`
	// MemoryMiB is the device memory in MiB; 0 where unknown.
	MemoryMiB int64 `json:"memory_mib,omitempty"`
}

// HasFeature reports whether h.Features lists name.
func (h Hardware) HasFeature(name string) bool {
	for _, f := range h.Features {
		if f == name {
			return true
		}
	}
	return false
}

// CoresReportedBy labels Hardware.PhysicalCores and LogicalCores: they are
// what cpuid says about the CPU package, which a virtual machine or a
// container may see only part of.
const CoresReportedBy = "cpuid: the CPU package, not what this process may use (see process_cpus)"

// ProcessCPUs is what this process may actually run on, beside the CPU
// package's counts in Hardware (a 2-vCPU guest can report a 254-core package).
type ProcessCPUs struct {
	// Usable is the most CPUs the process can keep busy at once: the
	// affinity count (runtime.NumCPU where unknown), lowered to the cgroup
	// CPU quota rounded up.
	Usable int `json:"usable"`
	// Affinity is the number of CPUs in the process's sched_getaffinity
	// mask now; 0 where it cannot be read (not Linux).
	Affinity int `json:"affinity"`
	// NumCPU is runtime.NumCPU: on Linux the affinity mask at process start.
	NumCPU int `json:"num_cpu"`
	// CgroupQuota is the tightest CPU bandwidth limit (quota / period, in
	// CPUs) of the process's cgroup and its ancestors, from cgroup v2
	// cpu.max or v1 cpu.cfs_quota_us / cpu.cfs_period_us; 0 when there is none.
	CgroupQuota float64 `json:"cgroup_quota,omitempty"`
	// CgroupSource names the file CgroupQuota came from.
	CgroupSource string `json:"cgroup_source,omitempty"`
}
