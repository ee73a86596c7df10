package bench

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/hardware/probe"
	"github.com/zkpoc/zkpoc/keys"
)

// Machine describes where a report was measured.
type Machine struct {
	Hardware           hardware.Hardware `json:"hardware"`
	MemTotalBytes      int64             `json:"mem_total_bytes"`
	GoVersion          string            `json:"go_version"`
	GnarkVersion       string            `json:"gnark_version"`
	GnarkCryptoVersion string            `json:"gnark_crypto_version"`
	LoadAvgStart       string            `json:"loadavg_start,omitempty"`
	LoadAvgEnd         string            `json:"loadavg_end,omitempty"`
	PeakMethod         string            `json:"peak_method"`
}

// probeMachine describes this host at the start of a run.
func probeMachine() Machine {
	m := Machine{
		Hardware:           probe.Host(),
		MemTotalBytes:      memTotal(),
		GoVersion:          runtime.Version(),
		GnarkVersion:       keys.GnarkVersion(),
		GnarkCryptoVersion: moduleVersion("github.com/consensys/gnark-crypto", "v0.21.0"),
		LoadAvgStart:       loadAvg(),
		PeakMethod:         "VmHWM (/proc/self/status), reset per row via /proc/self/clear_refs",
	}
	if _, ok := readStatusBytes("VmHWM:"); !ok || !resetPeak() {
		m.PeakMethod = "Go runtime HeapSys (no /proc peak RSS on this host)"
	}
	return m
}

func moduleVersion(path, fallback string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				if d.Version != "" && d.Version != "(devel)" {
					return d.Version
				}
			}
		}
	}
	return fallback
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func memTotal() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	return 0
}
