// Package zkpoc turns "this node ran this compute job" into something a
// stranger can check offline: a signed compute receipt for a fixed-point
// matrix-product challenge C' = floor(A·B / 2^f), whose evidence is a
// zero-knowledge proof (Groth16 or PLONK, with gnark), a sampled
// re-execution of the rows, or a signed binding of the output, and whose
// verdict states exactly which claim is safe to repeat.
//
// This package is the small door to the toolkit: build a task, prove it,
// verify the receipt. The packages below it (protocol, prover, verifier,
// receipt, keys, …) are there for callers who need more control.
//
// # Tasks
//
// A task is seed 002's ComputeTask. [NewSyntheticTask] derives its
// matrices from a block hash and the worker's address; [NewSuppliedTask]
// binds matrices the caller has (their Poseidon2 input commitment goes into
// the task, so its request id covers them).
//
// # Proving
//
// [Prove] runs the product on the native fast path, then proves it,
// samples it or only binds it, as [WithMode] and the cost budget decide,
// and returns the receipt signed by the node's Ed25519 key. SNARK modes
// need proving keys: they are set up once per circuit shape and kept in a
// key cache ([WithKeyDir], default [DefaultKeyDir]); a binding or sampled
// receipt needs no setup.
//
// # Verifying
//
// [Verify] checks a receipt offline and returns a [Verdict]: pass, reject
// (naming the checks that failed) or hold (the evidence that could be
// checked is sound, but something the policy needs is missing, such as the
// proof's verifying key). A pass means exactly what its allowed claim says,
// against a malicious node. [ReadVerifyingKey] reads a key given out of
// band; [DecodeEnvelope] reads a receipt.
package zkpoc
