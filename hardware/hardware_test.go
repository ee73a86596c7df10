package hardware_test

import (
	"encoding/json"
	"testing"

	"github.com/zkpoc/zkpoc/hardware"
)

// TestJSONEncoding pins the field names and order receipts carry in their
// runtime box ("hardware"): a receipt's id is a digest of its canonical JSON,
// so a renamed or reordered field would change every receipt made since.
func TestJSONEncoding(t *testing.T) {
	h := hardware.Hardware{
		CPUBrand: "Test CPU", CPUVendor: "TestVendor", PhysicalCores: 4, LogicalCores: 8,
		CoresReportedBy: hardware.CoresReportedBy,
		Process:         &hardware.ProcessCPUs{Usable: 2, Affinity: 8, NumCPU: 8, CgroupQuota: 1.5, CgroupSource: "/sys/fs/cgroup/cpu.max"},
		L1DBytes:        49152, L2Bytes: 2097152, L3Bytes: 0,
		Features: []string{"AVX2", "FMA3"}, GOARCH: "amd64", GOMAXPROCS: 8,
		GPUs: []hardware.GPU{{Vendor: "nvidia", Model: "Test GPU", BusID: "0000:01:00.0", MemoryMiB: 81559}, {Vendor: "nvidia", Model: "Bare"}},
	}
	const want = `{"cpu_brand":"Test CPU","cpu_vendor":"TestVendor","physical_cores":4,"logical_cores":8,` +
		`"cores_reported_by":"cpuid: the CPU package, not what this process may use (see process_cpus)",` +
		`"process_cpus":{"usable":2,"affinity":8,"num_cpu":8,"cgroup_quota":1.5,"cgroup_source":"/sys/fs/cgroup/cpu.max"},` +
		`"l1d_bytes":49152,"l2_bytes":2097152,"l3_bytes":0,"features":["AVX2","FMA3"],"goarch":"amd64","gomaxprocs":8,` +
		`"gpus":[{"vendor":"nvidia","model":"Test GPU","bus_id":"0000:01:00.0","memory_mib":81559},{"vendor":"nvidia","model":"Bare"}]}`
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	// A record from before process CPUs were recorded keeps its encoding.
	old := `{"cpu_brand":"x","cpu_vendor":"","physical_cores":0,"logical_cores":1,"l1d_bytes":0,"l2_bytes":0,"l3_bytes":0,"features":[],"goarch":"arm64","gomaxprocs":1,"gpus":[]}`
	var d hardware.Hardware
	if err := json.Unmarshal([]byte(old), &d); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(d); string(b) != old {
		t.Fatalf("round trip changed an old record:\ngot  %s\nwant %s", b, old)
	}
}

func TestHasFeature(t *testing.T) {
	h := hardware.Hardware{Features: []string{"AVX2", "FMA3"}}
	if !h.HasFeature("FMA3") || h.HasFeature("AVX512F") || (hardware.Hardware{}).HasFeature("AVX2") {
		t.Fatal("HasFeature")
	}
}
