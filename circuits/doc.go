// Package circuits holds the gnark statements zkpoc proves: a fixed-point
// matrix product C' = floor(A·B / 2^f) (checked with Freivalds' algorithm and
// in-circuit randomness, or naively as a benchmark reference), bound to a
// Poseidon2 input commitment, a Poseidon2 output digest and the
// proof-of-execution PoE = SHA-256(request_id ‖ output_digest ‖ node_id).
//
// # Soundness
//
// p is the scalar field's modulus (BN254: 254 bits, BLS12-381: 255 bits).
// Every witness wire is a field element; the argument below shows, family by
// family, that a satisfying witness is the field image of integers in their
// ranges and that the field identities the circuit checks are the integer
// identities of the statement. Tests: TestLayoutsRejectNonIntegers (every
// layout New can choose, non-integer witnesses), TestMaliciousAssignments,
// TestLookupGadgetRejectsNonIntegers, TestSHA256MaliciousDecompositions,
// TestPoEEncodingsCanonical.
//
// Range checks. Two gadgets, chosen by layout: gnark's std/rangecheck for
// n < 128 (it decomposes v into limbs, looks each limb up in a table of full
// width and the top limb both as is and shifted, so that a fractional top
// limb cannot pass), and for n ≥ 128 zkpoc's lookupTables, where every value
// checked as w bits is looked up unshifted in its own table {0, …, 2^w − 1}
// (see lookupTables for the log-derivative argument). Either way a checked
// wire equals an integer in [0, 2^w). Version 4 looked narrow values up as
// v·2^s in one wider table, which admits every u·2^−s: half-integer int16
// inputs passed a 17-bit table (chosen at n = 512, f = 8) and a wrong
// product got a valid proof. Version 5 (freivalds-v5, naive-v5) is the fix.
//
//   - Inputs: A + 2^15 and B + 2^15 are checked as 16 bits, so each entry of
//     A and B is ≡ a unique integer in [−2^15, 2^15).
//   - Remainders: R is checked as f bits (asserted 0 when f = 0): an integer
//     in [0, 2^f).
//   - Outputs: C' + 2^(b−1) = Σ_l C_l·2^(w·l) with every limb C_l an integer
//     in [0, 2^w) (the top one in [0, 2^(b − w·(k−1)))), so the sum is an
//     integer below 2^b < p and C' ≡ a unique integer in [−2^(b−1), 2^(b−1)),
//     b = protocol.OutputBits(n, f) = bitlen(n) + 31 − f, which bounds every true
//     product entry (workload.OutputBound).
//
// Product. For integers a, b, c, r as above let
// D_ij = Σ_k a_ik·b_kj − 2^f·c_ij − r_ij. Then |D_ij| ≤ n·2^30 + 2^(f+b−1) + 2^f
// < 2^(bitlen(n)+32) ≤ 2^43 for n ≤ 1024, far below p/2, so D_ij ≡ 0 (mod p)
// exactly when D_ij = 0, and D_ij = 0 with 0 ≤ r_ij < 2^f is exactly
// c_ij = floor(Σ_k a_ik·b_kj / 2^f). Naive asserts every D_ij ≡ 0. Freivalds
// asserts Σ_j D_ij·r^j ≡ 0 for every row i, with r taken from the circuit's
// one commitment (gnark's multicommit: a Pedersen/BSB22 commitment to the
// wires of A, B, C, R and the lookup counts, hashed to a challenge), so every
// D_ij is fixed before r exists. If some row of D is non-zero, its polynomial
// of degree ≤ n − 1 vanishes at r with probability ≤ (n − 1)/p < 2^−243; a
// prover that re-commits 2^t times (each try a new witness and a new proof
// attempt) wins with probability ≤ 2^t·(n − 1)/p, e.g. 2^−163 for t = 80.
// The lookup challenge α comes from the same commitment, with
// (2^w + queries)/p per try.
//
// Digests. The input commitment absorbs the range-checked A + 2^15, then
// B + 2^15, packed protocol.PerElement(16) = 15 per field element: the packed value is
// the integer Σ x_i·2^(16·i) < 2^240 < p, so distinct inputs give distinct
// absorbed elements, and Poseidon2's collision resistance binds A and B. The
// output digest absorbs C' + 2^(b−1) packed PerElement(b) per element
// (b·PerElement(b) ≤ PackBits = 253 < log2 p) likewise. A domain tag, the
// first absorbed element, separates input from output and fixes n, f and b.
//
// PoE. request_id and node_id enter as 128-bit halves, each decomposed into
// exactly 128 boolean wires, so a half ≥ 2^128 is refused and the bytes are
// unique. The output digest is decomposed into 254 (255) boolean wires with
// gnark's check against the modulus, so x + p is refused and its 32 bytes
// are those of the canonical value. SHA-256 runs over boolean wires (see
// sha256.go for its own argument) and its 256 output bits are recombined into
// two 128-bit values compared with the public PoE halves.
package circuits
