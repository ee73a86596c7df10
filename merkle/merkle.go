// Package merkle is the RFC 6962 Merkle tree zkpoc uses twice: for a
// block's compute_root over ComputeResult encodings, and for the output rows a
// sampled receipt commits to. Leaves and interior nodes are domain-separated
// (0x00 / 0x01) so a leaf never passes for a node.
package merkle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
)

// compute_root is the RFC 6962 (§2.1) Merkle Tree Hash over the leaf data
// D[0:n], where each leaf's data is the canonical (RFC 8785) JSON encoding of
// one ComputeResult, in block order:
//
//	MTH({})       = no root: compute_root is "" (seed 002), not SHA-256("")
//	MTH({d0})     = SHA-256(0x00 ‖ d0)                      (leaf hash)
//	MTH(D[0:n])   = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) (node hash)
//
// with k the largest power of two strictly less than n. The 0x00/0x01 prefixes
// separate leaves from interior nodes, so the 64-byte concatenation of two
// child hashes offered as leaf data hashes to a different value than the node
// (no second preimage). Odd levels are not padded or duplicated: the right
// subtree is simply smaller (a Bitcoin-style duplicate-last-node tree would
// give the same root for [a, b, c] and [a, b, c, c]).
//
// Seed 002 appends sha256(data) as the leaf and leaves compute_merkle_root
// unspecified; zkpoc's leaf hash is SHA-256(0x00 ‖ data) instead, so a leaf is
// never mistaken for a node. The root is carried as 64 lowercase hex digits.

// Domain-separation prefixes of RFC 6962 §2.1.
const (
	LeafPrefix byte = 0x00
	NodePrefix byte = 0x01
)

// MaxProofHashes bounds an inclusion proof: a tree of at most 2^64 leaves has
// audit paths of at most 64 hashes. Longer proofs are rejected before use.
const MaxProofHashes = 64

// Errors VerifyInclusion and ParseInclusionProof wrap.
var (
	ErrInclusion    = errors.New("inclusion proof does not verify")
	ErrBadProofData = errors.New("malformed inclusion proof")
)

// LeafHash is SHA-256(0x00 ‖ data).
func LeafHash(data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{LeafPrefix})
	h.Write(data)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// NodeHash is SHA-256(0x01 ‖ left ‖ right).
func NodeHash(left, right [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = NodePrefix
	copy(buf[1:33], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// split returns the largest power of two strictly less than n (n ≥ 2).
func split(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}

// rootOf is MTH over leaf hashes (len ≥ 1).
func rootOf(h [][32]byte) [32]byte {
	if len(h) == 1 {
		return h[0]
	}
	k := split(len(h))
	return NodeHash(rootOf(h[:k]), rootOf(h[k:]))
}

// leafHashes hashes the leaves on all cores when there is enough data to
// share (sampled receipts hash n rows of 8n bytes: 128 MiB at n = 4096).
func leafHashes(leaves [][]byte) [][32]byte {
	h := make([][32]byte, len(leaves))
	size := 0
	for _, d := range leaves {
		size += len(d)
	}
	workers := min(runtime.GOMAXPROCS(0), len(leaves))
	if size < 1<<20 || workers < 2 {
		for i, d := range leaves {
			h[i] = LeafHash(d)
		}
		return h
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(leaves); i += workers {
				h[i] = LeafHash(leaves[i])
			}
		})
	}
	wg.Wait()
	return h
}

// RootHash returns the Merkle Tree Hash of leaves (their data, not their
// hashes) and false for an empty list.
func RootHash(leaves [][]byte) ([32]byte, bool) {
	if len(leaves) == 0 {
		return [32]byte{}, false
	}
	return rootOf(leafHashes(leaves)), true
}

// Root returns compute_root for leaves (the canonical ComputeResult
// encodings, in block order) as lowercase hex, or "" for an empty list.
func Root(leaves [][]byte) string {
	r, ok := RootHash(leaves)
	if !ok {
		return ""
	}
	return hex.EncodeToString(r[:])
}

// InclusionProof returns the RFC 6962 §2.1.1 audit path PATH(i, D[0:n]) for
// leaf i: the sibling hashes from the leaf up to the root.
func InclusionProof(leaves [][]byte, i int) ([][32]byte, error) {
	if i < 0 || i >= len(leaves) {
		return nil, fmt.Errorf("inclusion proof: index %d out of range for %d leaves", i, len(leaves))
	}
	return path(leafHashes(leaves), i), nil
}

// InclusionProofs returns the audit paths of several leaves, hashing the
// leaves once (InclusionProof per index would hash all of them each time).
func InclusionProofs(leaves [][]byte, idx []int) ([][][32]byte, error) {
	for _, i := range idx {
		if i < 0 || i >= len(leaves) {
			return nil, fmt.Errorf("inclusion proof: index %d out of range for %d leaves", i, len(leaves))
		}
	}
	h := leafHashes(leaves)
	memo := subtrees{}
	out := make([][][32]byte, len(idx))
	for j, i := range idx {
		out[j] = memo.path(h, 0, i)
	}
	return out, nil
}

// subtrees memoises the roots of the subtrees InclusionProofs's paths
// share, keyed by their first leaf and size: at most 2n of them, so k
// paths cost O(n + k log n) hashes instead of O(k·n).
type subtrees map[[2]int][32]byte

func (t subtrees) root(h [][32]byte, start int) [32]byte {
	if len(h) == 1 {
		return h[0]
	}
	key := [2]int{start, len(h)}
	if r, ok := t[key]; ok {
		return r
	}
	k := split(len(h))
	r := NodeHash(t.root(h[:k], start), t.root(h[k:], start+k))
	t[key] = r
	return r
}

// path is the audit path of leaf m of h, whose first leaf is leaf start of
// the tree (RFC 9162 §2.1.3.1: the sibling subtree roots, leaf first).
func (t subtrees) path(h [][32]byte, start, m int) [][32]byte {
	if len(h) <= 1 {
		return nil
	}
	k := split(len(h))
	if m < k {
		return append(t.path(h[:k], start, m), t.root(h[k:], start+k))
	}
	return append(t.path(h[k:], start+k, m-k), t.root(h[:k], start))
}

func path(h [][32]byte, m int) [][32]byte { return subtrees{}.path(h, 0, m) }

// VerifyInclusion checks that leafData is leaf i of the n-leaf tree whose
// compute_root is root (64 hex digits), using the audit path proof. It is the
// verification algorithm of RFC 9162 §2.1.3.2: it rejects a wrong index, a
// proof of the wrong length and any altered hash. As in RFC 9162 the root
// does not commit to n on its own (leaf i's path can be the same in trees of
// n and n+1 leaves): take n from the block (its number of SUBMIT_RESULT
// transactions), never from whoever supplies the proof.
func VerifyInclusion(root string, leafData []byte, i, n int, proof [][32]byte) error {
	want, err := decodeRoot(root)
	if err != nil {
		return err
	}
	got, err := RootFromInclusion(LeafHash(leafData), i, n, proof)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: leaf %d of %d: computed root %x, want %s", ErrInclusion, i, n, got, root)
	}
	return nil
}

