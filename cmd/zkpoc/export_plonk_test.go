package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/scs"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/workload"
)

// standIn is a tiny stand-in circuit with the real statement's public
// inputs (input_commitment; output_digest; PoE hi, lo) and one constraint
// (x = their sum): the export commands only read keys, proof bytes and the
// public inputs they check against the task, so the real statement's
// minutes-long PLONK setup is not needed to test their plumbing.
type standIn struct {
	X                    frontend.Variable
	IC, OD, PoEHi, PoELo frontend.Variable `gnark:",public"`
}

func (c *standIn) Define(api frontend.API) error {
	api.AssertIsEqual(c.X, api.Add(c.IC, c.OD, c.PoEHi, c.PoELo))
	return nil
}

func cli(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	exit := run(args, &out, &errb)
	return out.String(), errb.String(), exit
}

// TestExportPlonk: export solidity finds a PLONK key by fingerprint (or reads
// a PLONK key file with --system plonk), export calldata encodes a PLONK
// receipt's proof for Verify(bytes,uint256[]), and compute-proof refuses it.
func TestExportPlonk(t *testing.T) {
	home := t.TempDir()
	t.Setenv("ZKPOC_HOME", home)
	cache, err := keyCache()
	if err != nil {
		t.Fatal(err)
	}
	var ccs constraint.ConstraintSystem
	id := keys.ID{Circuit: "stand-in-test", N: 1, Curve: "bn254", System: protocol.Plonk}
	set, _, err := setup.LoadOrSetup(cache, id, func() (constraint.ConstraintSystem, error) {
		ccs, err = frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &standIn{})
		return ccs, err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp := "sha256:" + set.Meta.Fingerprint

	out, stderr, exit := cli(t, "export", "solidity", "--fingerprint", fp)
	if exit != 0 || !strings.Contains(out, "function Verify(") {
		t.Fatalf("export solidity --fingerprint (PLONK): exit %d\n%s\n%.300s", exit, stderr, out)
	}
	vkPath := filepath.Join(t.TempDir(), "vk.bin")
	vk := set.VK
	if err := proofsystem.WriteVerifyingKeyFile(vkPath, vk); err != nil {
		t.Fatal(err)
	}
	out2, stderr, exit := cli(t, "export", "solidity", "--system", "plonk", "--key", vkPath)
	if exit != 0 || out2 != out {
		t.Fatalf("export solidity --key --system plonk: exit %d (same contract: %v)\n%s", exit, out2 == out, stderr)
	}
	if _, stderr, exit := cli(t, "export", "solidity", "--key", vkPath); exit != 2 {
		t.Fatalf("a PLONK key file read as Groth16: exit %d, want 2\n%s", exit, stderr)
	}

	// A PLONK receipt carrying a proof of the tiny circuit for the public
	// inputs of a bound task and this node.
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	task, err := protocol.NewSyntheticTask(protocol.BN254, "3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", [32]byte{1}, 2, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := protocol.Inputs(task, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := workload.Multiply(a, b, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	pubv, err := protocol.PublicValues(protocol.BN254, task, key.Public().(ed25519.PublicKey), a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	pubs := protocol.PublicInputStrings(pubv)
	var in [4]*big.Int
	sum := new(big.Int)
	for i, s := range pubs {
		in[i], _ = new(big.Int).SetString(s, 10)
		sum.Add(sum, in[i])
	}
	w, err := frontend.NewWitness(&standIn{X: sum.Mod(sum, ecc.BN254.ScalarField()), IC: in[0], OD: in[1], PoEHi: in[2], PoELo: in[3]}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := plonk.Prove(ccs, set.PK.(plonk.ProvingKey), w, proofsystem.ProverOptions(protocol.Plonk)...)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	if _, err := proof.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, Mode: protocol.ModeBinding})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Receipt
	r.Mode = protocol.ModePlonk
	r.Proof = &receipt.Proof{System: protocol.Plonk, Curve: "bn254", Circuit: id.Circuit, KeyFingerprint: fp,
		SetupProvenance: set.Meta.Provenance, Bytes: pb.Bytes(), PublicInputs: pubs}
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		t.Fatal(err)
	}
	env, err := receipt.Sign(r, key)
	if err != nil {
		t.Fatal(err)
	}
	rcPath := filepath.Join(t.TempDir(), "r.json")
	if err := writeJSON(&cliEnv{}, rcPath, env); err != nil {
		t.Fatal(err)
	}
	want, err := chain.PlonkCalldata(pb.Bytes(), pubs, vk)
	if err != nil {
		t.Fatal(err)
	}
	// The calldata layout, from the cached key and from --key. (The receipt
	// is the tiny circuit's, which verify rejects, so export itself refuses
	// it: below.)
	for _, keyPath := range []string{"", vkPath} {
		cd, err := calldata(r, keyPath)
		if err != nil || !bytes.Equal(cd, want) {
			t.Fatalf("calldata (PLONK, key %q): %v", keyPath, err)
		}
	}
	sel := chain.Selector(chain.PlonkVerifySignature)
	if !bytes.HasPrefix(want, sel[:]) {
		t.Fatalf("calldata does not start with the Verify(bytes,uint256[]) selector: %x", want[:4])
	}
	if out, stderr, exit := cli(t, "export", "calldata", rcPath); exit != exitReject || out != "" || !strings.Contains(stderr, "does not verify") {
		t.Fatalf("export calldata of a receipt verify rejects: exit %d, want 1, stdout %.40q\n%s", exit, out, stderr)
	}
	// The same proof claimed for other matrices (public input 0 is not the
	// task's input commitment) is not exported.
	forged := *r
	fp2 := *r.Proof
	fp2.PublicInputs = append([]string{"12345"}, pubs[1:]...)
	forged.Proof = &fp2
	if forged.ReceiptID, err = forged.ComputeID(); err != nil {
		t.Fatal(err)
	}
	fenv, err := receipt.Sign(&forged, key)
	if err != nil {
		t.Fatal(err)
	}
	forgedPath := filepath.Join(t.TempDir(), "forged.json")
	if err := writeJSON(&cliEnv{}, forgedPath, fenv); err != nil {
		t.Fatal(err)
	}
	if _, stderr, exit := cli(t, "export", "calldata", forgedPath); exit != 2 || !strings.Contains(stderr, "input_commitment (public input 0)") {
		t.Fatalf("calldata for other matrices: exit %d, want 2\n%s", exit, stderr)
	}
	if _, stderr, exit := cli(t, "export", "compute-proof", rcPath); exit != 2 || !strings.Contains(stderr, "Groth16 proofs only") {
		t.Fatalf("compute-proof of a PLONK receipt: exit %d, want 2\n%s", exit, stderr)
	}
	// Without the key the calldata cannot be laid out: a usage error naming the key.
	os.RemoveAll(cache.Dir)
	if _, err := calldata(r, ""); !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "verifying key") {
		t.Fatalf("calldata without the PLONK key: %v", err)
	}
}
