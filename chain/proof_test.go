package chain

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
)

// storedProofFile holds one real zk_compute_proof (n = 4) for the decoder
// tests and fuzz seeds; its key is gone, so it decodes but verifies under no
// key. Rewritten by `go test ./chain/ -run TestComputeProofRoundTrip -update`.
const storedProofFile = "compute-proof-v1.hex"

func storedProof(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", storedProofFile))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestComputeProofRoundTrip(t *testing.T) {
	f := getFixture(t)
	enc, err := EncodeComputeProof(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("zk_compute_proof: %d bytes (%d as base64); gnark compressed proof %d bytes, %d public inputs",
		len(enc), (len(enc)+2)/3*4, len(f.rc.Proof.Bytes), len(f.rc.Proof.PublicInputs))
	if want := 46 + len(f.rc.Proof.Circuit) + len(f.rc.Proof.Bytes) + 32*len(f.rc.Proof.PublicInputs); len(enc) != want {
		t.Errorf("encoding has %d bytes, the documented layout %d", len(enc), want)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", storedProofFile), []byte(hex.EncodeToString(enc)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := DecodeComputeProof(enc)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Circuit != f.rc.Proof.Circuit || cp.N != 4 || cp.FracBits != 8 ||
		"sha256:"+cp.FingerprintHex() != f.rc.Proof.KeyFingerprint || !bytes.Equal(cp.Proof, f.rc.Proof.Bytes) {
		t.Errorf("decoded fields differ from the receipt: %+v", cp)
	}
	if strings.Join(cp.PublicInputStrings(), ",") != strings.Join(f.rc.Proof.PublicInputs, ",") {
		t.Error("public inputs differ from the receipt")
	}
	if poe, err := cp.PoE(); err != nil || hex.EncodeToString(poe[:]) != f.rc.PoE {
		t.Errorf("PoE from public inputs = %x (%v), receipt %s", poe, err, f.rc.PoE)
	}
	again, err := cp.Encode()
	if err != nil || !bytes.Equal(again, enc) {
		t.Errorf("re-encoding differs (%v)", err)
	}
	b := f.binding(t)
	if err := cp.Verify(f.vk, b); err != nil {
		t.Fatalf("valid proof: %v", err)
	}
	bad := *cp
	bad.PublicInputs = append([][32]byte(nil), cp.PublicInputs...)
	bad.PublicInputs[1][31] ^= 1
	if err := bad.Verify(f.vk, b); err == nil {
		t.Error("proof verified with a wrong output_digest")
	}
	bad = *cp
	bad.VKFingerprint[0] ^= 1
	if err := bad.Verify(f.vk, b); err == nil {
		t.Error("proof verified although it names another key")
	}
	// The stored copy (another setup's key) must not verify under this key.
	if old, err := DecodeComputeProof(storedProof(t)); err != nil {
		t.Errorf("stored proof: %v", err)
	} else if old.VKFingerprint != cp.VKFingerprint {
		if err := old.Verify(f.vk, b); err == nil {
			t.Error("a proof naming another key verified")
		}
	}
}

func TestDecodeComputeProofRejects(t *testing.T) {
	good := storedProof(t)
	if _, err := DecodeComputeProof(good); err != nil {
		t.Fatalf("stored proof: %v", err)
	}
	l := int(good[7])
	pOff := 45 + l // proof bytes
	pLen := int(binary.BigEndian.Uint16(good[43+l:]))
	kOff := pOff + pLen
	edit := func(fn func(b []byte) []byte) []byte { return fn(append([]byte(nil), good...)) }
	set := func(i int, v byte) []byte { return edit(func(b []byte) []byte { b[i] = v; return b }) }
	r := ecc.BN254.ScalarField()
	cases := map[string][]byte{
		"empty":                   {},
		"trailing byte":           append(append([]byte(nil), good...), 0),
		"trailing input":          append(append([]byte(nil), good...), make([]byte, 32)...),
		"bad magic":               set(0, 'X'),
		"version 2":               set(4, 2),
		"system 2":                set(5, 2),
		"curve 2":                 set(6, 2),
		"circuit id len 0":        set(7, 0),
		"circuit id len 255":      set(7, 255),
		"circuit id upper":        set(8, 'F'),
		"circuit id leading dash": set(8, '-'),
		"n = 0":                   edit(func(b []byte) []byte { b[8+l], b[9+l] = 0, 0; return b }),
		"n = 65535":               edit(func(b []byte) []byte { b[8+l], b[9+l] = 0xff, 0xff; return b }),
		"f = 17":                  set(10+l, 17),
		"proof length + 1": edit(func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[43+l:], uint16(pLen+1))
			return b
		}),
		"proof length 65535": edit(func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[43+l:], 0xffff)
			return b
		}),
		"commitment count 2^32-1": edit(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[pOff+128:], 0xffffffff)
			return b
		}),
		"commitment count 0 with one present": edit(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[pOff+128:], 0)
			return b
		}),
		"proof point not on curve": edit(func(b []byte) []byte {
			x := offCurveX(t)
			flags := b[pOff] & 0xc0
			copy(b[pOff:pOff+32], x[:])
			b[pOff] |= flags
			return b
		}),
		"proof point x >= p": edit(func(b []byte) []byte {
			flags := b[pOff] & 0xc0
			fp.Modulus().FillBytes(b[pOff : pOff+32])
			b[pOff] |= flags
			return b
		}),
		"public input count 0":   set(kOff, 0),
		"public input count 9":   set(kOff, 9),
		"public input count 255": set(kOff, 255),
		"public input = r": edit(func(b []byte) []byte {
			r.FillBytes(b[kOff+1 : kOff+33])
			return b
		}),
		"public input all ones": edit(func(b []byte) []byte {
			copy(b[kOff+1:kOff+33], bytes.Repeat([]byte{0xff}, 32))
			return b
		}),
		"oversized": make([]byte, maxComputeProofSz+1),
	}
	for name, b := range cases {
		if _, err := DecodeComputeProof(b); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, ErrComputeProof) {
			t.Errorf("%s: error %v does not wrap ErrComputeProof", name, err)
		}
	}
	for n := 0; n < len(good); n++ {
		if _, err := DecodeComputeProof(good[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: accepted", n)
		}
	}
	// The PoE halves must be 128-bit.
	cp, _ := DecodeComputeProof(good)
	cp.PublicInputs[PoEInputIndex] = [32]byte{0: 1}
	if _, err := cp.PoE(); err == nil {
		t.Error("a 129-bit PoE half accepted")
	}
}

