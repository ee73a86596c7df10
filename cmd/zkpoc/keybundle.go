package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/ceremony"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/keytrust"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/srs"
	"github.com/zkpoc/zkpoc/verifier"
)

// Key bundles on the CLI: keys export / keys import, and a bundle given to
// verify --key (checked in memory, as an import would).

// trustFlags are what a key bundle is checked against: a PLONK key's SRS,
// a ceremony key's transcript and final beacon.
type trustFlags struct{ srs, ceremony, beacon string }

func (t *trustFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.srs, "srs", "", "PLONK: the SRS file to re-derive the bundle's key from (the one keys export --srs-out wrote, or the file its provenance names)")
	fs.StringVar(&t.ceremony, "ceremony", "", "Groth16 ceremony keys: the ceremony directory whose transcript is verified against the compiled circuit (with --beacon)")
	fs.StringVar(&t.beacon, "beacon", "", "the ceremony's final beacon, hex (with --ceremony)")
}

func (t trustFlags) given() bool { return t.srs != "" || t.ceremony != "" || t.beacon != "" }

func (t trustFlags) options(progress io.Writer) (keytrust.Options, error) {
	o := keytrust.Options{SRS: t.srs, CeremonyDir: t.ceremony, Progress: progress}
	if (t.ceremony == "") != (t.beacon == "") {
		return o, usagef("--ceremony and --beacon go together: a transcript is verified with its final beacon")
	}
	if t.beacon != "" {
		b, err := parseBeacon(t.beacon, true)
		if err != nil {
			return o, err
		}
		o.Beacon = b
	}
	return o, nil
}

// establishErr maps keytrust errors to exit codes: a bundle that does not
// check out is rejected (1), a malformed one or bad flags are input errors (2).
func establishErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keytrust.ErrMismatch), errors.Is(err, ceremony.ErrBadContribution):
		return refusal{exitReject, err}
	case errors.Is(err, keytrust.ErrBundle), errors.Is(err, keytrust.ErrNotApplicable), errors.Is(err, srs.ErrInvalid):
		return usageError{err}
	}
	return err
}

