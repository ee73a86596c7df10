package format

import (
	"bytes"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
)

// FuzzParseVK feeds arbitrary bytes to the verifying-key decoder: it must
// return a key or an error, never panic or allocate without bound.
func FuzzParseVK(f *testing.F) {
	set := fixture(f)
	var compressed, raw bytes.Buffer
	if _, err := set.VK.WriteTo(&compressed); err != nil {
		f.Fatal(err)
	}
	if _, err := set.VK.WriteRawTo(&raw); err != nil {
		f.Fatal(err)
	}
	f.Add(compressed.Bytes())
	f.Add(raw.Bytes())
	f.Add(compressed.Bytes()[:len(compressed.Bytes())/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, curve := range []ecc.ID{ecc.BN254, ecc.BLS12_381} {
			vk, err := ParseGroth16VK(data, curve)
			if err == nil && vk == nil {
				t.Fatal("nil key without error")
			}
		}
	})
}
