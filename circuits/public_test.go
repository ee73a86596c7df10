package circuits

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// TestPublicWitnessAgrees checks the public-input layout a verifier uses
// against the circuit: for real tasks on both curves, both methods and
// several shapes (both range-check layouts), the public witness
// verifier.PublicWitness builds from protocol.PublicInputs with gnark's
// backend/witness must equal, byte for byte, the one gnark derives from the
// circuit's own assignment (frontend.NewWitness(…, PublicOnly())), both the
// full honest assignment and PublicAssignment. A proof verified against
// any other order would be checked against a different statement.
func TestPublicWitnessAgrees(t *testing.T) {
	node := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	for _, shape := range []struct{ n, f int }{{1, 0}, {2, 8}, {3, 16}, {4, 8}, {17, 5}, {128, 8}} {
		for _, curve := range protocol.Curves {
			for _, m := range protocol.Methods {
				t.Run(fmt.Sprintf("%s/%s/n%d_f%d", curve, m, shape.n, shape.f), func(t *testing.T) {
					n, f := shape.n, shape.f
					seed := sha256.Sum256([]byte(fmt.Sprintf("public witness %s %d %d", curve, n, f)))
					task, err := workload.NewSyntheticTask(fmt.Sprintf("6a1f2a9e-6b7d-4e21-9a0b-%012d", 1000*n+f), seed, n, f, "0", 1795000000)
					if err != nil {
						t.Fatal(err)
					}
					a, b, err := protocol.Inputs(task, nil, nil)
					if err != nil {
						t.Fatal(err)
					}
					c, err := workload.Multiply(a, b, n, f)
					if err != nil {
						t.Fatal(err)
					}
					pub, err := protocol.PublicValues(curve, task, node.Public().(ed25519.PublicKey), a, b, c)
					if err != nil {
						t.Fatal(err)
					}
					got, err := verifier.PublicWitness(curve, pub)
					if err != nil {
						t.Fatal(err)
					}
					full, err := Assign(m, n, f, a, b, c, pub)
					if err != nil {
						t.Fatal(err)
					}
					shapeOnly, err := PublicAssignment(m, n, f, pub)
					if err != nil {
						t.Fatal(err)
					}
					for name, asg := range map[string]*MatMul{"Assign": full, "PublicAssignment": shapeOnly} {
						want, err := frontend.NewWitness(asg, curve.ScalarField(), frontend.PublicOnly())
						if err != nil {
							t.Fatal(err)
						}
						assertSameWitness(t, name, got, want)
					}
				})
			}
		}
	}
}

func assertSameWitness(t *testing.T, name string, got, want witness.Witness) {
	t.Helper()
	gb, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gb, wb) {
		t.Fatalf("%s: the verifier's public witness (%d bytes) differs from gnark's for the circuit (%d bytes):\n%x\n%x", name, len(gb), len(wb), gb, wb)
	}
	if len(protocol.PublicInputs(protocol.Public{})) != protocol.NbPublicInputs {
		t.Fatalf("protocol.PublicInputs lists %d inputs, NbPublicInputs says %d", len(protocol.PublicInputs(protocol.Public{})), protocol.NbPublicInputs)
	}
	if vec, ok := want.Vector().(interface{ Len() int }); ok && vec.Len() != protocol.NbPublicInputs {
		t.Fatalf("%s: the circuit has %d public inputs, protocol.NbPublicInputs says %d", name, vec.Len(), protocol.NbPublicInputs)
	}
}

// TestPublicWitnessDetectsOrder is the agreement test's own check: a
// public witness with two inputs swapped is not the circuit's.
func TestPublicWitnessDetectsOrder(t *testing.T) {
	var p protocol.Public
	p.InputCommitment[31], p.OutputDigest[31], p.PoE[0], p.PoE[31] = 1, 2, 3, 4
	swapped := p
	swapped.InputCommitment, swapped.OutputDigest = p.OutputDigest, p.InputCommitment
	for _, curve := range protocol.Curves {
		got, err := verifier.PublicWitness(curve, swapped)
		if err != nil {
			t.Fatal(err)
		}
		asg, err := PublicAssignment(protocol.Freivalds, 2, 8, p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := frontend.NewWitness(asg, curve.ScalarField(), frontend.PublicOnly())
		if err != nil {
			t.Fatal(err)
		}
		gb, _ := got.MarshalBinary()
		wb, _ := want.MarshalBinary()
		if bytes.Equal(gb, wb) {
			t.Fatalf("%s: swapped public inputs gave the circuit's witness", curve)
		}
	}
}