// offCurveX returns the bytes of an x with x³ + 3 not a square in Fp: no
// BN254 G1 point has it.
func offCurveX(t *testing.T) [32]byte {
	var x, y, three fp.Element
	three.SetUint64(3)
	for i := uint64(1); i < 1000; i++ {
		x.SetUint64(i)
		y.Square(&x).Mul(&y, &x).Add(&y, &three)
		if y.Legendre() == -1 {
			return x.Bytes()
		}
	}
	t.Fatal("no off-curve x found")
	return [32]byte{}
}

func TestParseFieldElement(t *testing.T) {
	r := ecc.BN254.ScalarField()
	rm1 := new(big.Int).Sub(r, big.NewInt(1)).String()
	for _, ok := range []string{"0", "1", rm1} {
		if _, err := ParseFieldElement(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-1", "+1", "01", "0x10", " 1", "1.0", r.String(), strings.Repeat("9", 79)} {
		if _, err := ParseFieldElement(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzDecodeComputeProof: arbitrary bytes never panic, never allocate from an
// unchecked length, and whatever decodes re-encodes to exactly the input.
func FuzzDecodeComputeProof(f *testing.F) {
	good := storedProof(f)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(append(append([]byte(nil), good...), 0))
	f.Add([]byte("ZKPC\x01\x01\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := DecodeComputeProof(b)
		if err != nil {
			if !errors.Is(err, ErrComputeProof) {
				t.Fatalf("error %v does not wrap ErrComputeProof", err)
			}
			return
		}
		again, err := cp.Encode()
		if err != nil {
			t.Fatalf("decoded proof does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs from the input")
		}
	})
}
