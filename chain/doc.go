// Package chain connects zkpoc receipts to the L1 of seed 002: the
// ComputeResult a SUBMIT_RESULT transaction carries, the block header's
// compute_root (an RFC 6962 Merkle tree over canonical ComputeResult
// encodings, with inclusion proofs), the zk_compute_proof byte string a light
// client parses, and the EVM path (the Solidity verifier gnark exports for the
// circuit's verifying key, and the ABI calldata for its verifyProof function).
//
// A proof's public inputs are the prover's choice, so every chain-side check
// compares them with the task the chain issued and the node that answers it
// (Binding): the input commitment must be the task's payload.input_commitment
// and the PoE SHA-256(request_id ‖ output_digest ‖ node_id). A task whose
// payload carries no input commitment (a v1 synthetic task) is refused with
// ErrUnboundTask; its receipts verify offline only.
//
// Nor does a proof name a worker address: a ComputeResult's worker_address
// is the node.worker_address the receipt's node signed (FromReceipt), or, for
// a receipt that signs none, the address a synthetic task's seed was derived
// for at a given block hash (FromReceiptForBlock); anything else is refused
// with ErrWorkerAddress. A light client checks it against what its Binding
// knows (Binding.CheckWorker).
//
// Nothing here fetches anything from a network; every decoder bounds its input
// before it allocates and rejects trailing bytes.
package chain
