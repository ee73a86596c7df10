package verifier_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// signRaw wraps arbitrary payload bytes in an envelope signed by key, as a
// node can sign anything it likes.
func signRaw(key ed25519.PrivateKey, payload []byte) *receipt.Envelope {
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	return &receipt.Envelope{
		PayloadType: receipt.PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures: []receipt.Signature{{
			KeyID: hex.EncodeToString(id[:]),
			Sig:   base64.StdEncoding.EncodeToString(ed25519.Sign(key, receipt.PAE(receipt.PayloadType, payload))),
		}},
	}
}

// payloadOf returns an envelope's raw payload bytes.
func payloadOf(t *testing.T, env *receipt.Envelope) []byte {
	t.Helper()
	_, raw, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
