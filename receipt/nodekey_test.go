package receipt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/atomicfile"
)

func TestNodeKeyRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "node.key") // parent created on write
	key := testKey(t)
	if err := WriteNodeKey(path, key); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNodeKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(key) {
		t.Fatal("ReadNodeKey returned a different key")
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Fatalf("node key mode = %o, want 600", perm)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("node key is not a PKCS#8 PEM file:\n%s", data)
	}

	// Overwriting replaces the key.
	if err := WriteNodeKey(path, otherKey()); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadNodeKey(path); err != nil || !got.Equal(otherKey()) {
		t.Fatalf("after overwrite: %v", err)
	}
}

func TestWriteNodeKeyBadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.key")
	for _, key := range []ed25519.PrivateKey{nil, make(ed25519.PrivateKey, 16)} {
		if err := WriteNodeKey(path, key); err == nil {
			t.Errorf("WriteNodeKey of a %d-byte key succeeded", len(key))
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed WriteNodeKey left a file: %v", err)
	}
}

func TestLoadOrCreateNodeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.key")
	k1, created, err := LoadOrCreateNodeKey(path)
	if err != nil || !created || len(k1) != ed25519.PrivateKeySize {
		t.Fatalf("first LoadOrCreateNodeKey = %d bytes, created %v, %v", len(k1), created, err)
	}
	k2, created, err := LoadOrCreateNodeKey(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateNodeKey: created %v, %v", created, err)
	}
	if !k1.Equal(k2) {
		t.Fatal("LoadOrCreateNodeKey did not reuse the stored key")
	}
	if runtime.GOOS != "windows" {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("created key file: %v, %v", st.Mode(), err)
		}
	}
}

func TestReadNodeKeyErrors(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), bytes.NewReader(bytes.Repeat([]byte{7}, 1024)))
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecSEC1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	pub := testKey(t).Public().(ed25519.PublicKey)
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		content []byte
		wantErr error  // nil: any error
		wantMsg string // substring of the error
	}{
		{"empty", nil, nil, "not a PEM"},
		{"garbage", []byte("this is not a key\n"), nil, "not a PEM"},
		{"binary", bytes.Repeat([]byte{0x00, 0xff}, 100), nil, "not a PEM"},
		{"raw seed hex", []byte(rfc8032Seed), nil, "not a PEM"},
		{"ecdsa pkcs8", pemOf("PRIVATE KEY", ecDER), nil, "not an Ed25519 key"},
		{"ecdsa sec1", pemOf("EC PRIVATE KEY", ecSEC1), nil, "not a PEM \"PRIVATE KEY\""},
		{"public key", pemOf("PUBLIC KEY", pubDER), nil, "not a PEM \"PRIVATE KEY\""},
		{"bad der", pemOf("PRIVATE KEY", []byte{0x30, 0x03, 0x02, 0x01}), nil, ""},
		{"truncated pem", pemOf("PRIVATE KEY", ecDER)[:40], nil, "not a PEM"},
		{"oversize", bytes.Repeat([]byte("A"), MaxNodeKeyBytes+1), atomicfile.ErrTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "node.key")
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			key, err := ReadNodeKey(path)
			if err == nil {
				t.Fatalf("ReadNodeKey = %x, want an error", key)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadNodeKey = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("ReadNodeKey = %v, want it to say %q", err, tt.wantMsg)
			}
			if errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a bad key file reads as missing: %v", err)
			}

			// LoadOrCreateNodeKey reports the bad file; it must not replace it.
			if _, created, err := LoadOrCreateNodeKey(path); err == nil || created {
				t.Fatalf("LoadOrCreateNodeKey over a bad file: created %v, %v", created, err)
			}
			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(after, tt.content) {
				t.Fatalf("LoadOrCreateNodeKey changed the bad key file: %v", err)
			}
		})
	}

	if _, err := ReadNodeKey(filepath.Join(t.TempDir(), "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadNodeKey(absent) = %v, want os.ErrNotExist", err)
	}
	if _, err := ReadNodeKey(t.TempDir()); err == nil {
		t.Fatal("ReadNodeKey(directory) succeeded")
	}
}
