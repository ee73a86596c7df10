package merkle

import (
	"crypto/sha256"
	"math/rand/v2"
	"slices"
	"testing"
)

// Red team of the batch audit paths (memoised subtree roots) and the
// parallel leaf hashes. The reference here is written from RFC 6962 §2.1
// alone (crypto/sha256, no function of this package), because
// InclusionProof itself now runs on the memoised path.

func rfcMTH(d [][]byte) [32]byte {
	if len(d) == 1 {
		return sha256.Sum256(append([]byte{0}, d[0]...))
	}
	k := 1
	for k*2 < len(d) {
		k *= 2
	}
	l, r := rfcMTH(d[:k]), rfcMTH(d[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func rfcPath(m int, d [][]byte) [][32]byte {
	if len(d) <= 1 {
		return nil
	}
	k := 1
	for k*2 < len(d) {
		k *= 2
	}
	if m < k {
		return append(rfcPath(m, d[:k]), rfcMTH(d[k:]))
	}
	return append(rfcPath(m-k, d[k:]), rfcMTH(d[:k]))
}

// TestRedteamBatchPathsMatchRFC: for every tree size 1..70 (odd levels, the
// last leaf alone on its level, one leaf), index lists that are sorted,
// reversed, repeated, random with duplicates, and the batch paths equal the
// RFC's PATH for every entry, equal InclusionProof, and verify.
func TestRedteamBatchPathsMatchRFC(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for n := 1; n <= 70; n++ {
		leaves := leavesN(n)
		root := rfcMTH(leaves)
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		rev := slices.Clone(all)
		slices.Reverse(rev)
		dup := make([]int, 0, 3*n)
		for range 3 * n {
			dup = append(dup, rng.IntN(n))
		}
		lists := map[string][]int{"sorted": all, "reversed": rev, "random-dup": dup,
			"last-only": {n - 1}, "last-twice": {n - 1, 0, n - 1}, "empty": {}}
		for name, idx := range lists {
			batch, err := InclusionProofs(leaves, idx)
			if err != nil {
				t.Fatalf("n=%d %s: %v", n, name, err)
			}
			if len(batch) != len(idx) {
				t.Fatalf("n=%d %s: %d paths for %d indices", n, name, len(batch), len(idx))
			}
			for j, i := range idx {
				want := rfcPath(i, leaves)
				if !slices.Equal(batch[j], want) {
					t.Fatalf("n=%d %s: batch path of leaf %d differs from RFC 6962 PATH", n, name, i)
				}
				one, err := InclusionProof(leaves, i)
				if err != nil || !slices.Equal(one, want) {
					t.Fatalf("n=%d: InclusionProof(%d) differs from RFC 6962 PATH (%v)", n, i, err)
				}
				got, err := RootFromInclusion(LeafHash(leaves[i]), i, n, batch[j])
				if err != nil || got != root {
					t.Fatalf("n=%d %s: batch path of leaf %d does not verify (%v)", n, name, i, err)
				}
			}
		}
	}
}

// TestRedteamBatchPathsRejectWrongLeafOrIndex: a batch path never verifies
// another leaf's data at its index, nor its leaf at another index (of the
// same tree, or a tree one larger or smaller), nor with one hash flipped,
// dropped or added.
func TestRedteamBatchPathsRejectWrongLeafOrIndex(t *testing.T) {
	for n := 1; n <= 33; n++ {
		leaves := leavesN(n)
		root := rfcMTH(leaves)
		idx := make([]int, n)
		for i := range idx {
			idx[i] = (i * 7) % n
		}
		batch, err := InclusionProofs(leaves, idx)
		if err != nil {
			t.Fatal(err)
		}
		for j, i := range idx {
			p := batch[j]
			for other := range n {
				if other == i {
					continue
				}
				if got, err := RootFromInclusion(LeafHash(leaves[other]), i, n, p); err == nil && got == root {
					t.Fatalf("n=%d: leaf %d's data verifies at index %d", n, other, i)
				}
				if got, err := RootFromInclusion(LeafHash(leaves[i]), other, n, p); err == nil && got == root {
					t.Fatalf("n=%d: leaf %d's path verifies at index %d", n, i, other)
				}
			}
			for _, size := range []int{n - 1, n + 1} {
				if size > i {
					if got, err := RootFromInclusion(LeafHash(leaves[i]), i, size, p); err == nil && got == root && len(rfcPath(i, leaves)) != len(p) {
						t.Fatalf("n=%d: path of leaf %d verifies in a tree of %d", n, i, size)
					}
				}
			}
			for h := range p {
				bad := slices.Clone(p)
				bad[h][h%32] ^= 1
				if got, err := RootFromInclusion(LeafHash(leaves[i]), i, n, bad); err == nil && got == root {
					t.Fatalf("n=%d leaf %d: hash %d flipped verifies", n, i, h)
				}
			}
			if len(p) > 0 {
				if got, err := RootFromInclusion(LeafHash(leaves[i]), i, n, p[:len(p)-1]); err == nil && got == root {
					t.Fatalf("n=%d leaf %d: shortened path verifies", n, i)
				}
			}
			if got, err := RootFromInclusion(LeafHash(leaves[i]), i, n, append(slices.Clone(p), root)); err == nil && got == root {
				t.Fatalf("n=%d leaf %d: lengthened path verifies", n, i)
			}
		}
	}
}

// TestRedteamParallelLeafHashes: above the 1 MiB threshold (all cores) the
// leaf hashes, the root and the batch paths are the RFC's, for leaf counts
// that do not divide among the workers, including one huge leaf and empty
// leaves among large ones.
func TestRedteamParallelLeafHashes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for _, shape := range []struct {
		name  string
		sizes []int
	}{
		{"one leaf over 1 MiB", []int{1<<20 + 1}},
		{"three leaves", []int{1 << 19, 1 << 19, 1}},
		{"odd count with empties", []int{0, 300 << 10, 0, 300 << 10, 300 << 10, 300 << 10, 0}},
	} {
		leaves := make([][]byte, len(shape.sizes))
		for i, s := range shape.sizes {
			leaves[i] = make([]byte, s)
			for j := range leaves[i] {
				leaves[i][j] = byte(rng.Uint32())
			}
		}
		h := leafHashes(leaves)
		for i := range leaves {
			if h[i] != sha256.Sum256(append([]byte{0}, leaves[i]...)) {
				t.Fatalf("%s: leaf hash %d wrong", shape.name, i)
			}
		}
		want := rfcMTH(leaves)
		if got, ok := RootHash(leaves); !ok || got != want {
			t.Fatalf("%s: root differs from RFC 6962 MTH", shape.name)
		}
		idx := []int{len(leaves) - 1, 0, len(leaves) - 1}
		batch, err := InclusionProofs(leaves, idx)
		if err != nil {
			t.Fatal(err)
		}
		for j, i := range idx {
			if !slices.Equal(batch[j], rfcPath(i, leaves)) {
				t.Fatalf("%s: path of leaf %d differs", shape.name, i)
			}
		}
	}
}
