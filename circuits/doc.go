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
//
// # Statement freivalds-s2 (synthetic tasks)
//
// A synthetic task's verifier regenerates A and B from the task itself, so
// the A·B side leaves the circuit. SyntheticMatMul proves, for the public
// output digest d_C, the public s and the PoE:
//
//	s ≡ Σ_ij u_i·v_j·(2^f·C'_ij + R_ij) (mod p),  u_i = r^(n·i), v_j = r^j,
//
// with C' and R range-checked as above (same layouts, without the input
// tables), d_C the output digest over C' exactly as in freivalds-v5 (same
// tag, same packing, so the PoE and a receipt's output_digest do not
// change), and the PoE over request_id ‖ d_C ‖ node_id. There is no input
// commitment, no range check on A or B and no A·B layer. s is a public
// input the VERIFIER computes natively, s = uᵀ·A·(B·v) in O(n²)
// (protocol.SyntheticCheck), from the A and B it regenerated and the r it
// derives from the proof (protocol.SyntheticChallenge); the prover never
// chooses s.
//
// Integers. R is range-checked as above: an integer in [0, 2^f) (R = 0 when
// f = 0). C' + 2^(b−1) = Σ_l C_l·2^(w·l) with every limb, the top one too,
// looked up as an integer in [0, 2^w) (gnark's range checker, n < 8: one
// limb of b bits), so C'_ij is an integer in [−2^(b−1), 2^(k·w) − 2^(b−1)),
// k·w < b + w. Unlike freivalds-v5 the top limb is not narrowed to b bits:
// the argument needs C' integral and small, not inside the product's bound
// — the identity below then forces C' to the true product, which is inside
// it. The verifier's A and B are integers in [−2^15, 2^15) by construction
// (it generated them), so (AB)_ij is an exact integer with |(AB)_ij| ≤ n·2^30.
// Let E_ij = 2^f·C'_ij + R_ij − (AB)_ij. Then
// |E_ij| ≤ 2^(f+k·w) + 2^f + n·2^30 < 2^(f+b+w) + 2^41 ≤ 2^(42+20) + 2^41 < 2^63
// for n ≤ 1024 (f + b = bitlen(n) + 31 ≤ 42, w ≤ MaxTableBits = 20), far
// below p/2 ≈ 2^253, so E_ij ≡ 0 (mod p) exactly when E_ij = 0, and E = 0
// with 0 ≤ R < 2^f is exactly C' = floor(A·B / 2^f). The output digest is
// computed in-circuit from the same limbs, so once E = 0 it is the digest of
// the true C' (its packing of b-bit values is unique on those).
//
// Challenge. The check is P(r) ≡ 0 for P(X) = Σ_ij E_ij·X^(n·i+j), a
// polynomial of degree ≤ n² − 1 whose coefficients are the E_ij mod p; by the
// bound above P is the zero polynomial iff C' is the correct product. r must
// exist only after E is fixed, i.e. after C', R and A, B. Design (b) of the
// issue is used: r is the circuit's one BSB22 commitment (gnark's
// multicommit, the same single Pedersen commitment that already feeds the
// lookup argument), r = hash_to_field("bsb22-commitment", Marshal(π.D)) where
// π.D = Σ w_k·G_k is the commitment point over the committed private wires:
// the limbs of C', R, the lookup counts (or gnark's range-check limbs), and
// request_id. Groth16 with BSB22 commitments is knowledge-sound with the
// commitment binding the committed wires (Pedersen, discrete log), so C' and
// R are fixed when π.D is; request_id is committed and bound to the public
// PoE by SHA-256, and request_id = SHA-256 of the task fixes the seed the
// verifier regenerates A and B from — so A and B are fixed before r too (a
// prover cannot pick r first and then search for a task that suits it). No
// public wire is committed (there are none in the commitment's list, and s
// in particular must not be: it depends on r), so the verifier recomputes r
// from π.D alone, exactly as gnark's groth16 verifier does
// (backend/groth16/bn254/verify.go); the Freivalds callback is registered
// first with multicommit, so it receives the root commitment itself and not
// one of its powers (TestSyntheticGroth16 pins both). gnark adds a random
// mask wire to every BSB22 commitment (hiding); the prover may pick it, which
// is one more way to re-draw r, counted in the tries below. Because s is a
// public input that depends on r, the honest prover fixes the mask, solves up
// to the commitment to learn r (SyntheticChallengeGroth16), computes s like
// the verifier, and then proves with the same mask.
//
// Error. For a fixed commitment with P ≠ 0, hash_to_field is modelled as a
// random oracle, and Pr[P(r) = 0] ≤ (n² − 1)/p ≤ 2^20/2^253 = 2^−233 at
// n = 1024 (Schwartz–Zippel); the lookup argument adds (2^w + queries)/p.
// Each new commitment is one oracle query, so a prover with 2^t tries wins
// with probability ≤ 2^t·(n² + 2^21 + 4n²)/p < 2^(t−229), e.g. 2^−149 for
// t = 80.
//
// Design (a), r = Poseidon2(domain, request, d_C, d_R) with d_R a digest of
// R, is sound by the same argument (d_C and d_R bind C' and R by collision
// resistance) and works for PLONK too, but costs an R digest: n²/⌊253/f⌋
// absorbed elements, about 1.2 constraints per output element at f = 8 and
// 2.6 at f = 16 (a freivalds-v5 digest costs ≈ 38 per absorbed element at
// rate 15). (b) costs nothing beyond the commitment freivalds-v5 already
// has, so it is the one built; its price is that the verifier must parse the
// Groth16 proof's commitment, which ties freivalds-s2 to gnark's BSB22
// encoding (pinned by the test above).
//
// Constraint system. freivalds-s2 is the statement's second constraint
// system (freivalds-s1 was the first; its keys and proofs are refused by
// name). It writes some R1Cs for Groth16's B side and nothing else changes:
// every R1C is an equation L·R = O over the same wires, and swapping which
// factor is L and which is R, or computing x⁵ as x³·x² instead of x⁴·x,
// changes neither the set of satisfying assignments nor any argument above
// — only which wires the proving key's B columns (one G1 and one G2 point
// each) cover. The lookup quotients q = m/(α − t) and 1/(α − q) are
// api.DivUnchecked's relation q·(α − x) = m, emitted as raw R1Cs with the
// fresh q in L (r1c.go); the digest's Poseidon2 is the same permutation as
// gnark-crypto's (poseidon2.go, TestPermutationMatchesNative); the sponge no
// longer pins its lanes to fresh wires after each block, which only removed
// equalities of a wire to a linear expression it replaced. The compiled
// R1CS, which the test engine does not run, is replayed against every
// attack on the statement (lean_test.go).
package circuits
