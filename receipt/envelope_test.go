package receipt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
)

func TestSignRoundTrip(t *testing.T) {
	key := testKey(t)
	pub := key.Public().(ed25519.PublicKey)
	r := fullReceipt(t)
	env, err := Sign(&r, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}

	got, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if err := got.VerifySignature(pub); err != nil {
		t.Fatalf("VerifySignature: %v", err)
	}
	st, payload, err := got.Statement()
	if err != nil {
		t.Fatalf("Statement: %v", err)
	}

	if got.PayloadType != PayloadType {
		t.Errorf("payloadType = %q, want %q", got.PayloadType, PayloadType)
	}
	id := protocol.NodeID(pub)
	if len(got.Signatures) != 1 || got.Signatures[0].KeyID != hex.EncodeToString(id[:]) {
		t.Errorf("signatures = %+v, want one with keyid %x", got.Signatures, id)
	}
	if st.Type != StatementType || st.PredicateType != PredicateType {
		t.Errorf("_type, predicateType = %q, %q", st.Type, st.PredicateType)
	}
	wantSubjects := []Subject{
		{Name: "input_commitment", Digest: map[string]string{DigestAlgorithm: r.InputCommitment}},
		{Name: "output_digest", Digest: map[string]string{DigestAlgorithm: r.OutputDigest}},
	}
	if !reflect.DeepEqual(st.Subject, wantSubjects) {
		t.Errorf("subject = %+v, want %+v", st.Subject, wantSubjects)
	}
	if !reflect.DeepEqual(st.Predicate, r) {
		t.Errorf("predicate differs from the signed receipt:\n got %+v\nwant %+v", st.Predicate, r)
	}
	if err := st.Predicate.Validate(); err != nil {
		t.Errorf("decoded predicate: %v", err)
	}
	if rid, err := st.Predicate.ComputeID(); err != nil || rid != r.ReceiptID {
		t.Errorf("decoded predicate ComputeID = %q, %v; want %q", rid, err, r.ReceiptID)
	}
	// The payload carries the raw JSON keys the in-toto spec names.
	for _, key := range []string{`"_type"`, `"predicateType"`, `"subject"`, `"predicate"`} {
		if !bytes.Contains(payload, []byte(key)) {
			t.Errorf("payload lacks %s", key)
		}
	}

	// ReadFrom decodes the same bytes.
	viaReader, err := ReadFrom(bytes.NewReader(data))
	if err != nil || !reflect.DeepEqual(viaReader, got) {
		t.Errorf("ReadFrom = %+v, %v; want %+v", viaReader, err, got)
	}

	// Signing is deterministic: the same receipt and key give the same envelope.
	again, err := Sign(&r, key)
	if err != nil || !reflect.DeepEqual(again, env) {
		t.Errorf("Sign is not deterministic")
	}
}

func TestSignBadKey(t *testing.T) {
	r := fullReceipt(t)
	mismatched := append(ed25519.PrivateKey(nil), testKey(t)...)
	mismatched[40] ^= 1 // public half no longer matches the seed
	for _, key := range []ed25519.PrivateKey{nil, make(ed25519.PrivateKey, 31), make(ed25519.PrivateKey, 65), mismatched} {
		if env, err := Sign(&r, key); err == nil {
			t.Errorf("Sign with a %d-byte key = %+v, want an error", len(key), env)
		}
	}
	if _, err := Sign(nil, testKey(t)); err == nil {
		t.Error("Sign(nil receipt) succeeded")
	}
}

// tamper returns a copy of env changed by fn.
func tamper(env *Envelope, fn func(*Envelope)) *Envelope {
	c := *env
	c.Signatures = append([]Signature(nil), env.Signatures...)
	fn(&c)
	return &c
}

func flipB64(t testing.TB, s string, i int) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

