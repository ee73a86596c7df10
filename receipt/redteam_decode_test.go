package receipt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRedteamDecodeDoS: hostile payloads — deep nesting, long numbers, a
// huge array — are refused with ErrMalformed, quickly, within the envelope
// size limit.
func TestRedteamDecodeDoS(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ name, payload string }{
		{"100k-deep arrays in a known field", `{"subject":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`},
		{"100k-deep objects under the predicate", `{"predicate":` + strings.Repeat(`{"task":`, 50000) + `{}` + strings.Repeat("}", 50000) + `}`},
		{"a 300 kB integer for matrix_size", `{"predicate":{"task":{"payload":{"matrix_size":` + strings.Repeat("9", 300000) + `}}}}`},
		{"matrix_size as 4.0", `{"predicate":{"task":{"payload":{"matrix_size":4.0}}}}`},
		{"matrix_size as 4e0", `{"predicate":{"task":{"payload":{"matrix_size":4e0}}}}`},
		{"k as 1e400", `{"predicate":{"sampling":{"k":1e400}}}`},
		{"epsilon as a string", `{"predicate":{"sampling":{"epsilon":"0.05"}}}`},
		{"200k indices as strings", `{"predicate":{"sampling":{"indices":[` + strings.Repeat(`"1",`, 200000) + `"1"]}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			e := &Envelope{PayloadType: PayloadType, Payload: b64(tc.payload), Signatures: []Signature{{}}}
			_, _, err := e.Statement()
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
	// the file limit holds before parsing
	if _, err := Decode([]byte(strings.Repeat(" ", MaxEnvelopeBytes+1))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized file: %v", err)
	}
}

// TestRedteamPayloadNotCanonical: the signed payload must be the encoding
// Sign produces for what it decodes to. encoding/json would read invalid
// UTF-8 (replaced by U+FFFD before receipt_id is computed), case-folded keys
// and duplicate keys (see verifier/redteam_json_test.go for what that lets a
// node do), so one receipt_id would name many different signed byte
// strings, which other JSON readers parse differently or not at all.
// Statement refuses each with ErrNonCanonical, naming the field.
func TestRedteamPayloadNotCanonical(t *testing.T) {
	env := signedEnvelope(t)
	_, raw, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, payload, field string }{
		{"invalid UTF-8 in the node's CPU name", strings.Replace(string(raw), `"cpu":"`, "\"cpu\":\"\xff\xfe", 1), "predicate.runtime_measurement.cpu"},
		{"a key in upper case", strings.Replace(string(raw), `"job_id":`, `"JOB_ID":`, 1), "predicate.JOB_ID"},
		{"a key with a long s (U+017F folds to s)", strings.Replace(string(raw), `"version":`, `"verſion":`, 1), "predicate.verſion"},
		{"a duplicate key", strings.Replace(string(raw), `"job_id":`, `"job_id":"x","job_id":`, 1), "predicate.job_id"},
		{"a subject digest key twice", strings.Replace(string(raw), `"digest":{`, `"digest":{"sha256-rfc6962":"00",`, 1), "subject[0].digest.sha256-rfc6962"},
		{"whitespace between members", strings.Replace(string(raw), `,"mode":`, `, "mode":`, 1), "predicate.mode"},
		{"a number in exponent form", strings.Replace(string(raw), `"native_seconds":0.125`, `"native_seconds":1.25e-1`, 1), "predicate.runtime_measurement.native_seconds"},
		{"proof bytes in base64 with a line break", strings.Replace(string(raw), `"bytes":"3q2+`, `"bytes":"3q2+\n`, 1), "predicate.proof.bytes"},
		{"an escaped letter", strings.Replace(string(raw), `"mode":"`, `"mode":"\u0062`, 1), "predicate.mode"},
		{"a trailing newline", string(raw) + "\n", "the statement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.payload == string(raw) {
				t.Fatal("splice failed")
			}
			e := &Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString([]byte(tc.payload)), Signatures: env.Signatures}
			_, _, err := e.Statement()
			if !errors.Is(err, ErrNonCanonical) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("a non-canonical payload: err = %v, want ErrNonCanonical and ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), "in "+tc.field+",") {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

// FuzzStatementPayload feeds arbitrary payload bytes to Statement: an error
// wrapping ErrMalformed or a statement whose canonical encoding is exactly
// the payload — one meaning per signed byte string.
func FuzzStatementPayload(f *testing.F) {
	_, raw, err := signedEnvelope(f).Statement()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(strings.Replace(string(raw), `"job_id":`, `"JOB_ID":`, 1)))
	f.Add([]byte(strings.Replace(string(raw), `"job_id":`, `"job_id":"x","job_id":`, 1)))
	f.Add([]byte(`{"subject":[{"digest":{"":"x","a":[]}}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		e := &Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString(payload), Signatures: []Signature{{}}}
		st, got, err := e.Statement()
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Statement error wraps no sentinel: %v", err)
			}
			return
		}
		want, err := json.Marshal(st)
		if err != nil || !bytes.Equal(want, payload) || !bytes.Equal(got, payload) {
			t.Fatalf("accepted payload %q is not the canonical encoding %q (%v)", payload, want, err)
		}
	})
}
