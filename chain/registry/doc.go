// Package registry is the ComputeRegistry contract (ComputeRegistry.sol,
// compiled with solc 0.8.30 into ComputeRegistry.abi and ComputeRegistry.bin,
// checked in with its abigen v2 bindings, bindings.go) and the Go side that
// posts tasks to it, submits receipts' proofs as SUBMIT_RESULT, and rebuilds
// a block's compute_root from its events exactly as chain.ComputeRoot does.
//
// TestArtifacts recompiles the source and regenerates the bindings and fails
// on any difference; `go test ./chain/registry -run TestArtifacts -update`
// rewrites them (the bindings are what `abigen --v2 --abi
// ComputeRegistry.abi --bin ComputeRegistry.bin --pkg registry --type
// ComputeRegistry` writes).
package registry