func TestVerifySignatureTamper(t *testing.T) {
	key := testKey(t)
	pub := key.Public().(ed25519.PublicKey)
	env := signedEnvelope(t)
	if err := env.VerifySignature(pub); err != nil {
		t.Fatalf("untampered envelope: %v", err)
	}

	// A statement re-encoded with a changed output_digest: valid JSON, wrong signature.
	st, _, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	st.Predicate.OutputDigest = strings.Repeat("0", 63) + "b"
	forged, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		env     *Envelope
		pub     ed25519.PublicKey
		wantErr error
		// statementErr: Statement (which ignores signatures) fails with it too.
		statementErr error
	}{
		{"payload first byte", tamper(env, func(e *Envelope) { e.Payload = flipB64(t, e.Payload, 0) }), pub, ErrSignature, ErrMalformed},
		{"payload middle byte", tamper(env, func(e *Envelope) { e.Payload = flipB64(t, e.Payload, 100) }), pub, ErrSignature, nil},
		{"payload last byte", tamper(env, func(e *Envelope) { e.Payload = flipB64(t, e.Payload, -1) }), pub, ErrSignature, ErrMalformed},
		{"payload re-signed content", tamper(env, func(e *Envelope) { e.Payload = base64.StdEncoding.EncodeToString(forged) }), pub, ErrSignature, nil},
		{"payload truncated", tamper(env, func(e *Envelope) { e.Payload = e.Payload[:len(e.Payload)-4] }), pub, ErrSignature, ErrMalformed},
		{"payloadType", tamper(env, func(e *Envelope) { e.PayloadType = "application/json" }), pub, ErrSignature, nil},
		{"sig first byte", tamper(env, func(e *Envelope) { e.Signatures[0].Sig = flipB64(t, e.Signatures[0].Sig, 0) }), pub, ErrSignature, nil},
		{"sig last byte", tamper(env, func(e *Envelope) { e.Signatures[0].Sig = flipB64(t, e.Signatures[0].Sig, -1) }), pub, ErrSignature, nil},
		{"sig truncated", tamper(env, func(e *Envelope) { e.Signatures[0].Sig = e.Signatures[0].Sig[:84] }), pub, ErrSignature, nil},
		{"sig empty", tamper(env, func(e *Envelope) { e.Signatures[0].Sig = "" }), pub, ErrSignature, nil},
		{"sig not base64", tamper(env, func(e *Envelope) { e.Signatures[0].Sig = "!!" + e.Signatures[0].Sig[2:] }), pub, ErrSignature, nil},
		{"keyid changed", tamper(env, func(e *Envelope) { e.Signatures[0].KeyID = strings.Repeat("0", 64) }), pub, ErrSignature, nil},
		{"keyid uppercase", tamper(env, func(e *Envelope) { e.Signatures[0].KeyID = strings.ToUpper(e.Signatures[0].KeyID) }), pub, ErrSignature, nil},
		{"keyid empty", tamper(env, func(e *Envelope) { e.Signatures[0].KeyID = "" }), pub, ErrSignature, nil},
		{"second signature", tamper(env, func(e *Envelope) { e.Signatures = append(e.Signatures, e.Signatures[0]) }), pub, ErrSignature, nil},
		{"no signatures", tamper(env, func(e *Envelope) { e.Signatures = nil }), pub, ErrSignature, nil},
		{"wrong public key", env, otherKey().Public().(ed25519.PublicKey), ErrSignature, nil},
		{"short public key", env, pub[:31], ErrSignature, nil},
		{"nil public key", env, nil, ErrSignature, nil},
		{"payload not base64", tamper(env, func(e *Envelope) { e.Payload = "%%%" + e.Payload[3:] }), pub, ErrMalformed, ErrMalformed},
		{"payload url-safe alphabet", tamper(env, func(e *Envelope) { e.Payload = "-_" + e.Payload[2:] }), pub, ErrMalformed, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.env.VerifySignature(tt.pub)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("VerifySignature = %v, want %v", err, tt.wantErr)
			}
			_, _, err = tt.env.Statement()
			if tt.statementErr == nil {
				return
			}
			if !errors.Is(err, tt.statementErr) {
				t.Errorf("Statement = %v, want %v", err, tt.statementErr)
			}
		})
	}
	// Tampering copies; the original still verifies.
	if err := env.VerifySignature(pub); err != nil {
		t.Fatalf("original envelope changed by the table: %v", err)
	}
}

