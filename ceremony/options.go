package ceremony

// Options of the long-running calls and the progress lines they print.

import (
	"fmt"
	"io"
	"time"

	"github.com/zkpoc/zkpoc/internal/progress"
)

// progressInterval is how often long ceremony steps print an
// elapsed-time line.
var progressInterval = 30 * time.Second

// Option configures the long-running ceremony calls.
type Option func(*config)

type config struct {
	progress   io.Writer
	circuitCCS string // keys.CCSDigest of the circuit compiled for the manifest's id, "" if not checked
}

// WithCompiledCCS tells Finalize the constraint-system digest of the
// circuit the caller compiled for the manifest's key id: a transcript for
// another constraint system is refused, and the stored keys record that
// their circuit was established by the transcript.
func WithCompiledCCS(digest string) Option {
	return func(o *config) { o.circuitCCS = digest }
}

// WithProgress sends progress lines (step names, elapsed time) to w.
func WithProgress(w io.Writer) Option {
	return func(o *config) { o.progress = w }
}

func options(opts []Option) config {
	o := config{progress: io.Discard}
	for _, f := range opts {
		f(&o)
	}
	if o.progress == nil {
		o.progress = io.Discard
	}
	return o
}

// step runs fn, printing its name, "still running" lines and its duration.
func (o config) step(name string, fn func() error) error {
	fmt.Fprintf(o.progress, "%s ...\n", name)
	elapsed, err := progress.While(o.progress, progressInterval, func(d time.Duration) string {
		return fmt.Sprintf("  ... %s: %.0f s elapsed\n", name, d.Seconds())
	}, func() error { return noPanic(fn) })
	if err == nil {
		fmt.Fprintf(o.progress, "%s: done in %.1f s\n", name, elapsed.Seconds())
	}
	return err
}

// noPanic turns a panic inside gnark into an error.
func noPanic(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return fn()
}