// RootFromInclusion recomputes the root from a leaf hash, its index i in an
// n-leaf tree and its audit path (RFC 9162 §2.1.3.2 steps 1–6).
func RootFromInclusion(leaf [32]byte, i, n int, proof [][32]byte) ([32]byte, error) {
	if n <= 0 || i < 0 || i >= n {
		return [32]byte{}, fmt.Errorf("%w: index %d out of range for tree size %d", ErrInclusion, i, n)
	}
	if len(proof) > MaxProofHashes {
		return [32]byte{}, fmt.Errorf("%w: %d hashes, more than %d", ErrInclusion, len(proof), MaxProofHashes)
	}
	fn, sn := uint64(i), uint64(n-1)
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return [32]byte{}, fmt.Errorf("%w: audit path too long for leaf %d of %d", ErrInclusion, i, n)
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return [32]byte{}, fmt.Errorf("%w: audit path too short for leaf %d of %d", ErrInclusion, i, n)
	}
	return r, nil
}

func decodeRoot(root string) ([32]byte, error) {
	var out [32]byte
	if len(root) != 64 {
		return out, fmt.Errorf("%w: root must be 64 hex digits, have %d characters", ErrInclusion, len(root))
	}
	b, err := hex.DecodeString(root)
	if err != nil {
		return out, fmt.Errorf("%w: root is not hex: %v", ErrInclusion, err)
	}
	copy(out[:], b)
	return out, nil
}

// MarshalInclusionProof encodes an audit path as the concatenation of its
// 32-byte hashes, leaf side first.
func MarshalInclusionProof(proof [][32]byte) []byte {
	var b bytes.Buffer
	for _, h := range proof {
		b.Write(h[:])
	}
	return b.Bytes()
}

// ParseInclusionProof decodes MarshalInclusionProof's encoding: a multiple of
// 32 bytes, at most MaxProofHashes hashes.
func ParseInclusionProof(b []byte) ([][32]byte, error) {
	if len(b)%32 != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a multiple of 32", ErrBadProofData, len(b))
	}
	if len(b)/32 > MaxProofHashes {
		return nil, fmt.Errorf("%w: %d hashes, more than %d", ErrBadProofData, len(b)/32, MaxProofHashes)
	}
	out := make([][32]byte, len(b)/32)
	for i := range out {
		copy(out[i][:], b[32*i:])
	}
	return out, nil
}
