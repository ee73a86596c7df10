//go:build !unix

package native

// processCPUSeconds is unknown on this OS.
func processCPUSeconds() float64 { return 0 }
