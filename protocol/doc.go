// Package protocol holds the definitions a zkpoc prover and verifier must
// agree on, with no proving code: the curves, proof systems, circuit
// methods and receipt modes by name; the digest-algorithm ids; the native
// Poseidon2 input commitment and output digest; node_id and the PoE; the
// public-input layout of the statement (PublicInputs, in exactly the
// circuit's public order); and how a task's inputs are obtained and bound
// to it (Inputs, BindInputs, TaskCurve).
//
// It imports gnark-crypto and the standard library (and the task and
// matrix semantics of package workload), never gnark's frontend, backend or
// constraint packages: a verifier builds on it without compiling a
// circuit. The in-circuit halves of the digests and the PoE are in package
// circuits, whose tests check that both halves and the public-input order
// agree.
package protocol
