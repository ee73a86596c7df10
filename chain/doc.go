// Package chain connects zkpoc receipts to the L1 of seed 002: the
// ComputeResult a SUBMIT_RESULT transaction carries, the block header's
// compute_root (an RFC 6962 Merkle tree over canonical ComputeResult
// encodings, with inclusion proofs), the zk_compute_proof byte string a light
// client parses, and the EVM path (the Solidity verifier gnark exports for the
// circuit's verifying key, and the ABI calldata for its verifyProof function).
//
// Nothing here fetches anything from a network; every decoder bounds its input
// before it allocates and rejects trailing bytes.
package chain
