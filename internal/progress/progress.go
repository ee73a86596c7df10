// Package progress prints the elapsed-time lines of long steps (key setups,
// ceremony contributions), so that a person watching sees the work is alive.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// While runs fn, writing line(elapsed) to w every interval until fn
// returns, and reports how long fn took. Long setups and ceremony steps use
// it so that a person watching sees the work is alive.
func While(w io.Writer, interval time.Duration, line func(elapsed time.Duration) string, fn func() error) (time.Duration, error) {
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprint(w, line(time.Since(start)))
			}
		}
	}()
	err := fn()
	elapsed := time.Since(start)
	close(done)
	wg.Wait()
	return elapsed, err
}
