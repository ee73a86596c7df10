package proofsystem

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/internal/keytest"
	"github.com/zkpoc/zkpoc/protocol"
)

// TestGroth16Interface proves with the fixture's keys and checks the
// interface end to end: the key and proof read back through the bounded
// readers, the fingerprint is that of the canonical encoding, the proof
// verifies for its public input and not another, and a proof of another
// system, an unknown system and an oversized input are refused.
func TestGroth16Interface(t *testing.T) {
	set := fixture(t)
	w, err := keytest.Witness(ecc.BN254, 3, 9)
	if err != nil {
		t.Fatal(err)
	}
	gp, err := groth16.Prove(set.CCS, set.PK, w, ProverOptions(protocol.Groth16)...)
	if err != nil {
		t.Fatal(err)
	}
	var kb, pb bytes.Buffer
	if _, err := set.VK.WriteTo(&kb); err != nil {
		t.Fatal(err)
	}
	if _, err := gp.WriteTo(&pb); err != nil {
		t.Fatal(err)
	}
	vk, err := ReadVerifyingKey(bytes.NewReader(kb.Bytes()), protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	if vk.System() != protocol.Groth16 || vk.Curve() != protocol.BN254 || vk.NbPublic() != 1 {
		t.Errorf("key: %s on %s with %d public inputs", vk.System(), vk.Curve(), vk.NbPublic())
	}
	if fp, _ := Fingerprint(set.VK); fp != vk.Fingerprint() || len(vk.FingerprintHex()) != 64 {
		t.Errorf("fingerprint %s is not that of the canonical encoding", vk.FingerprintHex())
	}
	proof, err := ReadProof(bytes.NewReader(pb.Bytes()), protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := vk.Verify(proof, pub); err != nil {
		t.Fatalf("verify: %v", err)
	}
	bad, _ := keytest.Witness(ecc.BN254, 3, 10)
	badPub, _ := bad.Public()
	if err := vk.Verify(proof, badPub); err == nil || !strings.HasPrefix(err.Error(), "groth16: ") {
		t.Errorf("a wrong public input: %v", err)
	}
	if _, err := ParseProof(pb.Bytes(), protocol.Plonk, protocol.BN254); !errors.Is(err, ErrPlonkProof) {
		t.Errorf("a Groth16 proof read as PLONK: %v", err)
	}
	if _, err := ParseVerifyingKey(kb.Bytes(), "stark", protocol.BN254); err == nil {
		t.Error("an unknown proof system was accepted")
	}
	// protocol.Curve.ID maps an unknown name to BN254: the readers refuse it.
	if _, err := ParseVerifyingKey(kb.Bytes(), protocol.Groth16, "bn256"); err == nil {
		t.Error("a key on an unknown curve was accepted")
	}
	if _, err := ParseProof(pb.Bytes(), protocol.Groth16, ""); err == nil {
		t.Error("a proof on an unknown curve was accepted")
	}
	if _, err := ReadProof(bytes.NewReader(make([]byte, MaxGroth16ProofBytes+1)), protocol.Groth16, protocol.BN254); !errors.Is(err, atomicfile.ErrTooLarge) {
		t.Errorf("an oversized proof: %v", err)
	}
	if _, err := NewVerifyingKey(set.PK); err == nil {
		t.Error("a proving key was wrapped as a verifying key")
	}
	var sol bytes.Buffer
	if err := vk.ExportSolidity(&sol); err != nil || !strings.Contains(sol.String(), "function verifyProof(") {
		t.Errorf("ExportSolidity: %v", err)
	}
}
