// Package sampling chooses the output rows a sampled receipt opens and
// computes what a verifier may conclude from them. It holds no proving code:
// the prover and the verifier both derive the rows here.
//
// # Soundness argument
//
// Setting. A node returns an n×n output C' and commits to its rows in an
// RFC 6962 SHA-256 Merkle tree; the PoE binds the root to the request and
// the node, and the node signs the receipt. k distinct rows are opened with
// their audit paths and re-executed by the verifier. Assume (i) SHA-256 is
// collision resistant, so a row cannot be opened to two values under one
// root, and (ii) SHA-256 behaves as a random oracle for the derivations
// below. Call an output bad when at least w = ⌈ε·n⌉ of its rows are wrong.
//
// Per attempt. If the k rows are a uniform k-subset drawn independently of
// the committed rows, a bad output passes with probability
//
//	δ = C(n−w, k) / C(n, k) = Π_{i=0}^{k−1} (n−w−i)/(n−i)
//
// (the exact bound for sampling without replacement; Log2Miss, and δ = 0
// when k > n − w). The receipt records δ; the verifier recomputes it from
// (n, k, ε) and states its own value.
//
// Why the old method fails. Method "fiat-shamir-sha256/v1" drew the rows
// from SHA-256(root ‖ request_id ‖ node_id ‖ k): every input is fixed or
// chosen by the node. A node that corrupts 5% of the rows changes one wrong
// entry, recomputes one Merkle path and re-derives the sample, about 1/δ
// times: at n = 4096 with its k = 271, δ = 2^−20.8, so about 2^21 tries, a
// few seconds. Its claim "at most 9.19e-07" was per attempt, and attempts
// were free. The verifier now refuses that method.
//
// What is fixed before the randomness. In both v2 methods the rows depend
// on a seed the node cannot choose once the root, request, node and n are
// fixed; k is not hashed, and the sample for k is the first k distinct rows
// of one stream (Indices), so choosing k after seeing the seed only adds
// rows: the samples are nested, and the k that passes most easily is the
// smallest k the policy accepts.
//
// Method "challenge-sha256/v2" (interactive, or a public beacon). The node
// commits its root first; afterwards a challenger (the verifier, the network
// coordinator, or a public beacon published later) supplies at least 128
// unpredictable bits; the seed is ChallengeSeed(challenge). The verifier
// must itself know the challenge and the root committed before it (it
// pins the root: with the challenge known, a node that could re-commit would
// grind roots exactly as before). Then the node has one attempt and a bad
// output passes with probability at most δ over the challenge. A verifier
// that only reads a challenge out of the receipt cannot know it was issued
// after the commitment, so the verdict is hold, not pass. The challenger
// answers one challenge per commitment and treats a missing answer as a
// failure; otherwise a node could ask again until a sample misses.
//
// Method "fiat-shamir-pow-sha256/v2" (non-interactive). The seed is
// h = SHA-256(c ‖ nonce) with c = SHA-256(domain ‖ root ‖ request_id ‖
// node_id ‖ n ‖ g), and h must have at least g leading zero bits. Each
// evaluation of h is a fresh random value; it is usable with probability
// 2^−g, and a usable one passes a bad output with probability δ. Whether
// the node re-rolls the root or only the nonce, an attacker allowed 2^t
// evaluations of SHA-256 succeeds with probability at most
//
//	min(1, 2^t · 2^−g · δ) = min(1, 2^(t−g) · δ)
//
// by the union bound (Log2Bound; the root computations it also needs are
// not counted, which only favours the attacker). t is the verifier's
// policy parameter (attacker_work_log2, 64 in the built-in policies) and is
// stated in the claim. The choice of (g, k) does not help either: the
// policy accepts only receipts whose stated bound is ≤ β, so the attacker's
// total success is at most Σ_{g,k} q_{g,k} · 2^−g · δ(k) ≤ β · Σ q_{g,k} / 2^t
// ≤ β for q_{g,k} queries at each parameter choice, Σ q ≤ 2^t.
//
// Numbers (ε = 5%, default t = 64, g = 22, target 2^(t−g)·δ ≤ 2^−20, so
// δ ≤ 2^−62; RowsFor):
//
//	n = 4096: w = 205, k = 756, δ = 2^−62.08 = 2.1e-19, bound 2^−20.08
//	n = 2048: w = 103, k = 682, δ = 2^−62.11
//	n = 1024: w =  52, k = 562, δ = 2^−62.11
//	n =  512: w =  26, k = 404, δ = 2^−62.17, bound 2^−20.17
//	n =  256: w =  13, k = 241, δ = 2^−64.30
//	n ≤  128: the required k exceeds n − w, so every row is opened.
//
// With a verifier's challenge (δ ≤ 2^−20, one attempt) k = 262 at n = 4096,
// 207 at 512, 108 at 128.
//
// An honest prover evaluates 2^22 ≈ 4.2M hashes on average (geometric:
// 1% of runs need more than 4.6 × that). To reach success probability 2^−20
// against these receipts an attacker needs 2^64 SHA-256 evaluations; to
// reach 1/2, about 2^83. Against the old method at n = 4096, 2^21 tries
// succeeded with probability about 0.7.
//
// Every row. When k ≥ n every row is re-executed and the claim states no
// error bound: the output is the product, whatever the randomness.
package sampling
