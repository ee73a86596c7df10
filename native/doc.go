// Package native runs the fixed-point matrix product of a zkpoc task on this
// host: the executors a receipt names ("cpu-go", "cpu-avx2", "cpu-avx512",
// "gpu-cublas"), the rules that pick one, the float64 FMA GEMM with its amd64
// assembly micro-kernels, and cuBLAS on NVIDIA GPUs, loaded at run time with
// purego (no cgo).
//
// Every executor returns exactly the entries of the reference product
// workload.Multiply (C'[i][j] = floor(Σ_k A[i][k]·B[k][j] / 2^f)); they differ
// only in speed and in the hardware they need. The float64 paths are exact for
// every int16 input up to MaxFloat64ExactSize (see there for the argument).
// Which executors a host has is decided from its hardware.Hardware record, as
// package github.com/zkpoc/zkpoc/hardware/probe fills it in.
//
// Task definitions, matrix generation and the reference semantics live in the
// pure package github.com/zkpoc/zkpoc/workload, which this package imports
// and which never imports it.
package native
