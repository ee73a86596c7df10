// Package setup makes zkpoc's key sets, the proving side of package
// proofsystem: a single-party Groth16 setup (zkpoc's faster fork of gnark's
// BN254 setup, internal/groth16setup), a PLONK setup over a KZG SRS
// (package srs: a dev SRS or an imported, checked one), the setup-once
// path through the key cache (LoadOrSetup), proving with a key set
// (Prove), and the re-derivation of a PLONK verifying key from an SRS and
// a compiled circuit (RederivePLONK, which package keytrust uses to
// establish an imported key).
//
// A verifier does not import this package: it pulls in gnark's unsafe dev
// SRS (test/unsafekzg) through package srs.
package setup

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	csbls "github.com/consensys/gnark/constraint/bls12-381"
	csbn254 "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkpoc/zkpoc/internal/groth16setup"
	"github.com/zkpoc/zkpoc/internal/progress"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/srs"
)

// SecondsPerConstraint is the measured single-party Groth16 setup cost per
// constraint on the reference machine, used for the estimate Run prints.
const SecondsPerConstraint = 30e-6 // 2-core Xeon, idle: 25 µs at n = 16 and 64 (bench calibrate), 33 µs at n = 512 (166.5 s for 5,040,094)

// progressInterval is how often Run prints an elapsed-time line.
var progressInterval = 5 * time.Second

// Estimate returns the expected single-party Groth16 setup time for a
// circuit of the given number of constraints on the reference machine.
func Estimate(constraints int) time.Duration {
	return time.Duration(float64(constraints) * SecondsPerConstraint * float64(time.Second))
}

// Run sets up keys for ccs, the circuit id names: a (single-party,
// development) Groth16 setup, or a PLONK setup over s (a dev SRS drawn here
// when s is nil; s must be nil for Groth16). Progress lines go to progress
// (nil means none): what is set up (for Groth16 with the constraint count
// and estimate) before, the elapsed time every ~5 s while running, the
// measured time after. A PLONK key set's provenance is its SRS's.
func Run(id keys.ID, ccs constraint.ConstraintSystem, s *srs.SRS, progressW io.Writer) (*keys.Set, error) {
	plonkKeys := id.System == protocol.Plonk
	name, prefix := "Groth16", "setup"
	if plonkKeys {
		name, prefix = "PLONK", "plonk setup"
	}
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	if err := checkCCS(id, ccs, s); err != nil {
		return nil, fmt.Errorf("%s %s: %w", prefix, id, err)
	}
	if progressW == nil {
		progressW = io.Discard
	}
	nc := ccs.GetNbConstraints()
	if !plonkKeys {
		fmt.Fprintf(progressW, "setting up Groth16 keys for %s: %s constraints, estimated %s (dev single-party setup)\n",
			id, groupThousands(nc), formatEstimate(Estimate(nc)))
	}
	start := time.Now()
	var k made
	elapsed, err := progress.While(progressW, progressInterval, stillSettingUp(id), func() (err error) {
		if plonkKeys {
			k, err = setupPLONK(id, ccs, s, progressW)
		} else {
			k.pk, k.vk, err = groth16setup.Setup(ccs)
			k.provenance = keys.ProvenanceDevSingleParty
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s setup %s: %w", strings.ToLower(name), id, err)
	}
	fmt.Fprintf(progressW, "%s setup for %s done in %.1f s\n", name, id, elapsed.Seconds())
	vk, err := proofsystem.NewVerifyingKey(k.vk)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", prefix, id, err)
	}
	set, err := keys.NewSet(keys.Meta{
		ID:           id,
		Fingerprint:  vk.FingerprintHex(),
		Provenance:   k.provenance,
		Constraints:  nc,
		SetupSeconds: elapsed.Seconds(),
		CreatedAt:    start.UTC().Format(time.RFC3339),
		GnarkVersion: keys.GnarkVersion(),
		Origin:       &keys.Origin{Source: keys.OriginSetup, Circuit: keys.EstablishedGenerated, Setup: keys.EstablishedGenerated, SRSSHA256: k.srsDigest, At: keys.Now()},
	}, k.pk, vk, ccs)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", prefix, id, err)
	}
	set.PlonkSRS = k.srs
	return set, nil
}

