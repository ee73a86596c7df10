package receipt

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/zkpoc/zkpoc/atomicfile"
)

// MaxNodeKeyBytes bounds a node key file.
const MaxNodeKeyBytes = 4096

// GenerateNodeKey makes a fresh Ed25519 node key from crypto/rand.
func GenerateNodeKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate node key: %w", err)
	}
	return priv, nil
}

// WriteNodeKey stores key as a PKCS#8 PEM file readable only by its owner, atomically.
func WriteNodeKey(path string, key ed25519.PrivateKey) error {
	if len(key) != ed25519.PrivateKeySize {
		return fmt.Errorf("write node key %s: private key has %d bytes, want %d", path, len(key), ed25519.PrivateKeySize)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("write node key %s: %w", path, err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("write node key %s: %w", path, err)
	}
	return nil
}

// ReadNodeKey loads an Ed25519 node key written by WriteNodeKey.
func ReadNodeKey(path string) (ed25519.PrivateKey, error) {
	data, err := atomicfile.ReadLimited(path, MaxNodeKeyBytes)
	if err != nil {
		return nil, fmt.Errorf("read node key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("read node key %s: not a PEM \"PRIVATE KEY\" file", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read node key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("read node key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// LoadOrCreateNodeKey reads the key at path, creating it first if absent.
func LoadOrCreateNodeKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	key, err = ReadNodeKey(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	if key, err = GenerateNodeKey(); err != nil {
		return nil, false, err
	}
	if err := WriteNodeKey(path, key); err != nil {
		return nil, false, err
	}
	return key, true, nil
}
