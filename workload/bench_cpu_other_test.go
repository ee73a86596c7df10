//go:build !unix

package workload

// processCPUSeconds is unknown on this OS.
func processCPUSeconds() float64 { return 0 }
