// Package workload defines zkpoc compute tasks and their meaning: tasks, seed
// derivation, matrix generation, the fixed-point semantics with the reference
// product (Multiply, MultiplyRow, ResultBytes, OutputBound) and matrix files
// (protocol v1, see DESIGN.md "Task and challenge").
//
// The package is pure: it runs no commands, probes no hardware and loads no
// libraries, so receipts and verifiers can import it alone. The executors that
// compute the product fast on this host (SIMD kernels, cuBLAS) are package
// github.com/zkpoc/zkpoc/native; the host probe is package
// github.com/zkpoc/zkpoc/hardware/probe and the record it fills in is package
// github.com/zkpoc/zkpoc/hardware.
//
// Protocol summary:
//
//   - seed = SHA-256(block_hash (32 raw bytes) ‖ worker_address (UTF-8)).
//   - Matrix stream block i (i = 0, 1, …) is SHA-256(seed ‖ "zkpoc/matrix/v1" ‖ uint64_be(i)).
//     The concatenated stream is read as little-endian int16 values; the first n·n values are
//     A (row-major), the next n·n are B (row-major).
//   - Fixed point: entries are int16 with f fractional bits. The accumulator is exact (int64)
//     and C'[i][j] = floor(Σ_k A[i][k]·B[k][j] / 2^f), i.e. an arithmetic shift right; no wrap,
//     no saturation. Canonical result bytes are n·n little-endian int64, row-major.
//   - A ComputeTask's request_id is SHA-256 of its RFC 8785 (JCS) canonical JSON. A task binds its
//     input matrices when its payload carries input_commitment (with input_commitment_algorithm,
//     which names the curve): always for supplied matrices, and for synthetic tasks made by
//     protocol.NewSyntheticTask; a v1 synthetic task without it binds them through the seed alone.
//   - Rewards are integer wei carried as decimal strings; ParseCPC converts decimal CPC
//     amounts (18 decimals) exactly.
package workload
