package keys

import (
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	"github.com/zkpoc/zkpoc/internal/progress"
)

// whileTicking runs fn, writing line(elapsed) to w every interval until fn
// returns, and reports how long fn took (progress.While).
func whileTicking(w io.Writer, interval time.Duration, line func(elapsed time.Duration) string, fn func() error) (time.Duration, error) {
	return progress.While(w, interval, line, fn)
}

// stillSettingUp is the progress line of a key setup.
func stillSettingUp(id ID) func(time.Duration) string {
	return func(d time.Duration) string {
		return fmt.Sprintf("  ... still setting up %s: %.0f s elapsed\n", id, d.Seconds())
	}
}

// fingerprintOf is SHA-256 of a verifying key's WriteTo bytes.
func fingerprintOf(vk io.WriterTo, what string) ([32]byte, error) {
	var out [32]byte
	h := sha256.New()
	if _, err := vk.WriteTo(h); err != nil {
		return out, fmt.Errorf("fingerprint: serialize %s: %w", what, err)
	}
	h.Sum(out[:0])
	return out, nil
}