// made is what a setup made: the gnark keys, their provenance and, for
// PLONK, the SRS they were set up over (encoded) and its digest.
type made struct {
	pk         keys.ProvingKey
	vk         io.WriterTo
	provenance string
	srs        []byte
	srsDigest  string
}

// checkCCS checks ccs is a constraint system the setup of id takes.
func checkCCS(id keys.ID, ccs constraint.ConstraintSystem, s *srs.SRS) error {
	if ccs == nil {
		return fmt.Errorf("nil constraint system")
	}
	// gnark's R1CS and SparseR1CS are one Go type per curve (aliases of
	// its system), so the kind is read from the system's Type field: a
	// type switch alone lets an R1CS through to the PLONK setup, which
	// panics on its Groth16 commitments.
	var kind constraint.SystemType
	switch c := ccs.(type) {
	case *csbn254.SparseR1CS:
		kind = c.Type
	case *csbls.SparseR1CS:
		kind = c.Type
	default:
		return fmt.Errorf("constraint system is %T, not a BN254 or BLS12-381 constraint system", ccs)
	}
	if id.System == protocol.Plonk {
		if kind != constraint.SystemSparseR1CS {
			return fmt.Errorf("constraint system is not a sparse R1CS, which PLONK keys need (compile with scs.NewBuilder)")
		}
	} else {
		if kind != constraint.SystemR1CS {
			return fmt.Errorf("constraint system is not an R1CS, which %s keys need (compile with r1cs.NewBuilder)", id.System)
		}
		if s != nil {
			return fmt.Errorf("an SRS sets up PLONK keys, not %s keys", id.System)
		}
	}
	curve, _ := id.CurveID()
	if ccs.Field().Cmp(curve.ScalarField()) != 0 {
		return fmt.Errorf("constraint system is not over the %s scalar field", id.Curve)
	}
	return nil
}

// setupPLONK is Run's PLONK step: plonk.Setup over s (a dev SRS when nil).
func setupPLONK(id keys.ID, ccs constraint.ConstraintSystem, s *srs.SRS, progressW io.Writer) (made, error) {
	var k made
	if s == nil {
		fmt.Fprintf(progressW, "drawing an unsafe dev KZG SRS for %s (domain %d)\n", id, srs.DomainSize(ccs))
		var err error
		if s, err = srs.Dev(ccs); err != nil {
			return k, err
		}
	}
	canonical, lagrange, err := s.Pair(ccs)
	if err != nil {
		return k, err
	}
	fmt.Fprintf(progressW, "setting up PLONK keys for %s: %s constraints, domain %d, SRS %s\n", id, groupThousands(ccs.GetNbConstraints()), srs.DomainSize(ccs), s.Provenance)
	pk, vk, err := plonk.Setup(ccs, canonical, lagrange)
	if err != nil {
		return k, err
	}
	var b bytes.Buffer
	if _, err := canonical.WriteTo(&b); err != nil {
		return k, fmt.Errorf("encode the SRS: %w", err)
	}
	return made{pk: pk, vk: vk, provenance: s.Provenance, srs: b.Bytes(), srsDigest: s.Digest(b.Bytes())}, nil
}

// stillSettingUp is the progress line of a key setup.
func stillSettingUp(id keys.ID) func(time.Duration) string {
	return func(d time.Duration) string {
		return fmt.Sprintf("  ... still setting up %s: %.0f s elapsed\n", id, d.Seconds())
	}
}

func formatEstimate(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s < 1:
		return "<1 s"
	case s < 120:
		return fmt.Sprintf("~%.0f s", s)
	default:
		return fmt.Sprintf("~%.1f min", s/60)
	}
}

// groupThousands formats n with comma separators: 251203 -> "251,203".
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b bytes.Buffer
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
