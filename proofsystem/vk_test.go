package proofsystem

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/protocol"
)

func TestWriteReadVK(t *testing.T) {
	set := fixture(t)
	path := filepath.Join(t.TempDir(), "sub", "vk.bin")
	if err := WriteVerifyingKeyFile(path, wrapped(t, set)); err != nil {
		t.Fatal(err)
	}
	vk, err := ReadVerifyingKeyFile(path, protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	if vk.Gnark().(groth16.VerifyingKey).IsDifferent(set.VK) {
		t.Fatal("round trip changed the key")
	}
	// The uncompressed form is accepted too.
	var raw bytes.Buffer
	if _, err := set.VK.WriteRawTo(&raw); err != nil {
		t.Fatal(err)
	}
	rawPath := filepath.Join(t.TempDir(), "raw.bin")
	writeFile(t, rawPath, raw.Bytes())
	if vk, err := ReadVerifyingKeyFile(rawPath, protocol.Groth16, protocol.BN254); err != nil || vk.Gnark().(groth16.VerifyingKey).IsDifferent(set.VK) {
		t.Fatalf("raw VK: %v", err)
	}
}

func TestReadVKBadInputs(t *testing.T) {
	set := fixture(t)
	var good bytes.Buffer
	if _, err := set.VK.WriteTo(&good); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	// Offset of the K length prefix in the compressed encoding:
	// 3 G1 (32) + 3 G2 (64).
	const kLenOff = 3*32 + 3*64

	withU32 := func(off int, v uint32) []byte {
		b := bytes.Clone(g)
		binary.BigEndian.PutUint32(b[off:], v)
		return b
	}
	// A G2 point (beta, at offset 64) on the curve but outside the prime
	// order subgroup: found by perturbing x until the unchecked decoder
	// accepts it. Only the checked decoder's subgroup check rejects it.
	var offSubgroup []byte
	for i := 0; i < 256 && offSubgroup == nil; i++ {
		b := bytes.Clone(g)
		b[100] ^= byte(i + 1)
		if _, err := groth16.NewVerifyingKey(ecc.BN254).UnsafeReadFrom(bytes.NewReader(b)); err == nil {
			offSubgroup = b
		}
	}
	if offSubgroup == nil {
		t.Fatal("no on-curve perturbation found")
	}
	notOnCurve := bytes.Clone(g)
	for i := 0; i < 256; i++ {
		notOnCurve[100] = g[100] ^ byte(i+1)
		if _, err := groth16.NewVerifyingKey(ecc.BN254).UnsafeReadFrom(bytes.NewReader(notOnCurve)); err != nil {
			break
		}
	}

	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "truncated"},
		{"truncated", g[:len(g)-7], "truncated"},
		{"truncated header", g[:40], "truncated"},
		{"garbage", bytes.Repeat([]byte{0x5a}, 700), ""},
		{"all ones", bytes.Repeat([]byte{0xff}, 400), ""},
		{"huge K length", withU32(kLenOff, 0xffffffff), "out of range"},
		{"zero K length", withU32(kLenOff, 0), "out of range"},
		{"trailing byte", append(bytes.Clone(g), 0), "trailing"},
		{"point not in subgroup", offSubgroup, ""},
		{"point not on curve", notOnCurve, ""},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			writeFile(t, path, tc.data)
			vk, err := ReadVerifyingKeyFile(path, protocol.Groth16, protocol.BN254)
			if err == nil {
				t.Fatalf("accepted bad VK (%d bytes)", len(tc.data))
			}
			if vk != nil {
				t.Error("returned a key with an error")
			}
			if !strings.Contains(err.Error(), "read verifying key "+path) {
				t.Errorf("error lacks context: %v", err)
			}
			if tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadVKCommitmentLengths(t *testing.T) {
	// Hand-built encodings exercising the commitment sections: huge outer
	// length, huge inner length, out-of-range index. All infinity points
	// (compressed infinity flag 0b01) so the layout is otherwise valid.
	g1 := append([]byte{0x40}, make([]byte, 31)...)
	g2 := append([]byte{0x40}, make([]byte, 63)...)
	header := func() []byte {
		var b []byte
		b = append(b, g1...)
		b = append(b, g1...)
		b = append(b, g2...)
		b = append(b, g2...)
		b = append(b, g1...)
		b = append(b, g2...)
		b = binary.BigEndian.AppendUint32(b, 3) // K length
		for i := 0; i < 3; i++ {
			b = append(b, g1...)
		}
		return b
	}
	tests := []struct {
		name    string
		tail    func(b []byte) []byte
		wantErr string
	}{
		{"huge commitment count", func(b []byte) []byte { return binary.BigEndian.AppendUint32(b, 0xffffffff) }, "commitments"},
		{"huge index count", func(b []byte) []byte {
			b = binary.BigEndian.AppendUint32(b, 1)
			return binary.BigEndian.AppendUint32(b, 0xfffffff0)
		}, "truncated"},
		{"index out of range", func(b []byte) []byte {
			b = binary.BigEndian.AppendUint32(b, 1)
			b = binary.BigEndian.AppendUint32(b, 1)
			b = binary.BigEndian.AppendUint64(b, 7)
			b = binary.BigEndian.AppendUint32(b, 1)
			return append(append(b, g2...), g2...)
		}, "out of range"},
		{"key count mismatch", func(b []byte) []byte {
			b = binary.BigEndian.AppendUint32(b, 0)
			return binary.BigEndian.AppendUint32(b, 5)
		}, "commitment keys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseVerifyingKey(tc.tail(header()), protocol.Groth16, protocol.BN254)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want mention of %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadVKTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse file: large on Stat, cheap on disk; must be refused unread.
	if err := f.Truncate(MaxVKBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadVerifyingKeyFile(path, protocol.Groth16, protocol.BN254)
	if !errors.Is(err, atomicfile.ErrTooLarge) || !strings.Contains(err.Error(), "read verifying key") {
		t.Fatalf("err = %v, want wrapped ErrTooLarge with context", err)
	}
	if _, err := ReadVerifyingKeyFile(filepath.Join(t.TempDir(), "missing"), protocol.Groth16, protocol.BN254); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := ParseVerifyingKey(nil, protocol.Groth16, protocol.BLS12381); err == nil {
		t.Fatal("unsupported curve accepted")
	}
}
