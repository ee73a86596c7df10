package keys

import "testing"

// ceremonyTestID is the key id of the ceremony test circuit (package
// ceremony's tests use the same one).
var ceremonyTestID = ID{Circuit: "ceremony-test", N: 1, FracBits: 0, Curve: "bn254", System: "groth16"}

func TestIsDevSetup(t *testing.T) {
	for p, want := range map[string]bool{
		ProvenanceDevSingleParty: true,
		"":                       true,
		"mpc(3 contributions)":   true,
		"mpc(0+2 contributions, beacon 00112233)":      true,
		"mpc(2+0 contributions, beacon 00112233)":      true,
		"mpc(3+2 contributions, beacon 00112233)":      false,
		"mpc(3+2 contributions, beacon 00112233) evil": true,
	} {
		if got := IsDevSetup(p); got != want {
			t.Errorf("IsDevSetup(%q) = %v, want %v", p, got, want)
		}
	}
}
