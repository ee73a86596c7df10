package receipt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
)

// v1Identities is the "identities" section of the protocol v1 conformance vectors.
type v1Identities struct {
	Ed25519PublicKey    string `json:"ed25519_public_key"`
	NodeID              string `json:"node_id"`
	RequestID           string `json:"request_id"`
	OutputDigestExample string `json:"output_digest_example"`
	PoE                 string `json:"poe"`
}

func loadIdentities(t *testing.T) v1Identities {
	t.Helper()
	raw, err := os.ReadFile("../workload/testdata/v1.json")
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var v struct {
		Identities v1Identities `json:"identities"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parse vectors: %v", err)
	}
	if v.Identities.PoE == "" || v.Identities.NodeID == "" {
		t.Fatal("vectors: empty identities section")
	}
	return v.Identities
}

func mustHex32(t *testing.T, field, s string) [32]byte {
	t.Helper()
	b, err := DecodeHex32(field, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectorNodeID(t *testing.T) {
	v := loadIdentities(t)
	pub, err := hex.DecodeString(v.Ed25519PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("vector public key: %v", err)
	}
	got := protocol.NodeID(ed25519.PublicKey(pub))
	if hex.EncodeToString(got[:]) != v.NodeID {
		t.Fatalf("NodeID = %x, want %s", got, v.NodeID)
	}
	// The deterministic test key is RFC 8032 TEST 1, whose public key is the vector's.
	if k := testKey(t).Public().(ed25519.PublicKey); !bytes.Equal(k, pub) {
		t.Fatalf("testKey public key = %x, want %s", k, v.Ed25519PublicKey)
	}
}

func TestVectorPoE(t *testing.T) {
	v := loadIdentities(t)
	got := protocol.PoE(
		mustHex32(t, "request_id", v.RequestID),
		mustHex32(t, "output_digest", v.OutputDigestExample),
		mustHex32(t, "node_id", v.NodeID),
	)
	if hex.EncodeToString(got[:]) != v.PoE {
		t.Fatalf("PoE = %x, want %s", got, v.PoE)
	}
	// The order of the three inputs matters.
	swapped := protocol.PoE(
		mustHex32(t, "node_id", v.NodeID),
		mustHex32(t, "output_digest", v.OutputDigestExample),
		mustHex32(t, "request_id", v.RequestID),
	)
	if swapped == got {
		t.Fatal("PoE is insensitive to input order")
	}
}

func TestPAE(t *testing.T) {
	tests := []struct {
		name, payloadType, payload, want string
	}{
		// The published example of the DSSE protocol specification.
		{"dsse spec", "http://example.com/HelloWorld", "hello world", "DSSEv1 29 http://example.com/HelloWorld 11 hello world"},
		{"empty", "", "", "DSSEv1 0  0 "},
		{"in-toto", PayloadType, "{}", "DSSEv1 28 application/vnd.in-toto+json 2 {}"},
		// Lengths are of bytes, not runes.
		{"utf8", "t", "é", "DSSEv1 1 t 2 é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(PAE(tt.payloadType, []byte(tt.payload))); got != tt.want {
				t.Fatalf("PAE = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWorkloadDigest(t *testing.T) {
	a := WorkloadDigest("freivalds", 4, 8)
	if len(a) != len("sha256:")+64 {
		t.Fatalf("WorkloadDigest = %q: want sha256:<64 hex>", a)
	}
	if _, err := DecodeHex32("workload_digest", a); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{WorkloadDigest("naive", 4, 8), WorkloadDigest("freivalds", 8, 8), WorkloadDigest("freivalds", 4, 9)} {
		if a == b {
			t.Fatalf("WorkloadDigest does not separate circuit, n and f: %s", a)
		}
	}
}
