package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/ceremony"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

const ceremonyUsage = `Usage: zkpoc ceremony <step> --dir DIR [flags]

A multi-party Groth16 trusted setup (gnark's BGM17 MPC). The keys it produces
are sound as long as at least ONE participant of each phase was honest and
destroyed their randomness, unlike "zkpoc keys setup" (dev single-party): its
runner could forge proofs. The steps, in order:

  1. coordinator:  zkpoc ceremony init --dir DIR [--n N --f F --circuit C]
       compiles the circuit and writes DIR/manifest.json (key id, constraint
       count, domain size, constraint-system digest) and DIR/ccs.bin.
  2. each phase-1 participant, one after the other, on the shared DIR:
       zkpoc ceremony contribute --dir DIR --phase 1
       mixes fresh secret randomness into the powers of tau, appends
       DIR/phase1/NNN.bin and prints the contribution hash: publish it.
  3. coordinator, once a public random beacon fixed AFTER the last phase-1
     contribution is known (e.g. the hash of a future block):
       zkpoc ceremony seal-phase1 --dir DIR --beacon HEX
       verifies phase 1, applies the beacon, writes the phase-2 base.
  4. each phase-2 participant, one after the other:
       zkpoc ceremony contribute --dir DIR --phase 2
  5. anyone:  zkpoc ceremony verify --dir DIR [--beacon HEX]
       checks every contribution in order and the phase-1 beacon; with the
       final beacon it also derives the keys and prints their fingerprint.
       Participants check their published hash is listed.
  6. coordinator, with a second beacon fixed AFTER the last phase-2
     contribution:
       zkpoc ceremony finalize --dir DIR --beacon HEX
       verifies everything again, applies the beacon and stores the keys
       under $ZKPOC_HOME/keys with provenance "mpc(P1+P2 contributions,
       beacon HEX)"; prove and verify then use them (same key id).

Run "zkpoc ceremony <step> -h" for a step's flags. Times grow with the
circuit's domain: seal-phase1, verify and finalize are the slow steps.
Exit codes: 0 ok, 1 a contribution or the transcript is rejected
(the error names the phase and participant index), 2 usage or input
error, 4 failure while working.
`

func runCeremony(env *cliEnv, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "init":
		return ceremonyInit(env, args)
	case "contribute":
		return ceremonyContribute(env, args)
	case "seal-phase1":
		return ceremonySeal(env, args)
	case "verify":
		return ceremonyVerify(env, args)
	case "finalize":
		return ceremonyFinalize(env, args)
	case "-h", "--help", "help":
		fmt.Fprint(env.stdout, ceremonyUsage)
		return nil
	case "":
		fmt.Fprint(env.stderr, ceremonyUsage)
		return exitError{exitUsage}
	}
	return usagef("ceremony: unknown step %q (want init, contribute, seal-phase1, verify or finalize; see zkpoc ceremony -h)", sub)
}

// ceremonyFlags registers --dir and parses, rejecting positional arguments.
func ceremonyFlags(fs *flag.FlagSet, args []string) (string, error) {
	dir := fs.String("dir", "", "ceremony directory (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) > 0 {
		return "", usagef("%s: unexpected arguments %q", fs.Name(), pos)
	}
	if *dir == "" {
		return "", usagef("%s: --dir is required", fs.Name())
	}
	return *dir, nil
}

func parseBeacon(s string, required bool) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "0x")
	if s == "" {
		if required {
			return nil, usagef("--beacon is required: hex of a public random value fixed after the last contribution (e.g. a future block hash)")
		}
		return nil, nil
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < keys.MinBeaconBytes || len(b) > keys.MaxBeaconBytes {
		return nil, usagef("--beacon: want %d to %d bytes of hex, have %q", keys.MinBeaconBytes, keys.MaxBeaconBytes, s)
	}
	return b, nil
}

// ceremonyErr maps a rejected transcript to exit 1 and a missing or
// malformed ceremony directory to exit 2.
func ceremonyErr(env *cliEnv, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ceremony.ErrBadContribution) {
		fmt.Fprintf(env.stderr, "zkpoc: REJECTED: %v\n", err)
		return exitError{exitReject}
	}
	if strings.Contains(err.Error(), "ceremony manifest") {
		return usageError{err}
	}
	return err
}

