package workload

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
)

// MatrixDomain is the domain-separation string of the matrix stream.
const MatrixDomain = "zkpoc/matrix/v1"

// valuesPerBlock is the number of int16 values in one 32-byte stream block.
const valuesPerBlock = sha256.Size / 2

// blockHasher computes stream blocks for one seed, reusing its input buffer.
type blockHasher struct {
	buf [32 + len(MatrixDomain) + 8]byte
}

func newBlockHasher(seed [32]byte) *blockHasher {
	h := &blockHasher{}
	copy(h.buf[:32], seed[:])
	copy(h.buf[32:], MatrixDomain)
	return h
}

// block returns SHA-256(seed ‖ "zkpoc/matrix/v1" ‖ uint64_be(i)).
func (h *blockHasher) block(i uint64) [32]byte {
	binary.BigEndian.PutUint64(h.buf[32+len(MatrixDomain):], i)
	return sha256.Sum256(h.buf[:])
}

// fillStream writes stream values [start, start+len(dst)) into dst.
func (h *blockHasher) fillStream(dst []int16, start int) {
	pos := 0
	for pos < len(dst) {
		v := start + pos
		blk := h.block(uint64(v / valuesPerBlock))
		for off := v % valuesPerBlock; off < valuesPerBlock && pos < len(dst); off++ {
			dst[pos] = int16(binary.LittleEndian.Uint16(blk[2*off:]))
			pos++
		}
	}
}

func checkSize(n int) error {
	if n < 1 || n > MaxMatrixSize {
		return fmt.Errorf("matrix size %d is out of range [1, %d]", n, MaxMatrixSize)
	}
	return nil
}

func checkFracBits(f int) error {
	if f < 0 || f > MaxFracBits {
		return fmt.Errorf("frac bits %d is out of range [0, %d]", f, MaxFracBits)
	}
	return nil
}

// Generate derives the n×n row-major int16 matrices A and B from a seed: stream block i is
// SHA-256(seed ‖ "zkpoc/matrix/v1" ‖ uint64_be(i)), the stream is read as little-endian
// int16 values, the first n·n values are A and the next n·n are B. Blocks are hashed in
// parallel on all cores for large n.
func Generate(seed [32]byte, n int) (A, B []int16, err error) {
	if err := checkSize(n); err != nil {
		return nil, nil, fmt.Errorf("workload: generate: %w", err)
	}
	nn := n * n
	all := make([]int16, 2*nn)
	parallelFill(seed, all, 0)
	return all[:nn:nn], all[nn:], nil
}

// GenerateRows returns only the requested rows of A (row r is stream values [r·n, r·n+n)),
// in the order requested (duplicates allowed), plus all of B. Only the stream blocks those
// values need are hashed; it is meant for sampled re-execution.
func GenerateRows(seed [32]byte, n int, rows []int) (Arows [][]int16, B []int16, err error) {
	if err := checkSize(n); err != nil {
		return nil, nil, fmt.Errorf("workload: generate rows: %w", err)
	}
	for _, r := range rows {
		if r < 0 || r >= n {
			return nil, nil, fmt.Errorf("workload: generate rows: row %d is out of range [0, %d)", r, n)
		}
	}
	h := newBlockHasher(seed)
	Arows = make([][]int16, len(rows))
	for i, r := range rows {
		row := make([]int16, n)
		h.fillStream(row, r*n)
		Arows[i] = row
	}
	nn := n * n
	B = make([]int16, nn)
	parallelFill(seed, B, nn)
	return Arows, B, nil
}

// parallelFill writes stream values [start, start+len(dst)) into dst, splitting the work
// on block boundaries (no block is hashed by two workers) over GOMAXPROCS goroutines.
func parallelFill(seed [32]byte, dst []int16, start int) {
	workers := runtime.GOMAXPROCS(0)
	if len(dst) < 1<<14 || workers < 2 {
		newBlockHasher(seed).fillStream(dst, start)
		return
	}
	end := start + len(dst)
	firstBlock := start / valuesPerBlock
	nblocks := (end+valuesPerBlock-1)/valuesPerBlock - firstBlock
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		b0 := firstBlock + nblocks*w/workers
		b1 := firstBlock + nblocks*(w+1)/workers
		lo := max(b0*valuesPerBlock, start)
		hi := min(b1*valuesPerBlock, end)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			newBlockHasher(seed).fillStream(dst[lo-start:hi-start], lo)
		}()
	}
	wg.Wait()
}
