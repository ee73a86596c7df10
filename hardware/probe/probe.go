// Package probe describes this host for receipts and benchmark reports: the
// CPU through github.com/klauspost/cpuid/v2, the CPUs this process may use
// (sched_getaffinity and the cgroup CPU quota), Go runtime settings and NVIDIA
// GPUs (from /proc/driver/nvidia, else nvidia-smi). It fills in the pure
// record types of package github.com/zkpoc/zkpoc/hardware; code that only
// reads or verifies receipts imports that package, never this one.
package probe

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
	"github.com/zkpoc/zkpoc/hardware"
)

// probedFeatures are the CPU features Host reports, by the names it reports them under.
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

// Host describes this host: CPU (via github.com/klauspost/cpuid/v2), the CPUs this process
// may use (affinity and cgroup quota, ProcessCPUs), Go runtime settings and NVIDIA GPUs (from /proc/driver/nvidia/gpus/*/information, else from nvidia-smi if installed,
// with a 2 s limit). It never fails: what cannot be detected is left zero or empty.
func Host() hardware.Hardware {
	c := &cpuid.CPU
	proc := ProcessCPUs()
	h := hardware.Hardware{
		CPUBrand:        strings.TrimSpace(c.BrandName),
		CPUVendor:       c.VendorString,
		PhysicalCores:   c.PhysicalCores,
		LogicalCores:    c.LogicalCores,
		CoresReportedBy: hardware.CoresReportedBy,
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
func probeGPUs(procDir string, smi smiFunc) []hardware.GPU {
	if gpus := parseNvidiaProc(procDir); len(gpus) > 0 {
		return gpus
	}
	if smi == nil {
		return []hardware.GPU{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), nvidiaSMITimeout)
	defer cancel()
	out, err := smi(ctx)
	if err != nil {
		return []hardware.GPU{}
	}
	return parseNvidiaSMI(out)
}

// parseNvidiaProc reads every procDir/<bus>/information file of the NVIDIA driver, e.g.
//
//	Model: 		 NVIDIA H100 80GB HBM3
//	Bus Location: 	 0000:01:00.0
//
// The bus is taken from "Bus Location:" or else the directory name.
func parseNvidiaProc(procDir string) []hardware.GPU {
	gpus := []hardware.GPU{}
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
		g := hardware.GPU{Vendor: "nvidia", BusID: filepath.Base(filepath.Dir(info))}
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
func parseNvidiaSMI(out []byte) []hardware.GPU {
	gpus := []hardware.GPU{}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Split(line, ",")
		name := strings.TrimSpace(fields[0])
		if name == "" {
			continue
		}
		g := hardware.GPU{Vendor: "nvidia", Model: name}
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
