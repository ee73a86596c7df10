package receipt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zkpoc/zkpoc/internal/strictjson"
	"github.com/zkpoc/zkpoc/protocol"
)

// DSSE and in-toto identifiers: the receipt is the predicate of an in-toto
// Statement v1, carried in a DSSE envelope signed by the node's Ed25519 key.
const (
	PayloadType   = "application/vnd.in-toto+json"
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://zkpoc.dev/compute-receipt/v1"
)

// MaxEnvelopeBytes bounds every receipt file read (proofs are < 1 KiB; the
// receipt JSON a few KiB). Larger input is refused before it is parsed.
const MaxEnvelopeBytes = 1 << 20

// Sentinel errors callers branch on.
var (
	ErrMalformed = errors.New("malformed receipt envelope")
	ErrSignature = errors.New("envelope signature does not verify")
	ErrTooLarge  = errors.New("receipt file too large")
	// ErrNonCanonical is wrapped (with ErrMalformed) by Statement's error
	// for a payload that is not the encoding Sign produces for what it
	// decodes to: duplicate or case-variant keys (encoding/json folds case,
	// Unicode simple folding included, and keeps the last duplicate),
	// invalid UTF-8 (decoded as U+FFFD), or any other spelling of the same
	// values. Such bytes mean different things to different JSON readers.
	ErrNonCanonical = errors.New("non-canonical payload")
)

// Envelope is a DSSE envelope (https://github.com/secure-systems-lab/dsse).
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"` // base64 (standard) of the statement
	Signatures  []Signature `json:"signatures"`
}

// Signature is one DSSE signature; KeyID is the hex node_id.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"` // base64 Ed25519 signature over PAE(payloadType, payload)
}

// Statement is the in-toto Statement v1 the envelope carries.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Receipt   `json:"predicate"`
}

// Subject names one artifact by digest: the input commitment and the output digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// DigestAlgorithm labels the Poseidon2 field-element digests in subjects.
const DigestAlgorithm = "poseidon2-bn254"

// DigestAlgorithmBLS12381 labels them when the proof is over BLS12-381.
const DigestAlgorithmBLS12381 = "poseidon2-bls12-381"

// InputSubjectAlgorithm is the in-toto digest-set key of the input
// commitment: the Poseidon2 of the proof's curve for a SNARK receipt, BN254
// otherwise (sampled and binding receipts commit on BN254, and a proof box
// in one of them does not relabel it).
func (r *Receipt) InputSubjectAlgorithm() string {
	if r.Mode.SNARK() && r.Proof != nil && r.Proof.Curve == protocol.BLS12381 {
		return DigestAlgorithmBLS12381
	}
	return DigestAlgorithm
}

// MerkleSubjectAlgorithm labels a Merkle root of output rows in subjects.
const MerkleSubjectAlgorithm = "sha256-rfc6962"

// SubjectAlgorithm is the in-toto digest-set key for an output digest algorithm.
func SubjectAlgorithm(outputDigestAlg string) string {
	switch outputDigestAlg {
	case DigestMerkleRows:
		return MerkleSubjectAlgorithm
	case protocol.OutputDigestAlgorithm(protocol.BLS12381):
		return DigestAlgorithmBLS12381
	}
	return DigestAlgorithm
}

// Subjects are the in-toto subjects of the receipt's statement, in the order
// Sign lists them: its input commitment and its output digest, each under
// its algorithm. A valid statement lists exactly these, each once.
func (r *Receipt) Subjects() []Subject {
	return []Subject{
		{Name: "input_commitment", Digest: map[string]string{r.InputSubjectAlgorithm(): r.InputCommitment}},
		{Name: "output_digest", Digest: map[string]string{SubjectAlgorithm(r.OutputDigestAlg): r.OutputDigest}},
	}
}

// PAE is DSSE's pre-authentication encoding, the bytes actually signed.
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// Sign wraps the receipt in an in-toto statement and a DSSE envelope signed by key.
func Sign(r *Receipt, key ed25519.PrivateKey) (*Envelope, error) {
	if r == nil {
		return nil, errors.New("sign receipt: nil receipt")
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign receipt %s: private key has %d bytes, want %d", r.ReceiptID, len(key), ed25519.PrivateKeySize)
	}
	// An Ed25519 private key is seed ‖ public key; with a mismatched public
	// half the keyid would name a key that did not sign, and nothing verifies.
	if !bytes.Equal(key[ed25519.SeedSize:], ed25519.NewKeyFromSeed(key.Seed())[ed25519.SeedSize:]) {
		return nil, fmt.Errorf("sign receipt %s: private key's public half does not match its seed", r.ReceiptID)
	}
	st := Statement{
		Type:          StatementType,
		Subject:       r.Subjects(),
		PredicateType: PredicateType,
		Predicate:     *r,
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("sign receipt %s: %w", r.ReceiptID, err)
	}
	pub := key.Public().(ed25519.PublicKey)
	id := protocol.NodeID(pub)
	sig := ed25519.Sign(key, PAE(PayloadType, payload))
	return &Envelope{
		PayloadType: PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures:  []Signature{{KeyID: hex.EncodeToString(id[:]), Sig: base64.StdEncoding.EncodeToString(sig)}},
	}, nil
}

