package main

import (
	"fmt"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

const keysHelp = "Usage: zkpoc keys setup|list|export|import|export-vk [flags]\n\n" +
	"  setup      sets up (dev) keys for a circuit shape in the local cache\n" +
	"  list       lists the cached keys, this machine's own and imported ones\n" +
	"  export     writes a key bundle for verifiers (the key, its circuit, provenance, transcript or SRS digest)\n" +
	"  import     checks a key bundle and adds its key to the local cache\n" +
	"  export-vk  writes a bare verifying key (its circuit cannot be established from it)\n\n" +
	"Run \"zkpoc keys <sub> -h\" for flags.\n"

func runKeys(env *cliEnv, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "setup":
		fs := newFlags(env, "keys setup", "keys setup [--n N] [--f F] [--circuit C] [--system plonk [--curve bls12-381] [--srs FILE --srs-name NAME]]", `
Compiles the circuit for n×n matrices and runs a Groth16 dev (single-party) setup,
caching the keys under $ZKPOC_HOME/keys. Nothing happens if they are cached already.
A dev setup lets whoever ran it forge proofs; receipts say so in their claim.
With --system plonk it sets up PLONK (KZG) keys instead, over an unsafe dev SRS,
or over the KZG SRS file --srs (gnark-crypto's BN254 kzg.SRS encoding), which is
checked to be a power sequence and recorded as srs(NAME, sha256:DIGEST).
--curve bls12-381 sets up the keys over BLS12-381 (Groth16 with gnark's setup,
about 10× slower than zkpoc's BN254 setup; PLONK over a dev SRS only).`)
		n := fs.Int("n", demoN, "matrix size")
		f := fs.Int("f", workload.DefaultFracBits, "fractional bits")
		circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit: "+protocol.Freivalds.Name()+", "+protocol.Naive.Name()+" or "+protocol.Synthetic.Name()+" (Groth16 on bn254)")
		system := fs.String("system", string(protocol.Groth16), "proof system: groth16 or plonk")
		srsPath := fs.String("srs", "", "PLONK only: KZG SRS file to set up over (default: an unsafe dev SRS)")
		srsName := fs.String("srs-name", "", "PLONK only: the SRS's name for the provenance record, [a-z0-9._-]")
		curveName := fs.String("curve", string(protocol.BN254), "curve: bn254 or bls12-381 (BLS12-381: gnark's Groth16 setup, or PLONK over a dev SRS)")
		if err := parseNone(fs, args); err != nil {
			return err
		}
		curve, err := parseCurve(*curveName)
		if err != nil {
			return err
		}
		m, err := parseShape(*circuit, *n, *f)
		if err != nil {
			return err
		}
		if err := m.Supports(protocol.System(*system), curve, false); err != nil {
			return withHint(usageError{err}, "--circuit %s has keys for every system and curve", protocol.Freivalds.Name())
		}
		cache, err := keyCache()
		if err != nil {
			return err
		}
		set, cached, err := setupKeys(cache, *system, curve, m, *n, *f, *srsPath, *srsName, env.progress())
		if err != nil {
			return err
		}
		state := "set up"
		if cached {
			state = "already cached"
		}
		fmt.Fprintf(env.stdout, "%s %s: fingerprint sha256:%s, %d constraints, provenance %s\n", set.Meta.ID, state, set.Meta.Fingerprint, set.Meta.Constraints, set.Meta.Provenance)
		return nil
	case "list":
		fs := newFlags(env, "keys list", "keys list [--json]", "Lists the cached keys.")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parseNone(fs, args); err != nil {
			return err
		}
		cache, err := keyCache()
		if err != nil {
			return err
		}
		metas, err := cache.List()
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(env, metas)
		}
		for _, m := range metas {
			fmt.Fprintf(env.stdout, "%-40s sha256:%s  %9d constraints  %s%s\n", m.ID, m.Fingerprint, m.Constraints, m.Provenance, originNote(m.Origin))
		}
		return nil
	case "export":
		return runKeysExport(env, args)
	case "import":
		return runKeysImport(env, args)
	case "export-vk":
		fs := newFlags(env, "keys export-vk", "keys export-vk --fingerprint HEX -o FILE", `
Writes a cached verifying key to a file, to hand to verifiers (zkpoc verify --key FILE).`)
		fp := fs.String("fingerprint", "", "key fingerprint (sha256:…, 0x… or hex), as receipts name it")
		out := fs.String("o", "", "output file")
		if err := parseNone(fs, args); err != nil {
			return err
		}
		if *fp == "" || *out == "" {
			return usagef("keys export-vk needs --fingerprint and -o")
		}
		hexFP, err := fingerprintArg("--fingerprint", *fp)
		if err != nil {
			return err
		}
		if *out == stdinName {
			return usagef("keys export-vk -o -: a verifying key is binary; name a file")
		}
		if err := checkOutput("-o", *out); err != nil {
			return err
		}
		cache, err := keyCache()
		if err != nil {
			return err
		}
		return exportVK(cache, hexFP, *out)
	case "-h", "--help", "help":
		fmt.Fprint(env.stdout, keysHelp)
		return nil
	}
	return groupUsage("usage: zkpoc keys setup|list|export|import|export-vk [flags]", keysHelp)
}

// originNote is keys list's note on where a cached key came from.
func originNote(o *keys.Origin) string {
	if o == nil || o.Source != keys.OriginImport {
		return ""
	}
	if o.Circuit == "" {
		return "  (imported; circuit NOT established)"
	}
	return fmt.Sprintf("  (imported; circuit established: %s)", o.Circuit)
}
