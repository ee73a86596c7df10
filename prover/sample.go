package prover

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"

	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// SamplingParams choose how many output rows a sampled receipt opens.
type SamplingParams struct {
	Epsilon float64 // the wrong-row fraction the bound is stated for
	K       int     // rows to open; 0 derives it from Epsilon and BoundLog2
	// BoundLog2 is the target log2 of (1 − ε)^k, e.g. −20.
	BoundLog2 float64
}

// DefaultSampling opens enough rows that an output with ≥ 5% of its rows
// wrong passes with probability ≤ 2^−20: k = 271.
var DefaultSampling = SamplingParams{Epsilon: 0.05, BoundLog2: -20}

// SamplesFor is the smallest k with (1 − ε)^k ≤ 2^bound.
func SamplesFor(epsilon, boundLog2 float64) int {
	return int(math.Ceil(boundLog2 * math.Ln2 / math.Log1p(-epsilon)))
}

// ErrorBound is (1 − ε)^k: the probability that an output with at least a
// fraction ε of wrong rows has none of them among k distinct sampled rows
// (sampling without replacement only lowers it).
func ErrorBound(epsilon float64, k int) float64 { return math.Pow(1-epsilon, float64(k)) }

// RowLeaves encodes each output row as a Merkle leaf: its n entries as
// little-endian int64, the canonical result bytes of that row.
func RowLeaves(c []int64, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = workload.ResultBytes(c[i*n : (i+1)*n])
	}
	return out
}

// SampleIndices derives k distinct row indices in [0, n) from the Merkle root
// of the output rows, the request and the node (Fiat–Shamir): the prover
// fixes the rows before it can know which will be opened, and cannot choose
// them. Block j of the stream is SHA-256("zkpoc/sample/v1" ‖ root ‖
// request_id ‖ node_id ‖ uint32_be(k) ‖ uint64_be(j)), read as big-endian
// uint64 words; a word w is used as w mod n unless w falls in the final
// incomplete range (rejection, so every row is equally likely); repeats are
// skipped. The result is sorted. With k ≥ n every row is returned.
func SampleIndices(root, requestID, nodeID [32]byte, n, k int) []int {
	if n <= 0 || k <= 0 {
		return nil
	}
	if k >= n {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	var prefix []byte
	prefix = append(prefix, "zkpoc/sample/v1"...)
	prefix = append(prefix, root[:]...)
	prefix = append(prefix, requestID[:]...)
	prefix = append(prefix, nodeID[:]...)
	prefix = binary.BigEndian.AppendUint32(prefix, uint32(k))
	limit := math.MaxUint64 - math.MaxUint64%uint64(n) // accept w < limit
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for j := uint64(0); len(out) < k; j++ {
		block := sha256.Sum256(binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), j))
		for w := 0; w < 4 && len(out) < k; w++ {
			v := binary.BigEndian.Uint64(block[8*w:])
			if v >= limit {
				continue
			}
			if i := int(v % uint64(n)); !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

// outputTree commits to the output rows and binds the root with the PoE.
func (rn *run) outputTree() ([][]byte, [32]byte, error) {
	leaves := RowLeaves(rn.c, rn.n)
	root, _ := merkle.RootHash(leaves)
	reqID, err := rn.task.RequestID()
	if err != nil {
		return nil, root, err
	}
	nodeID, err := receipt.DecodeHex32("node.node_id", rn.r.Node.NodeID)
	if err != nil {
		return nil, root, err
	}
	poe := receipt.PoE(reqID, root, nodeID)
	rn.r.OutputDigest = hex.EncodeToString(root[:])
	rn.r.OutputDigestAlg = receipt.DigestMerkleRows
	rn.r.PoE = hex.EncodeToString(poe[:])
	return leaves, root, nil
}

// bind records only the binding: PoE over the Merkle root of the rows.
func (rn *run) bind() error {
	if _, _, err := rn.outputTree(); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	return nil
}

// sample commits to the rows and opens the Fiat–Shamir-chosen ones.
func (rn *run) sample() error {
	leaves, root, err := rn.outputTree()
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	p := rn.o.Sampling
	if p.Epsilon == 0 {
		p = DefaultSampling
	}
	if !(p.Epsilon > 0 && p.Epsilon < 1) {
		return fmt.Errorf("sample: epsilon %v must be in (0, 1)", p.Epsilon)
	}
	k := p.K
	if k == 0 {
		k = SamplesFor(p.Epsilon, p.BoundLog2)
	}
	if k < 1 {
		return fmt.Errorf("sample: k = %d must be positive", k)
	}
	reqID, _ := receipt.DecodeHex32("request_id", rn.r.RequestID)
	nodeID, _ := receipt.DecodeHex32("node.node_id", rn.r.Node.NodeID)
	idx := SampleIndices(root, reqID, nodeID, rn.n, k)
	paths := make([][]string, len(idx))
	for i, row := range idx {
		path, err := merkle.InclusionProof(leaves, row)
		if err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		paths[i] = make([]string, len(path))
		for j, h := range path {
			paths[i][j] = hex.EncodeToString(h[:])
		}
	}
	rn.r.Sampling = &receipt.Sampling{
		Method:     receipt.SamplingMethodFS,
		Rows:       rn.n,
		K:          len(idx),
		Epsilon:    p.Epsilon,
		ErrorBound: ErrorBound(p.Epsilon, len(idx)),
		Indices:    idx,
		Paths:      paths,
	}
	rn.o.logf("sampled %d of %d rows (error bound %.3g at ε = %g)", len(idx), rn.n, rn.r.Sampling.ErrorBound, p.Epsilon)
	return nil
}
