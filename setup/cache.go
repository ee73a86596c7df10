package setup

import (
	"fmt"
	"io"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/srs"
)

// Option chooses how LoadOrSetup sets keys up.
type Option func(*options)

type options struct {
	srs  func(constraint.ConstraintSystem) (*srs.SRS, error)
	want string
}

// WithSRS sets PLONK keys up over the SRS load returns (called, after
// compiling, only when no entry is cached) instead of a dev SRS. When
// provenance is not empty, a cached entry of another provenance is an
// error naming both, so an explicit SRS is never silently replaced by keys
// made from another one.
func WithSRS(load func(constraint.ConstraintSystem) (*srs.SRS, error), provenance string) Option {
	return func(o *options) { o.srs, o.want = load, provenance }
}

// LoadOrSetup returns the cached key set for id (cached = true), or else
// compiles the circuit, runs Run and stores the result (keys.Cache
// LoadOrStore: compile is not called when the entry exists with its
// constraint system, and concurrent callers run the setup once). A PLONK
// id is set up over an unsafe dev SRS unless WithSRS chooses one.
func LoadOrSetup(c keys.Cache, id keys.ID, compile func() (constraint.ConstraintSystem, error), progress io.Writer, opts ...Option) (*keys.Set, bool, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.srs != nil && id.System != protocol.Plonk {
		return nil, false, fmt.Errorf("load or set up PLONK keys: key id %s names system %q", id, id.System)
	}
	set, cached, err := c.LoadOrStore(id, compile, func(ccs constraint.ConstraintSystem) (*keys.Set, error) {
		var s *srs.SRS
		if o.srs != nil {
			var err error
			if s, err = o.srs(ccs); err != nil {
				return nil, err
			}
		}
		return Run(id, ccs, s, progress)
	})
	if err != nil {
		return nil, false, err
	}
	if cached && o.want != "" && set.Meta.Provenance != o.want {
		return nil, false, fmt.Errorf("keys %s are cached from %s, not from the SRS given (%s): remove %s to set them up again",
			id, set.Meta.Provenance, o.want, c.EntryDir(id))
	}
	return set, cached, nil
}

// Prove proves the full witness with the key set (either system), with
// proofsystem.ProverOptions, so that the proof verifies under the set's
// verifying key and on an EVM.
func Prove(set *keys.Set, full witness.Witness) (proofsystem.Proof, error) {
	if set == nil || set.CCS == nil || set.PK == nil {
		return nil, fmt.Errorf("prove: incomplete key set")
	}
	system := set.Meta.ID.System
	var p any
	var err error
	pk := set.PK
	switch system {
	case protocol.Plonk:
		if pk, ok := pk.(plonk.ProvingKey); ok {
			p, err = plonk.Prove(set.CCS, pk, full, proofsystem.ProverOptions(system)...)
		}
	default:
		if pk, ok := pk.(groth16.ProvingKey); ok {
			p, err = groth16.Prove(set.CCS, pk, full, proofsystem.ProverOptions(system)...)
		}
	}
	if p == nil && err == nil {
		return nil, fmt.Errorf("prove: a %T is not a %s proving key", pk, system)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", system, err)
	}
	return proofsystem.NewProof(p)
}