// checkCeremonyCCS recompiles the circuit the manifest names and checks the
// ceremony's constraint system is exactly it, so the keys are for the real
// statement and not for whatever ccs.bin holds.
func checkCeremonyCCS(env *cliEnv, dir string) (*ceremony.Manifest, error) {
	m, err := ceremony.ReadManifest(dir)
	if err != nil {
		return nil, usageError{err}
	}
	method, err := protocol.ParseMethod(m.ID.Circuit)
	if err != nil {
		return nil, usagef("ceremony %s: %w (use --ccs-check=false to trust ccs.bin)", dir, err)
	}
	start := time.Now()
	fmt.Fprintf(env.progress(), "recompiling %s to check the ceremony's constraint system ...\n", m.ID)
	ccs, err := prover.Compile(method, m.ID.N, m.ID.FracBits)()
	if err != nil {
		return nil, err
	}
	digest, _, err := keys.CCSDigest(ccs)
	if err != nil {
		return nil, err
	}
	if digest != m.CCSSHA256 {
		return nil, fmt.Errorf("ceremony %s: constraint system digest %s is not that of %s compiled by this binary (%s)", dir, m.CCSSHA256, m.ID, digest)
	}
	fmt.Fprintf(env.progress(), "constraint system matches %s (sha256 %s, %.1f s)\n", m.ID, digest, time.Since(start).Seconds())
	return m, nil
}

func ceremonyInit(env *cliEnv, args []string) error {
	fs := newFlags(env, "ceremony init", "ceremony init --dir DIR [--n N] [--f F] [--circuit C]", `
Coordinator, step 1: compiles the circuit for n×n matrices and creates the
ceremony directory (manifest.json, ccs.bin). Phase 1 is sized to the circuit's
domain (next power of two >= the constraint count). Then hand DIR to the
phase-1 participants (zkpoc ceremony contribute --phase 1).`)
	n := fs.Int("n", demoN, "matrix size")
	f := fs.Int("f", workload.DefaultFracBits, "fractional bits")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit: "+protocol.Freivalds.Name()+", "+protocol.Naive.Name()+" or "+protocol.Synthetic.Name()+" (Groth16 on bn254)")
	dir, err := ceremonyFlags(fs, args)
	if err != nil {
		return err
	}
	m, err := parseShape(*circuit, *n, *f)
	if err != nil {
		return err
	}
	id := keys.IDFor(protocol.BN254, protocol.Groth16, m, *n, *f)
	start := time.Now()
	fmt.Fprintf(env.progress(), "compiling %s ...\n", id)
	ccs, err := prover.Compile(m, *n, *f)()
	if err != nil {
		return err
	}
	if err := ceremony.Init(dir, id, ccs); err != nil {
		return err
	}
	man, err := ceremony.ReadManifest(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "ceremony for %s initialized in %s: %d constraints, domain %d, ccs sha256 %s (%.1f s)\n",
		id, dir, man.Constraints, man.DomainSize, man.CCSSHA256, time.Since(start).Seconds())
	fmt.Fprintf(env.stdout, "next: phase-1 participants run: zkpoc ceremony contribute --dir %s --phase 1\n", dir)
	return nil
}

func ceremonyContribute(env *cliEnv, args []string) error {
	fs := newFlags(env, "ceremony contribute", "ceremony contribute --dir DIR --phase 1|2", `
Participant: adds one contribution of fresh secret randomness (crypto/rand) to
the given phase, as the next file phaseP/NNN.bin, and prints its hash. Publish
the hash (it lets you check later that your contribution is in the transcript)
and pass DIR on to the next participant. The randomness is never written
anywhere. Contributions within a phase are strictly sequential.`)
	phase := fs.Int("phase", 0, "phase to contribute to: 1 (powers of tau) or 2 (circuit specific)")
	dir, err := ceremonyFlags(fs, args)
	if err != nil {
		return err
	}
	if *phase != 1 && *phase != 2 {
		return usagef("ceremony contribute: --phase must be 1 or 2")
	}
	if _, err := ceremony.ReadManifest(dir); err != nil {
		return usageError{err}
	}
	idx, hash, err := ceremony.Contribute(dir, *phase, rand.Reader, ceremony.WithProgress(env.progress()))
	if err != nil {
		return ceremonyErr(env, err)
	}
	fmt.Fprintf(env.stdout, "phase %d contribution %d: hash %x\n", *phase, idx, hash)
	return nil
}

func ceremonySeal(env *cliEnv, args []string) error {
	fs := newFlags(env, "ceremony seal-phase1", "ceremony seal-phase1 --dir DIR --beacon HEX [--ccs-check=false]", `
Coordinator, after the last phase-1 contribution: verifies phase 1, applies the
public random beacon (announce beforehand which one, e.g. the hash of block
N+k, so nobody can choose it) and computes the phase-2 base. Slow for large
circuits. Then hand DIR to the phase-2 participants.`)
	dir, beacon, _, err := beaconStep(env, fs, args, "public random beacon, hex (16-128 bytes)", true)
	if err != nil {
		return err
	}
	if err := ceremony.SealPhase1(dir, beacon, ceremony.WithProgress(env.progress())); err != nil {
		return ceremonyErr(env, err)
	}
	fmt.Fprintf(env.stdout, "phase 1 sealed with beacon %x\nnext: phase-2 participants run: zkpoc ceremony contribute --dir %s --phase 2\n", beacon, dir)
	return nil
}

