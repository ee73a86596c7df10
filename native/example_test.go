package native_test

import (
	"fmt"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/workload"
)

// ExampleSelectExecutor picks an executor for a host record (probe.Host gives
// this host's) and runs a product: every executor returns exactly
// workload.Multiply's entries.
func ExampleSelectExecutor() {
	host := hardware.Hardware{CPUBrand: "example", LogicalCores: 1, Features: []string{}, GPUs: []hardware.GPU{}}
	ex, err := native.SelectExecutor(host, native.ExecutorCPUGo)
	if err != nil {
		panic(err)
	}
	A := []int16{1 << 8, 2 << 8, 3 << 8, 4 << 8} // 1, 2, 3, 4 with f = 8
	C, err := ex.Multiply(A, A, 2, workload.DefaultFracBits)
	fmt.Println(ex.Name(), C, err)
	_, err = native.SelectExecutor(host, native.ExecutorGPUCublas)
	fmt.Println(err != nil)
	// Output:
	// cpu-go [1792 2560 3840 5632] <nil>
	// true
}