func TestStatementMalformed(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct{ name, payload string }{
		{"not base64", "not base64!"},
		{"not json", b64("hello")},
		{"truncated json", b64(`{"_type":"x"`)},
		{"unknown field", b64(`{"_type":"x","extra":1}`)},
		{"unknown predicate field", b64(`{"predicate":{"version":"v","surprise":true}}`)},
		{"trailing data", b64(`{"_type":"x"} {"_type":"y"}`)},
		{"trailing brace", b64(`{"_type":"x"}}`)},
		{"trailing bracket", b64(`{"_type":"x"}]`)},
		{"wrong type", b64(`{"subject":"x"}`)},
		{"array", b64(`[]`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Envelope{PayloadType: PayloadType, Payload: tt.payload, Signatures: []Signature{{}}}
			st, _, err := e.Statement()
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Statement = %+v, %v; want ErrMalformed", st, err)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	good, err := json.Marshal(signedEnvelope(t))
	if err != nil {
		t.Fatal(err)
	}
	withoutField := func(field string) []byte {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, field)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	withField := func(field, value string) []byte {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		m[field] = json.RawMessage(value)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"empty", nil, ErrMalformed},
		{"whitespace", []byte(" \n\t"), ErrMalformed},
		{"null", []byte("null"), ErrMalformed},
		{"empty object", []byte("{}"), ErrMalformed},
		{"array", []byte("[]"), ErrMalformed},
		{"not json", []byte("hello, world"), ErrMalformed},
		{"binary", []byte{0xff, 0xfe, 0x00, 0x01}, ErrMalformed},
		{"truncated", good[:len(good)/2], ErrMalformed},
		{"truncated by one", good[:len(good)-1], ErrMalformed},
		{"trailing object", cat(good, []byte(" {}")), ErrMalformed},
		{"trailing garbage", cat(good, []byte("x")), ErrMalformed},
		{"trailing brace", cat(good, []byte("}")), ErrMalformed},
		{"trailing bracket", cat(good, []byte("]")), ErrMalformed},
		{"second envelope", cat(good, good), ErrMalformed},
		{"unknown field", withField("extra", `1`), ErrMalformed},
		{"unknown signature field", withField("signatures", `[{"keyid":"a","sig":"b","cert":"c"}]`), ErrMalformed},
		{"missing payloadType", withoutField("payloadType"), ErrMalformed},
		{"missing payload", withoutField("payload"), ErrMalformed},
		{"missing signatures", withoutField("signatures"), ErrMalformed},
		{"empty payloadType", withField("payloadType", `""`), ErrMalformed},
		{"empty payload", withField("payload", `""`), ErrMalformed},
		{"empty signatures", withField("signatures", `[]`), ErrMalformed},
		{"null signatures", withField("signatures", `null`), ErrMalformed},
		{"payload wrong type", withField("payload", `42`), ErrMalformed},
		{"signatures wrong type", withField("signatures", `{}`), ErrMalformed},
		{"too large", cat(good, bytes.Repeat([]byte(" "), MaxEnvelopeBytes)), ErrTooLarge},
		{"too large garbage", bytes.Repeat([]byte("{"), MaxEnvelopeBytes+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Decode(tt.data)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decode = %+v, %v; want %v", env, err, tt.wantErr)
			}
			if env != nil {
				t.Fatalf("Decode returned an envelope with its error: %+v", env)
			}
			if tt.wantErr == ErrTooLarge && errors.Is(err, ErrMalformed) {
				t.Fatalf("oversize input was parsed: %v", err)
			}
			if len(err.Error()) > 512 {
				t.Fatalf("error is %d bytes long; input must not be echoed", len(err.Error()))
			}
		})
	}

	// Whitespace around the value is fine.
	if _, err := Decode(cat([]byte("\n "), good, []byte(" \n"))); err != nil {
		t.Fatalf("Decode with surrounding whitespace: %v", err)
	}
	// Exactly MaxEnvelopeBytes is accepted (padding is whitespace).
	atLimit := cat(good, bytes.Repeat([]byte(" "), MaxEnvelopeBytes-len(good)))
	if _, err := Decode(atLimit); err != nil {
		t.Fatalf("Decode of exactly MaxEnvelopeBytes: %v", err)
	}
	if _, err := ReadFrom(bytes.NewReader(atLimit)); err != nil {
		t.Fatalf("ReadFrom of exactly MaxEnvelopeBytes: %v", err)
	}
	if _, err := ReadFrom(bytes.NewReader(append(atLimit, ' '))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFrom of MaxEnvelopeBytes+1 = %v, want ErrTooLarge", err)
	}
}

// endlessReader yields '{' forever.
type endlessReader struct{ n int64 }

func (r *endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '{'
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestReadFromBounded(t *testing.T) {
	r := &endlessReader{}
	if _, err := ReadFrom(r); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFrom(endless) = %v, want ErrTooLarge", err)
	}
	if r.n > 2*MaxEnvelopeBytes {
		t.Fatalf("ReadFrom read %d bytes of an endless stream", r.n)
	}
}

func FuzzDecode(f *testing.F) {
	env := signedEnvelope(f)
	good, err := json.Marshal(env)
	if err != nil {
		f.Fatal(err)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(append(append([]byte{}, good...), '}'))
	f.Add([]byte(`{"payloadType":"x","payload":"bnVsbA==","signatures":[{"keyid":"","sig":""}]}`))
	f.Add([]byte(`{"payloadType":"x","payload":"W10=","signatures":[{}]}`))
	f.Add(payload)
	f.Add([]byte("null"))
	f.Add([]byte{})

	pub := testKey(f).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Decode(data)
		if err != nil {
			if env != nil {
				t.Fatal("Decode returned an envelope with its error")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Decode error wraps no sentinel: %v", err)
			}
			return
		}
		if env.PayloadType == "" || env.Payload == "" || len(env.Signatures) == 0 {
			t.Fatalf("Decode accepted an incomplete envelope: %+v", env)
		}
		if st, _, err := env.Statement(); err == nil {
			_ = st.Predicate.Validate()
			_, _ = st.Predicate.ComputeID()
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("Statement error wraps no sentinel: %v", err)
		}
		if err := env.VerifySignature(pub); err == nil {
			// Only the real envelope (modulo JSON formatting) verifies.
			st, _, err := env.Statement()
			if err != nil {
				t.Fatalf("verified envelope has a malformed statement: %v", err)
			}
			if st.PredicateType != PredicateType {
				t.Fatalf("verified envelope with predicateType %q", st.PredicateType)
			}
		} else if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("VerifySignature error wraps no sentinel: %v", err)
		}
	})
}