func ceremonyVerify(env *cliEnv, args []string) error {
	fs := newFlags(env, "ceremony verify", "ceremony verify --dir DIR [--beacon HEX] [--json] [--ccs-check=false]", `
Anyone: checks the whole transcript: the constraint system against the circuit
this binary compiles, every phase-1 contribution in order, the phase-1 seal
and its beacon, and every phase-2 contribution in order. With --beacon (the
final beacon) it also derives the keys and prints their fingerprint, which
must match the key fingerprint receipts name. Lists every contribution hash.
Exit 1 names the rejected phase and participant index.`)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dir, beacon, _, err := beaconStep(env, fs, args, "final public random beacon, hex (optional: without it only the contributions are checked)", false)
	if err != nil {
		return err
	}
	rep, err := ceremony.Verify(dir, beacon, ceremony.WithProgress(env.progress()))
	if err != nil {
		return ceremonyErr(env, err)
	}
	if *asJSON {
		return printJSON(env, rep)
	}
	w := env.stdout
	fmt.Fprintf(w, "ceremony %s: OK\n", rep.ID)
	fmt.Fprintf(w, "  %d constraints, domain %d, ccs sha256 %s\n", rep.Constraints, rep.DomainSize, rep.CCSSHA256)
	for _, c := range rep.Phase1 {
		fmt.Fprintf(w, "  phase 1 contribution %d: %s\n", c.Index, c.Hash)
	}
	if rep.Phase1Sealed {
		fmt.Fprintf(w, "  phase 1 sealed with beacon %s\n", rep.Phase1Beacon)
	} else {
		fmt.Fprintln(w, "  phase 1 open (not sealed yet)")
	}
	for _, c := range rep.Phase2 {
		fmt.Fprintf(w, "  phase 2 contribution %d: %s\n", c.Index, c.Hash)
	}
	if rep.Fingerprint != "" {
		state := "not finalized yet"
		if rep.Finalized {
			state = "finalized with these keys"
		}
		fmt.Fprintf(w, "  final beacon %s: keys sha256:%s (%s)\n  provenance %s\n", rep.Beacon, rep.Fingerprint, state, rep.Provenance)
		rec, err := rep.Transcript()
		if err != nil {
			return err
		}
		d, err := rec.Digest()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  transcript %s (pin it in a verifier policy: trusted_transcripts)\n", d)
	}
	return nil
}

func ceremonyFinalize(env *cliEnv, args []string) error {
	fs := newFlags(env, "ceremony finalize", "ceremony finalize --dir DIR --beacon HEX [--ccs-check=false]", `
Coordinator, after the last phase-2 contribution: verifies the whole transcript,
applies the final public random beacon (fixed after the last contribution),
extracts the proving and verifying keys and stores them in $ZKPOC_HOME/keys,
replacing any dev keys for the same circuit. Prints the key fingerprint and
provenance; zkpoc prove then uses these keys and receipts carry the provenance.`)
	dir, beacon, ccs, err := beaconStep(env, fs, args, "final public random beacon, hex (16-128 bytes)", true)
	if err != nil {
		return err
	}
	cache, err := keyCache()
	if err != nil {
		return err
	}
	opts := []ceremony.Option{ceremony.WithProgress(env.progress())}
	if ccs != "" {
		opts = append(opts, ceremony.WithCompiledCCS(ccs))
	}
	set, err := ceremony.Finalize(dir, beacon, cache, opts...)
	if err != nil {
		return ceremonyErr(env, err)
	}
	d, err := set.Meta.Origin.Transcript.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: fingerprint sha256:%s, %d constraints, provenance %s\ntranscript %s\nkeys stored in %s\n",
		set.Meta.ID, set.Meta.Fingerprint, set.Meta.Constraints, set.Meta.Provenance, d, cache.EntryDir(set.Meta.ID))
	fmt.Fprintf(env.stdout, "next: zkpoc keys export --out BUNDLE %s, for verifiers to import with the transcript (or to pin the transcript digest in their policy)\n", set.Meta.ID)
	return nil
}

// beaconStep parses the flags of the coordinator steps that take a beacon
// (seal-phase1, verify, finalize) and, unless --ccs-check=false, checks the
// ceremony's constraint system against a fresh compile, returning its
// digest ("" when not checked).
func beaconStep(env *cliEnv, fs *flag.FlagSet, args []string, beaconUsage string, required bool) (dir string, beacon []byte, ccs string, err error) {
	beaconHex := fs.String("beacon", "", beaconUsage)
	ccsCheck := fs.Bool("ccs-check", true, "recompile the circuit and check the ceremony's constraint system")
	if dir, err = ceremonyFlags(fs, args); err != nil {
		return "", nil, "", err
	}
	if beacon, err = parseBeacon(*beaconHex, required); err != nil {
		return "", nil, "", err
	}
	if *ccsCheck {
		m, err := checkCeremonyCCS(env, dir)
		if err != nil {
			return "", nil, "", err
		}
		ccs = m.CCSSHA256
	}
	return dir, beacon, ccs, nil
}
