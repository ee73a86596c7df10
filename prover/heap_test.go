package prover

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestBoundHeap: a run sets the runtime's memory limit to its bound,
// concurrent runs add theirs, and the limit is back to none when the last
// returns; a limit someone else set is left alone.
func TestBoundHeap(t *testing.T) {
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Skipf("the test process has a memory limit (%d): GOMEMLIMIT set?", got)
	}
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	done1 := BoundHeap(3 << 30)
	if got := limit(); got != 3<<30 {
		t.Fatalf("one run: limit %d, want %d", got, int64(3<<30))
	}
	done2 := BoundHeap(1 << 30)
	if got := limit(); got != 4<<30 {
		t.Fatalf("two runs: limit %d, want %d", got, int64(4<<30))
	}
	done1()
	if got := limit(); got != 1<<30 {
		t.Fatalf("after the first returns: limit %d, want %d", got, int64(1<<30))
	}
	done2()
	if got := limit(); got != math.MaxInt64 {
		t.Fatalf("after both return: limit %d, want none", got)
	}
	BoundHeap(0)() // no estimate: nothing to bound
	if got := limit(); got != math.MaxInt64 {
		t.Fatalf("a zero bound set the limit to %d", got)
	}

	debug.SetMemoryLimit(5 << 30) // the caller's own
	defer debug.SetMemoryLimit(math.MaxInt64)
	done := BoundHeap(1 << 30)
	if got := limit(); got != 5<<30 {
		t.Fatalf("the caller's limit was changed to %d", got)
	}
	done()
	if got := limit(); got != 5<<30 {
		t.Fatalf("the caller's limit was changed to %d on return", got)
	}
}
