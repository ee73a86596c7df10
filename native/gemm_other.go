//go:build !amd64 || purego

package native

// simdExecutors returns no executors: the vector kernels are amd64 assembly.
func simdExecutors() []Executor { return nil }