func runKeysExport(env *cliEnv, args []string) error {
	fs := newFlags(env, "keys export", "keys export [--out FILE] [--srs-out FILE] KEYID|FINGERPRINT", `
Writes a key bundle for a cached key: one JSON file with the verifying key, its
circuit (name, n, f, curve, system), the constraint-system digest, the setup
provenance, and the ceremony transcript record (ceremony keys) or the SRS
digest (PLONK). Hand it to verifiers: zkpoc keys import BUNDLE. KEYID is a
cache entry such as freivalds-v5_n4_f8_bn254_groth16 (zkpoc keys list);
FINGERPRINT is the key fingerprint a receipt names (sha256:… or hex).
For a PLONK key --srs-out also writes the SRS it was set up over, with which
the verifier re-derives the key (zkpoc keys import --srs FILE).`)
	out := fs.String("out", "", "write the bundle to this file (default, or -: stdout)")
	srsOut := fs.String("srs-out", "", "PLONK: also write the SRS the key was set up over to this file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("keys export takes one KEYID or FINGERPRINT, have %d arguments", len(pos))
	}
	if err := checkOutput("--out", *out); err != nil {
		return err
	}
	if *srsOut == stdinName {
		return usagef("--srs-out -: an SRS is binary; name a file")
	}
	if err := checkOutput("--srs-out", *srsOut); err != nil {
		return err
	}
	ref := pos[0]
	if fp, err := fingerprintArg("KEYID|FINGERPRINT", ref); err == nil {
		ref = fp // a fingerprint, as sha256:…, 0x… or hex
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	b, srsFile, err := keytrust.Export(cache, ref, nil)
	if errors.Is(err, keys.ErrNotFound) {
		return withHint(usageError{err}, "zkpoc keys list shows the cached keys and their fingerprints")
	}
	if err != nil {
		return err
	}
	data, err := b.Encode()
	if err != nil {
		return err
	}
	if *srsOut != "" {
		if srsFile == "" {
			return withHint(usagef("key %s keeps no SRS to export (%s)", b.Fingerprint, b.Provenance),
				"set the keys up again (zkpoc keys setup --system plonk) to keep their SRS, or give verifiers the SRS file its provenance names")
		}
		raw, err := atomicfile.ReadLimited(srsFile, srs.MaxBytes)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(*srsOut, raw, 0o644); err != nil {
			return err
		}
	}
	if *out == "" || *out == stdinName {
		_, err = env.stdout.Write(data)
		return err
	}
	if err := atomicfile.Write(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.progress(), "key bundle for %s (sha256:%s, %s) written to %s\n", b.ID, b.Fingerprint, b.Provenance, *out)
	return nil
}

func runKeysImport(env *cliEnv, args []string) error {
	fs := newFlags(env, "keys import", "keys import [--srs FILE] [--ceremony DIR --beacon HEX] BUNDLE", `
Imports a key bundle (zkpoc keys export on the node) into the local key cache,
apart from this machine's own keys, after checking what it can: the bundle is
well formed, its key parses and has its fingerprint, and
  - PLONK with --srs: the key is re-derived from that SRS (checked to be a
    power sequence) and the circuit this binary compiles; it must be the same
    key. With the SRS file its provenance names, the provenance is verified too;
  - Groth16 ceremony keys with --ceremony and --beacon: the transcript is
    verified, it must be the bundle's record, for the constraint system of the
    circuit this binary compiles, and yield the bundle's key.
Otherwise the key is imported with its circuit NOT established: receipts under
it verify, but their claim says nothing about the output's correctness, and
zk-strict-v1 holds them (a policy may pin the key or its transcript instead).
A Groth16 dev key can never be established by a verifier: only whoever ran
its setup knows what it was made for.
Exit 1: the bundle does not check out (the re-derived key or the transcript
differs); 2: it is malformed.`)
	var tf trustFlags
	tf.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("keys import takes one bundle file, have %d arguments", len(pos))
	}
	o, err := tf.options(env.progress())
	if err != nil {
		return err
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	data, err := readInput(env, pos[0], keytrust.MaxBundleBytes)
	if err != nil {
		return usageError{fmt.Errorf("read key bundle: %w", err)}
	}
	r, err := keytrust.ImportData(cache, pos[0], data, o)
	if err != nil {
		return establishErr(err)
	}
	b, k := r.Bundle, r.Established
	fmt.Fprintf(env.stdout, "imported %s key sha256:%s for %s into %s\n", b.ID.System, b.Fingerprint, b.ID, cache.ImportedDir(b.Fingerprint))
	if k.Circuit != (keys.ID{}) {
		fmt.Fprintf(env.stdout, "circuit established: %s\n", k.How)
	} else {
		fmt.Fprintf(env.stdout, "circuit NOT established: %s\n", k.How)
	}
	setup := "stated by the bundle, not verified"
	if k.SetupHow != "" {
		setup = "verified: " + k.SetupHow
	}
	fmt.Fprintf(env.stdout, "provenance %s (%s)\n", b.Provenance, setup)
	if b.TranscriptSHA256 != "" {
		fmt.Fprintf(env.stdout, "transcript %s\n", b.TranscriptSHA256)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(env.stderr, "note: %s\n", n)
	}
	if k.Circuit == (keys.ID{}) {
		switch {
		case b.ID.System == protocol.Plonk:
			fmt.Fprintf(env.stderr, "hint: zkpoc keys import --srs FILE %s re-derives the key (FILE: what zkpoc keys export --srs-out wrote)\n", pos[0])
		case b.TranscriptSHA256 != "":
			fmt.Fprintf(env.stderr, "hint: zkpoc keys import --ceremony DIR --beacon HEX %s verifies its transcript\n", pos[0])
		}
	}
	return nil
}

// readKeyFile reads verify --key: a key bundle (JSON), checked as an import
// would be against tf, or a bare verifying key of the system and curve the
// receipt's proof names.
func readKeyFile(o *verifier.Options, path string, env *receipt.Envelope, tf trustFlags, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	data, err := atomicfile.ReadLimited(path, keytrust.MaxBundleBytes)
	if err != nil {
		return usageError{err}
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		if tf.given() {
			return usagef("--srs, --ceremony and --beacon check a key bundle; %s is a bare verifying key", path)
		}
		return setVerifyKey(o, path, env)
	}
	b, err := keytrust.Decode(data)
	if err != nil {
		return usageError{fmt.Errorf("key bundle %s: %w", path, err)}
	}
	to, err := tf.options(progress)
	if err != nil {
		return err
	}
	r, err := keytrust.Establish(b, to)
	if err != nil {
		return establishErr(fmt.Errorf("key bundle %s: %w", path, err))
	}
	curve, err := protocol.ParseCurve(string(b.ID.Curve))
	if err != nil {
		return usageError{fmt.Errorf("key bundle %s: %w", path, err)}
	}
	if o.VK, err = proofsystem.ParseVerifyingKey(b.VerifyingKey, b.ID.System, curve); err != nil {
		return usageError{fmt.Errorf("key bundle %s: %w", path, err)}
	}
	o.KeyEstablished = r.Established
	return nil
}
