package receipt

import (
	"encoding/base64"
	"errors"
	"os"
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

// TestRedteamFinding_PayloadNotCanonical: the signed payload is accepted in
// any form encoding/json can read — invalid UTF-8 (replaced by U+FFFD
// before receipt_id is computed), case-folded keys, duplicate keys (see
// verifier/redteam_json_test.go for what that lets a node do) — so one
// receipt_id names many different signed byte strings, which other JSON
// readers parse differently or not at all. Expected: Statement refuses a
// payload that is not the encoding Sign produces for what it decodes to.
func TestRedteamFinding_PayloadNotCanonical(t *testing.T) {
	if os.Getenv("ZKPOC_REDTEAM_FINDINGS") == "" {
		t.Skip("FINDING: the signed payload need not be canonical (invalid UTF-8, case-folded or duplicate keys decode) (run with ZKPOC_REDTEAM_FINDINGS=1 to see it fail)")
	}
	env := signedEnvelope(t)
	_, raw, err := env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{
		"invalid UTF-8 in the node's CPU name": strings.Replace(string(raw), `"cpu":"`, "\"cpu\":\"\xff\xfe", 1),
		"a key in upper case":                  strings.Replace(string(raw), `"job_id":`, `"JOB_ID":`, 1),
		"a duplicate key":                      strings.Replace(string(raw), `"job_id":`, `"job_id":"x","job_id":`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if p == string(raw) {
				t.Fatal("splice failed")
			}
			e := &Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString([]byte(p)), Signatures: env.Signatures}
			if _, _, err := e.Statement(); err == nil {
				t.Errorf("a non-canonical payload decodes")
			}
		})
	}
}
