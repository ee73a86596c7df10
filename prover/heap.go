package prover

import (
	"math"
	"runtime/debug"
	"sync"
)

// Proving holds its keys, constraint system and solver state in the Go heap,
// and with the runtime's default pacing (GOGC = 100, no memory limit) the
// heap grows to about twice what is live before a collection: at n = 512
// (freivalds-s2, 2.66M constraints) the peak was 5.5 GB with 3.3 GB live.
// A soft memory limit at the cost estimate makes the collector run as the
// heap approaches it instead: the same proof peaked at 3.3 GB, with no
// measurable slowdown (README, "Performance"). BoundHeap sets that limit for
// the length of one proving run: Run does so at its cost estimate, and
// zkpoc bench for each row it measures, so that the peaks it reports are
// the ones a prove sees.
//
// The limit is the runtime's, so it is process-wide: concurrent runs add
// their limits to one another, and the limit goes back to its previous value
// when the last run returns. A process whose limit was set by someone else
// (GOMEMLIMIT, or debug.SetMemoryLimit by the caller) keeps it: BoundHeap
// then does nothing. A limit is soft: a run that needs more than its
// estimate still completes, with the collector running more often (the
// runtime caps its share of CPU time), never with an out-of-memory error of
// its own.
var heapBound struct {
	sync.Mutex
	runs  int   // proving runs holding a bound
	total int64 // the sum of their limits
	prev  int64 // the limit before the first of them
}

// BoundHeap raises the runtime's memory limit by limit bytes (the first run
// sets it) and returns the function that gives them back; limit ≤ 0 does
// nothing.
func BoundHeap(limit int64) (restore func()) {
	if limit <= 0 {
		return func() {}
	}
	b := &heapBound
	b.Lock()
	defer b.Unlock()
	if b.runs == 0 {
		if prev := debug.SetMemoryLimit(-1); prev != math.MaxInt64 {
			return func() {} // someone else's limit
		}
		b.prev = math.MaxInt64
	}
	b.runs++
	b.total += limit
	debug.SetMemoryLimit(b.total)
	return func() {
		b.Lock()
		defer b.Unlock()
		b.runs--
		b.total -= limit
		if b.runs == 0 {
			debug.SetMemoryLimit(b.prev)
			return
		}
		debug.SetMemoryLimit(b.total)
	}
}
