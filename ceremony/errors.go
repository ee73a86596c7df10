package ceremony

// The error every rejected ceremony file yields, naming its phase and index.

import (
	"errors"
	"fmt"
)

// ErrBadContribution is wrapped by every error that blames a ceremony file:
// errors.As(err, *ContributionError) names its phase and index.
var ErrBadContribution = errors.New("bad ceremony contribution")

// ContributionError names the phase and index of a rejected ceremony file.
// Index 0 of phase 2 is the coordinator's phase-2 base (phase2/000.bin).
type ContributionError struct {
	Phase, Index int
	Err          error
}

func (e *ContributionError) Error() string {
	if e.Phase == 2 && e.Index == 0 {
		return fmt.Sprintf("%v: phase 2 base (phase2/000.bin): %v", ErrBadContribution, e.Err)
	}
	return fmt.Sprintf("%v: phase %d contribution %d (phase%d/%03d.bin): %v", ErrBadContribution, e.Phase, e.Index, e.Phase, e.Index, e.Err)
}

// Unwrap makes errors.Is(err, ErrBadContribution) hold and exposes the cause.
func (e *ContributionError) Unwrap() []error { return []error{ErrBadContribution, e.Err} }

func badContrib(phase, index int, format string, args ...any) error {
	return &ContributionError{Phase: phase, Index: index, Err: fmt.Errorf(format, args...)}
}
