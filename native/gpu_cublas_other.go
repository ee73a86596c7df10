//go:build !(linux && (amd64 || arm64))

package native

import (
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/hardware"
)

var errNoCublasLoader = errors.New("gpu-cublas is only built for linux/amd64 and linux/arm64")

func newCublasExecutor(hardware.Hardware) (Executor, error) { return nil, errNoCublasLoader }

func loadCublas(cudart, cublas []string) (struct{}, error) {
	return struct{}{}, fmt.Errorf("native: load CUDA runtime %v: %w", cudart, errNoCublasLoader)
}

func cudaLibrariesPresent() bool { return false }

func cublasCheckSize(n int) error {
	if !float64Exact(n) {
		return fmt.Errorf("n=%d is outside the float64 exactness bound [1, %d]", n, MaxFloat64ExactSize)
	}
	return nil
}
