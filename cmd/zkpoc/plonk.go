package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/consensys/gnark/constraint"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/srs"
	"github.com/zkpoc/zkpoc/verifier"
)

// PLONK helpers for the CLI: `prove --system plonk`, `keys setup --system
// plonk [--srs FILE --srs-name NAME]`, `keys export-vk` and `verify --key`
// for PLONK keys.

// checkSystem validates a --system flag value.
func checkSystem(system string) error {
	if _, err := protocol.ParseSystem(system); err == nil {
		return nil
	}
	return usagef("--system: unknown proof system %q (want groth16 or plonk)", system)
}

// receiptCurve is the curve of the receipt's proof (verifier.ProofCurve;
// BN254 when the statement does not decode).
func receiptCurve(env *receipt.Envelope) protocol.Curve {
	if st, _, err := env.Statement(); err == nil {
		return verifier.ProofCurve(&st.Predicate)
	}
	return protocol.BN254
}

// parseCurve validates a --curve flag value.
func parseCurve(name string) (protocol.Curve, error) {
	curve, err := protocol.ParseCurve(name)
	if err != nil {
		return "", usagef("--curve: %v", err)
	}
	return curve, nil
}

// setupKeys is `keys setup` for either system. srsPath and srsName choose an
// imported SRS for PLONK (both or neither); without them PLONK uses an unsafe
// dev SRS.
func setupKeys(cache keys.Cache, systemName string, curve protocol.Curve, m protocol.Method, n, f int, srsPath, srsName string, progress io.Writer) (*keys.Set, bool, error) {
	if err := checkSystem(systemName); err != nil {
		return nil, false, err
	}
	system := protocol.System(systemName)
	if (srsPath == "") != (srsName == "") {
		return nil, false, usagef("--srs and --srs-name go together")
	}
	if srsPath != "" && system != protocol.Plonk {
		return nil, false, usagef("--srs needs --system plonk (Groth16 keys come from their own setup)")
	}
	if srsPath != "" && curve != protocol.BN254 {
		return nil, false, usagef("--srs imports a BN254 SRS; on %s only the dev SRS is supported", curve)
	}
	id := keys.IDFor(curve, system, m, n, f)
	compile := prover.CompileFor(system, curve, m, n, f)
	if srsPath == "" {
		return setup.LoadOrSetup(cache, id, compile, progress)
	}
	want, err := srs.Provenance(srsPath, srsName)
	if err != nil {
		return nil, false, usageError{err}
	}
	return setup.LoadOrSetup(cache, id, compile, progress, setup.WithSRS(func(ccs constraint.ConstraintSystem) (*srs.SRS, error) {
		fmt.Fprintf(progress, "importing SRS %s (%s) and checking it is a power sequence…\n", srsPath, srsName)
		s, err := srs.Import(srsPath, srsName, 0)
		if err != nil {
			return nil, usageError{err}
		}
		return s, nil
	}, want))
}

// exportVK writes the cached verifying key with fingerprint fp (either system).
func exportVK(cache keys.Cache, fp, out string) error {
	vk, _, err := cache.FindByFingerprint(fp)
	if errors.Is(err, keys.ErrNotFound) {
		return usageError{err} // a fingerprint the cache lacks is the caller's input
	}
	if err != nil {
		return err
	}
	return proofsystem.WriteVerifyingKeyFile(out, vk)
}

// setKeySource makes o verify env's proof under the key file path when it
// is given (a key bundle checked against tf, or a bare verifying key:
// readKeyFile), else under the key the local cache holds for the receipt's
// fingerprint.
func setKeySource(o *verifier.Options, path string, env *receipt.Envelope, tf trustFlags, progress io.Writer) error {
	if path != "" {
		return readKeyFile(o, path, env, tf, progress)
	}
	if tf.given() {
		return usagef("--srs, --ceremony and --beacon check a key bundle given with --key; keys in the cache were checked when they were imported")
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	o.Cache = cache
	return nil
}

// setVerifyKey reads --key as the kind of key the receipt's proof needs.
func setVerifyKey(o *verifier.Options, path string, env *receipt.Envelope) error {
	system := protocol.Groth16
	if st, _, err := env.Statement(); err == nil && st.Predicate.Proof != nil && st.Predicate.Proof.System == protocol.Plonk {
		system = protocol.Plonk
	}
	vk, err := proofsystem.ReadVerifyingKeyFile(path, system, receiptCurve(env))
	if err != nil {
		return usageError{err}
	}
	o.VK = vk
	return nil
}
