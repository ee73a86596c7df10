package protocol

import (
	"math/big"
	"slices"
	"strings"
	"testing"
)

// TestPublicInputsLayout pins the order and encoding of the public inputs:
// input_commitment; output_digest; PoE hi, lo (the agreement with the
// circuit itself is TestPublicWitnessAgrees in package circuits).
func TestPublicInputsLayout(t *testing.T) {
	var p Public
	p.RequestID[0], p.NodeID[0] = 9, 9 // private: never listed
	p.InputCommitment[31] = 1
	p.OutputDigest[30] = 1
	p.PoE[15], p.PoE[31] = 3, 4
	got := PublicInputStrings(p)
	want := []string{"1", "256", "3", "4"}
	if !slices.Equal(got, want) || len(got) != NbPublicInputs {
		t.Fatalf("PublicInputStrings = %v, want %v", got, want)
	}
	if hi := PublicInputs(p)[PoEInputIndex]; hi.Cmp(big.NewInt(3)) != 0 {
		t.Fatalf("PoEInputIndex names %v, want the PoE's high half 3", hi)
	}
}

// TestNamesRoundTrip: every name parses back to itself and unknown names
// are refused.
func TestNamesRoundTrip(t *testing.T) {
	for _, c := range Curves {
		if got, err := ParseCurve(c.String()); err != nil || got != c {
			t.Errorf("ParseCurve(%s) = %v, %v", c, got, err)
		}
		if got, err := CurveOfField(c.ScalarField()); err != nil || got != c {
			t.Errorf("CurveOfField(%s) = %v, %v", c, got, err)
		}
	}
	for _, s := range Systems {
		if got, err := ParseSystem(s.String()); err != nil || got != s || !SNARKMode(s).SNARK() {
			t.Errorf("ParseSystem(%s) = %v, %v", s, got, err)
		}
	}
	for _, m := range Modes {
		if got, err := ParseMode(m.String()); err != nil || got != m {
			t.Errorf("ParseMode(%s) = %v, %v", m, got, err)
		}
	}
	for _, m := range Methods {
		if got, err := ParseMethod(m.String()); err != nil || got != m {
			t.Errorf("ParseMethod(%s) = %v, %v", m, got, err)
		}
	}
	if Freivalds.Name() != "freivalds-v5" || Naive.Name() != "naive-v5" {
		t.Fatalf("circuit versions changed: %s, %s", Freivalds.Name(), Naive.Name())
	}
	if got, err := ParseMethod("freivalds-s2"); err != nil || got != Synthetic {
		t.Errorf("ParseMethod(freivalds-s2) = %v, %v", got, err)
	}
	// the first constraint system of the synthetic statement is refused by
	// name, with the reason: its keys and proofs are not s2's
	if _, err := ParseMethod("freivalds-s1"); err == nil || !strings.Contains(err.Error(), "retired") || !strings.Contains(err.Error(), "freivalds-s2") {
		t.Errorf("ParseMethod(freivalds-s1) = %v, want the retired-circuit error naming freivalds-s2", err)
	}
	if _, err := ParseCurve("bn256"); err == nil {
		t.Error("ParseCurve accepted bn256")
	}
	if _, err := ParseSystem("stark"); err == nil {
		t.Error("ParseSystem accepted stark")
	}
	if _, err := ParseMode("auto"); err == nil {
		t.Error("ParseMode accepted auto, which is a prover request, not a receipt mode")
	}
	if OutputDigestAlgorithm(BN254) != "poseidon2-bn254-sponge16/v1" || OutputDigestAlgorithm(BLS12381) != "poseidon2-bls12-381-sponge3/v1" {
		t.Errorf("digest algorithm ids changed: %s, %s", OutputDigestAlgorithm(BN254), OutputDigestAlgorithm(BLS12381))
	}
}
