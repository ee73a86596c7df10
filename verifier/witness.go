package verifier

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/protocol"
)

// PublicWitness is the public witness a proof of the statement p is
// verified against: protocol.PublicInputs, in the circuit's public order,
// as elements of the curve's scalar field, built with gnark's
// backend/witness, not from a circuit struct, so that the verifier compiles
// no circuit and imports no frontend. TestPublicWitnessAgrees in package
// circuits checks that it equals, byte for byte, the public witness gnark
// derives from the circuit's own assignment.
func PublicWitness(curve protocol.Curve, p protocol.Public) (witness.Witness, error) {
	return publicWitnessOf(curve, protocol.PublicInputs(p))
}

// publicWitnessOf is the public witness of the inputs in, in order, each of
// which must be a canonical scalar of the curve.
func publicWitnessOf(curve protocol.Curve, in []*big.Int) (witness.Witness, error) {
	w, err := witness.New(curve.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("public witness: %w", err)
	}
	values := make(chan any, len(in))
	for i, x := range in {
		// Fill reduces a big.Int modulo the field silently: x + r would
		// be the public input x. Every input must already be canonical.
		if x.Sign() < 0 || x.Cmp(curve.ScalarField()) >= 0 {
			return nil, fmt.Errorf("public witness: public input %d is not a canonical %s scalar (≥ the modulus)", i, curve)
		}
		values <- x
	}
	close(values)
	if err := w.Fill(len(in), 0, values); err != nil {
		return nil, fmt.Errorf("public witness: %w", err)
	}
	return w, nil
}
