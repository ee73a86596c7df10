package protocol

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
)

// Curve names the pairing-friendly curve whose scalar field a statement,
// its digests and its proofs are over.
type Curve string

// The curves zkpoc proves on. BN254 is the default and the only one with an
// EVM verifier; BLS12-381 is measured and proved with PLONK and Groth16 too.
const (
	BN254    Curve = "bn254"
	BLS12381 Curve = "bls12-381"
)

// Curves lists the supported curves, the default first.
var Curves = []Curve{BN254, BLS12381}

// ParseCurve maps a curve name ("bn254", "bls12-381") to its Curve.
func ParseCurve(name string) (Curve, error) {
	for _, c := range Curves {
		if string(c) == name {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown curve %q (want bn254 or bls12-381)", name)
}

// ID is gnark's identifier of the curve.
func (c Curve) ID() ecc.ID {
	if c == BLS12381 {
		return ecc.BLS12_381
	}
	return ecc.BN254
}

// ScalarField is the modulus r of the curve's scalar field.
func (c Curve) ScalarField() *big.Int { return c.ID().ScalarField() }

// CurveOfField is the curve whose scalar field has modulus field.
func CurveOfField(field *big.Int) (Curve, error) {
	for _, c := range Curves {
		if c.ScalarField().Cmp(field) == 0 {
			return c, nil
		}
	}
	return "", fmt.Errorf("no zkpoc curve has scalar field %s", field)
}

// Sponge is the Poseidon2 instance a curve's digests use: its width, and
// its full and partial round counts (round constants are gnark-crypto's,
// derived from these). BN254 uses width 16 (rate 15); gnark-crypto's
// BLS12-381 Poseidon2 has widths 2 and 3 only, so BLS12-381 uses width 3
// (rate 2) with the same 8 full and 57 partial rounds (the Poseidon2 paper's
// bound for t = 3, d = 5 is 8 and 56).
type Sponge struct{ Width, FullRounds, PartialRounds int }

// Rate is the number of elements one permutation absorbs.
func (s Sponge) Rate() int { return s.Width - 1 }

// Sponge returns the curve's digest sponge. On BN254 one width-16
// permutation absorbs 15 packed elements for 571 R1CS constraints (lane pins
// included), against 186 per element for the t = 2 compression function.
func (c Curve) Sponge() Sponge {
	if c == BLS12381 {
		return Sponge{Width: 3, FullRounds: 8, PartialRounds: 57}
	}
	return Sponge{Width: 16, FullRounds: 8, PartialRounds: 57}
}

// String is the curve's name, as receipts and key ids carry it.
func (c Curve) String() string { return string(c) }
