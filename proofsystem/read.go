package proofsystem

import (
	"bytes"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/protocol"
)

// ParseVerifyingKey decodes a verifying key of system on curve from
// untrusted bytes (at most MaxVKBytes) with internal/format's checks:
// the layout is walked before gnark's decoder sees it, points are
// subgroup-checked, every byte must be used, and a PLONK key is checked
// for consistency. A hostile input yields an error, never a panic.
func ParseVerifyingKey(data []byte, system protocol.System, curve protocol.Curve) (VerifyingKey, error) {
	gnark, err := parse(data, system, curve, anyOf(format.ParseGroth16VK), anyOf(format.ParsePlonkVK))
	if err != nil {
		return nil, err
	}
	return NewVerifyingKey(gnark)
}

// ReadVerifyingKey is ParseVerifyingKey for what r yields: more than
// MaxVKBytes is refused without reading further.
func ReadVerifyingKey(r io.Reader, system protocol.System, curve protocol.Curve) (VerifyingKey, error) {
	data, err := readBounded(r, MaxVKBytes, KeyName(system))
	if err != nil {
		return nil, err
	}
	return ParseVerifyingKey(data, system, curve)
}

// ReadVerifyingKeyFile reads a verifying key of system on curve from path:
// files larger than MaxVKBytes are refused before reading, the rest parsed
// as ParseVerifyingKey does.
func ReadVerifyingKeyFile(path string, system protocol.System, curve protocol.Curve) (VerifyingKey, error) {
	data, err := atomicfile.ReadLimited(path, MaxVKBytes)
	if err == nil {
		var vk VerifyingKey
		if vk, err = ParseVerifyingKey(data, system, curve); err == nil {
			return vk, nil
		}
	}
	return nil, fmt.Errorf("read %s %s: %w", KeyName(system), path, err)
}

// WriteVerifyingKeyFile atomically writes vk's canonical (fingerprinted)
// encoding to path.
func WriteVerifyingKeyFile(path string, vk VerifyingKey) error {
	if vk == nil {
		return fmt.Errorf("write verifying key %s: nil key", path)
	}
	err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		_, err := vk.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s %s: %w", KeyName(vk.System()), path, err)
	}
	return nil
}

// ParseProof decodes a proof of system on curve (gnark's compressed
// encoding, receipt proof.bytes) from untrusted bytes: its framing is
// checked before gnark's decoder allocates from it, points are
// subgroup-checked and every byte must be used. Errors wrap ErrProof
// (Groth16) or ErrPlonkProof.
func ParseProof(data []byte, system protocol.System, curve protocol.Curve) (Proof, error) {
	gnark, err := parse(data, system, curve, anyOf(format.ParseGroth16Proof), anyOf(format.ParsePlonkProof))
	if err != nil {
		return nil, err
	}
	return NewProof(gnark)
}

// ReadProof is ParseProof for what r yields, refusing more than the
// system's bound on an encoded proof without reading further.
func ReadProof(r io.Reader, system protocol.System, curve protocol.Curve) (Proof, error) {
	limit := format.MaxProofBytes
	if system == protocol.Plonk {
		limit = format.MaxPlonkProofBytes
	}
	data, err := readBounded(r, int64(limit), string(system)+" proof")
	if err != nil {
		return nil, err
	}
	return ParseProof(data, system, curve)
}

func readBounded(r io.Reader, limit int64, what string) ([]byte, error) {
	var b bytes.Buffer
	n, err := b.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if n > limit {
		return nil, fmt.Errorf("read %s: %w (more than %d bytes)", what, atomicfile.ErrTooLarge, limit)
	}
	return b.Bytes(), nil
}

// parse decodes data, a key or proof of system on curve, with the system's
// decoder (groth16 or plonk), after refusing a system or curve zkpoc does
// not know (protocol.Curve.ID maps any other name to BN254).
func parse(data []byte, system protocol.System, curve protocol.Curve, groth16, plonk func([]byte, ecc.ID) (any, error)) (any, error) {
	if _, err := protocol.ParseCurve(string(curve)); err != nil {
		return nil, err
	}
	switch system {
	case protocol.Groth16:
		return groth16(data, curve.ID())
	case protocol.Plonk:
		return plonk(data, curve.ID())
	}
	return nil, CheckSystem(system)
}

// anyOf is a decoder returning its gnark value as an any (nil on error).
func anyOf[T any](decode func([]byte, ecc.ID) (T, error)) func([]byte, ecc.ID) (any, error) {
	return func(data []byte, curve ecc.ID) (any, error) {
		v, err := decode(data, curve)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}