// Decode parses an envelope, refusing input over MaxEnvelopeBytes, unknown
// fields, trailing data, and duplicate or case-variant keys (which
// encoding/json would resolve to the last or the folded match, another
// reader to the first or none: strictjson.Unmarshal).
func Decode(data []byte) (*Envelope, error) {
	if len(data) > MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: %d bytes > limit %d", ErrTooLarge, len(data), MaxEnvelopeBytes)
	}
	var env Envelope
	if err := strictjson.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if env.PayloadType == "" || env.Payload == "" || len(env.Signatures) == 0 {
		return nil, fmt.Errorf("%w: payloadType, payload and signatures are required", ErrMalformed)
	}
	return &env, nil
}

// ReadFrom decodes an envelope from r, reading at most MaxEnvelopeBytes+1 bytes.
func ReadFrom(r io.Reader) (*Envelope, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxEnvelopeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read receipt: %w", err)
	}
	return Decode(data)
}

// Statement decodes the payload without checking the signature. It refuses
// a payload that is not byte-identical to the encoding Sign produces for the
// statement it decodes to (ErrNonCanonical), so that the signed bytes have
// one meaning for every JSON reader, the one the verifier judges.
func (e *Envelope) Statement() (*Statement, []byte, error) {
	payload, err := base64.StdEncoding.DecodeString(e.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: payload is not base64: %v", ErrMalformed, err)
	}
	var st Statement
	if err := strictjson.Decode(payload, &st); err != nil {
		return nil, nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	if err := checkCanonical(payload, &st); err != nil {
		return nil, nil, err
	}
	return &st, payload, nil
}

// checkCanonical reports where payload first differs from json.Marshal of
// st, the statement it decoded to (the encoder Sign uses), naming the field.
func checkCanonical(payload []byte, st *Statement) error {
	want, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("%w: payload: re-encoding: %v", ErrMalformed, err)
	}
	if bytes.Equal(payload, want) {
		return nil
	}
	i := 0
	for i < len(payload) && i < len(want) && payload[i] == want[i] {
		i++
	}
	return fmt.Errorf("%w: payload: %w: at byte %d, in %s, the signed bytes differ from the canonical encoding of what they decode to (duplicate or case-variant keys, invalid UTF-8, whitespace or another spelling of a value)",
		ErrMalformed, ErrNonCanonical, i, jsonPathAt(payload, i))
}

// jsonPathAt names the member of the JSON document data (already known to
// parse) that holds byte offset off, as a dotted path with [i] for array
// elements ("predicate.sampling.paths[2]").
func jsonPathAt(data []byte, off int) string {
	type frame struct {
		object  bool
		wantKey bool   // object: the next token is a key
		key     string // object: the current member's key
		index   int    // array: the current element's index
	}
	var stack []frame
	path := func(frames []frame) string {
		var b strings.Builder
		for _, f := range frames {
			if !f.object {
				fmt.Fprintf(&b, "[%d]", f.index)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(truncate(f.key, 80))
		}
		if b.Len() == 0 {
			return "the statement"
		}
		return b.String()
	}
	// valueDone moves the enclosing container past the value just read.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return path(stack)
		}
		past := dec.InputOffset() > int64(off)
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			if t == '}' || t == ']' {
				if past {
					return path(stack[:top])
				}
				stack = stack[:top]
				valueDone()
				continue
			}
			if past {
				return path(stack)
			}
			stack = append(stack, frame{object: t == '{', wantKey: true})
			continue
		case string:
			if top >= 0 && stack[top].wantKey {
				stack[top].key, stack[top].wantKey = t, false
				if past {
					return path(stack)
				}
				continue
			}
		}
		if past {
			return path(stack)
		}
		valueDone()
	}
}

// VerifySignature checks that exactly one signature by pub covers the payload
// and that its keyid is SHA-256(pub).
func (e *Envelope) VerifySignature(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key has %d bytes, want %d", ErrSignature, len(pub), ed25519.PublicKeySize)
	}
	payload, err := base64.StdEncoding.DecodeString(e.Payload)
	if err != nil {
		return fmt.Errorf("%w: payload is not base64", ErrMalformed)
	}
	if len(e.Signatures) != 1 {
		return fmt.Errorf("%w: want exactly 1 signature, have %d", ErrSignature, len(e.Signatures))
	}
	s := e.Signatures[0]
	id := protocol.NodeID(pub)
	if s.KeyID != hex.EncodeToString(id[:]) {
		return fmt.Errorf("%w: keyid %q is not the node_id of the receipt's public key", ErrSignature, truncate(s.KeyID, 80))
	}
	sig, err := base64.StdEncoding.DecodeString(s.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature is not a base64 Ed25519 signature", ErrSignature)
	}
	if !ed25519.Verify(pub, PAE(e.PayloadType, payload), sig) {
		return ErrSignature
	}
	return nil
}
