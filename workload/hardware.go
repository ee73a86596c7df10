package workload

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"
)

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

// GPU is one accelerator found by Probe.
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

// probedFeatures are the CPU features Probe reports, by the names it reports them under.
var probedFeatures = []struct {
	name string
	id   cpuid.FeatureID
}{
	{"ADX", cpuid.ADX}, {"AVX2", cpuid.AVX2}, {"AVX512BW", cpuid.AVX512BW}, {"AVX512F", cpuid.AVX512F},
	{"AVX512VNNI", cpuid.AVX512VNNI}, {"AVXVNNI", cpuid.AVXVNNI}, {"BMI2", cpuid.BMI2}, {"FMA3", cpuid.FMA3},
}

// Default GPU discovery sources.
const (
	nvidiaProcDir    = "/proc/driver/nvidia/gpus"
	nvidiaSMITimeout = 2 * time.Second
)

// Probe describes this host: CPU (via github.com/klauspost/cpuid/v2), the CPUs this process
// may use (affinity and cgroup quota, ProbeProcessCPUs), Go runtime settings and NVIDIA GPUs (from /proc/driver/nvidia/gpus/*/information, else from nvidia-smi if installed,
// with a 2 s limit). It never fails: what cannot be detected is left zero or empty.
func Probe() Hardware {
	c := &cpuid.CPU
	proc := ProbeProcessCPUs()
	h := Hardware{
		CPUBrand:        strings.TrimSpace(c.BrandName),
		CPUVendor:       c.VendorString,
		PhysicalCores:   c.PhysicalCores,
		LogicalCores:    c.LogicalCores,
		CoresReportedBy: CoresReportedBy,
		Process:         &proc,
		L1DBytes:        max(c.Cache.L1D, 0),
		L2Bytes:         max(c.Cache.L2, 0),
		L3Bytes:         max(c.Cache.L3, 0),
		Features:        []string{},
		GOARCH:          runtime.GOARCH,
		GOMAXPROCS:      runtime.GOMAXPROCS(0),
	}
	if h.LogicalCores <= 0 {
		h.LogicalCores = runtime.NumCPU()
	}
	if h.CPUBrand == "" {
		h.CPUBrand = "unknown " + runtime.GOARCH + " CPU"
	}
	for _, f := range probedFeatures {
		if c.Supports(f.id) {
			h.Features = append(h.Features, f.name)
		}
	}
	sort.Strings(h.Features)
	h.GPUs = probeGPUs(nvidiaProcDir, runNvidiaSMI)
	return h
}

// smiFunc runs nvidia-smi (or a test double) and returns its standard output.
type smiFunc func(ctx context.Context) ([]byte, error)

// errNoSMI is returned by runNvidiaSMI when the binary is not installed.
var errNoSMI = errors.New("nvidia-smi not found")

func runNvidiaSMI(ctx context.Context) ([]byte, error) {
	path, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return nil, errNoSMI
	}
	return exec.CommandContext(ctx, path, "--query-gpu=name,memory.total,pci.bus_id", "--format=csv,noheader").Output()
}

// probeGPUs lists NVIDIA GPUs from procDir/*/information, falling back to smi. Any failure
// yields an empty (non-nil) slice.
func probeGPUs(procDir string, smi smiFunc) []GPU {
	if gpus := parseNvidiaProc(procDir); len(gpus) > 0 {
		return gpus
	}
	if smi == nil {
		return []GPU{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), nvidiaSMITimeout)
	defer cancel()
	out, err := smi(ctx)
	if err != nil {
		return []GPU{}
	}
	return parseNvidiaSMI(out)
}

// parseNvidiaProc reads every procDir/<bus>/information file of the NVIDIA driver, e.g.
//
//	Model: 		 NVIDIA H100 80GB HBM3
//	Bus Location: 	 0000:01:00.0
//
// The bus is taken from "Bus Location:" or else the directory name.
func parseNvidiaProc(procDir string) []GPU {
	gpus := []GPU{}
	dirs, err := filepath.Glob(filepath.Join(procDir, "*", "information"))
	if err != nil {
		return gpus
	}
	sort.Strings(dirs)
	for _, info := range dirs {
		data, err := os.ReadFile(info)
		if err != nil {
			continue
		}
		g := GPU{Vendor: "nvidia", BusID: filepath.Base(filepath.Dir(info))}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			key, val, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			val = strings.TrimSpace(val)
			switch strings.TrimSpace(key) {
			case "Model":
				g.Model = val
			case "Bus Location":
				if val != "" {
					g.BusID = val
				}
			}
		}
		if g.Model != "" {
			gpus = append(gpus, g)
		}
	}
	return gpus
}

// parseNvidiaSMI parses `nvidia-smi --query-gpu=name,memory.total[,pci.bus_id]
// --format=csv,noheader` output: one "NVIDIA H100 80GB HBM3, 81559 MiB[, 00000000:01:00.0]"
// line per GPU. Lines without a name are skipped; an unparsable memory field is left 0.
func parseNvidiaSMI(out []byte) []GPU {
	gpus := []GPU{}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Split(line, ",")
		name := strings.TrimSpace(fields[0])
		if name == "" {
			continue
		}
		g := GPU{Vendor: "nvidia", Model: name}
		if len(fields) > 1 {
			mem := strings.TrimSpace(fields[1])
			mem = strings.TrimSpace(strings.TrimSuffix(mem, "MiB"))
			if v, err := strconv.ParseInt(mem, 10, 64); err == nil && v > 0 {
				g.MemoryMiB = v
			}
		}
		if len(fields) > 2 {
			g.BusID = strings.TrimSpace(fields[2])
		}
		gpus = append(gpus, g)
	}
	return gpus
}
