package format

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
)

// MaxSRSBytes bounds an imported SRS file: 2^25 compressed G1 points, enough
// for a 2^25-row PLONK circuit. Checked against the file size before reading.
const MaxSRSBytes int64 = 1<<30 + 1<<20

// ErrSRS is wrapped by every error about an SRS file's content.
var ErrSRS = errors.New("invalid KZG SRS")

// ParseSRS decodes an SRS from untrusted bytes: the G1 slice length is checked
// against the bytes present before gnark-crypto's decoder (which allocates
// from it) runs, points are subgroup-checked, and every byte must be used.
func ParseSRS(data []byte) (*kzgbn254.SRS, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrSRS, len(data))
	}
	n := uint64(binary.BigEndian.Uint32(data))
	minVK := uint64(bn254G2Compressed*2 + bn254G1Compressed + kzgLinesBytes(ecc.BN254))
	if n < 2 || 4+n*bn254G1Compressed+minVK > uint64(len(data)) {
		return nil, fmt.Errorf("%w: header claims %d G1 powers, the file has %d bytes (truncated or not a kzg.SRS)", ErrSRS, n, len(data))
	}
	srs := new(kzgbn254.SRS)
	if err := decodeAll(srs, data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSRS, err)
	}
	return srs, nil
}
