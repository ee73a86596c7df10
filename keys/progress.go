package keys

import (
	"io"
	"time"

	"github.com/zkpoc/zkpoc/internal/progress"
)

// whileTicking is progress.While, under the name the ceremony calls it by.
func whileTicking(w io.Writer, interval time.Duration, line func(elapsed time.Duration) string, fn func() error) (time.Duration, error) {
	return progress.While(w, interval, line, fn)
}
