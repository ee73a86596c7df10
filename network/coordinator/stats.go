package coordinator

import (
	"sync/atomic"
	"time"
)

// Stats are the coordinator's cumulative costs since New, in wall time
// spent in its handlers, for load figures; nothing is decided by them.
type Stats struct {
	Intakes    int64         // intake requests answered
	IntakeTime time.Duration // in the intake handler (lock waits included)
	Results    int64         // result messages processed
	ResultTime time.Duration // in processResult (lock waits, verification and state writes included)
	VerifyTime time.Duration // in the receipt checks and verifier.Verify, within ResultTime
	LockWait   time.Duration // the results loop waiting for the coordinator's mutex, within ResultTime
	Blocks     int64         // blocks appended
	BlockTime  time.Duration // in appendBlock
	// Housekeeping is the time in the 200 ms liveness, timeout and expiry pass.
	Housekeeping time.Duration
}

// stats are the counters behind Stats.
type stats struct {
	intakes, intakeNs, results, resultNs, verifyNs, lockWaitNs, blocks, blockNs, houseNs atomic.Int64
}

// since adds the time since start to ns (and one to count, when not nil).
func since(count, ns *atomic.Int64, start time.Time) {
	ns.Add(int64(time.Since(start)))
	if count != nil {
		count.Add(1)
	}
}

// Stats returns the costs so far.
func (c *Coordinator) Stats() Stats {
	s := &c.st
	return Stats{Intakes: s.intakes.Load(), IntakeTime: time.Duration(s.intakeNs.Load()),
		Results: s.results.Load(), ResultTime: time.Duration(s.resultNs.Load()),
		VerifyTime: time.Duration(s.verifyNs.Load()), LockWait: time.Duration(s.lockWaitNs.Load()),
		Blocks: s.blocks.Load(), BlockTime: time.Duration(s.blockNs.Load()), Housekeeping: time.Duration(s.houseNs.Load())}
}
