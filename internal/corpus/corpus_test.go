package corpus

import (
	"bytes"
	"slices"
	"testing"
)

// TestParseRefuses: the header parser refuses what the README says a
// corpus file may not be, so a malformed case cannot pass as a vacuous one.
func TestParseRefuses(t *testing.T) {
	body := "\n{}\n"
	for _, tc := range []struct{ name, header string }{
		{"no expect", "policy: zk-dev-v1\n"},
		{"unknown expect", "expect: maybe\npolicy: zk-dev-v1\n"},
		{"unknown key", "expect: pass\npolicy: zk-dev-v1\nkeyy: x\n"},
		{"no policy", "expect: pass\n"},
		{"reject without failed", "expect: reject\npolicy: zk-dev-v1\n"},
		{"failed without reject", "expect: pass\npolicy: zk-dev-v1\nfailed: poe\n"},
		{"hold without codes", "expect: hold\npolicy: zk-dev-v1\n"},
		{"hold codes unsorted", "expect: hold\npolicy: zk-dev-v1\nhold: setup_not_trusted key_not_established\n"},
		{"key_needed without its code", "expect: hold\npolicy: zk-dev-v1\nhold: challenge_needed\nkey_needed: sha256:00\n"},
		{"key_needed code without the key", "expect: hold\npolicy: zk-dev-v1\nhold: key_needed\n"},
		{"challenge without root", "expect: pass\npolicy: zk-dev-v1\nchallenge: 00\n"},
		{"challenge not hex", "expect: pass\npolicy: zk-dev-v1\nchallenge: xyz\n"},
		{"root not 32 bytes", "expect: pass\npolicy: zk-dev-v1\nchallenge: 00\ncommitted_root: 00\n"},
		{"a without b", "expect: pass\npolicy: zk-dev-v1\na: a.npy\n"},
		{"key without curve", "expect: pass\npolicy: zk-dev-v1\nkey: groth16 k.vk\n"},
		{"not key: value", "expect: pass\npolicy zk-dev-v1\n"},
	} {
		if _, err := Parse([]byte(tc.header + body)); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := Parse([]byte("expect: pass\npolicy: zk-dev-v1\n")); err == nil {
		t.Error("a header without the empty line was accepted")
	}
}

// TestMarshalRoundTrip: a case written by Marshal parses back to itself,
// the body untouched.
func TestMarshalRoundTrip(t *testing.T) {
	root := [32]byte{1, 2, 3}
	for _, c := range []*Case{
		{Expect: Hold, Hold: []string{HoldKeyNeeded, HoldSetupNotTrusted}, KeyNeeded: "sha256:ab", Policy: "zk-strict-v1",
			Key: &Key{System: "plonk", Curve: "bn254", Path: "keys/k.vk"}, Comment: "a comment: with a colon", Body: []byte("{\n  \"x\": 1\n}\n\n")},
		{Expect: Reject, Failed: []string{"signature", "poe"}, Policy: "policies/p.json", AcceptKeys: []string{"sha256:00", "sha256:11"},
			Challenge: []byte{0xc7, 0xc7}, Root: &root, A: "inputs/a.npy", B: "inputs/b.npy", Body: []byte("{}")},
		{Expect: Malformed, Body: []byte("not json\n")},
	} {
		back, err := Parse(c.Marshal())
		if err != nil {
			t.Fatalf("%s: %v", c.Expect, err)
		}
		if !bytes.Equal(back.Marshal(), c.Marshal()) || !bytes.Equal(back.Body, c.Body) || !slices.Equal(back.Failed, c.Failed) || back.Comment != c.Comment {
			t.Errorf("%s: round trip changed the case: %+v", c.Expect, back)
		}
		if d := back.Diff(Outcome{Expect: c.Expect, Failed: c.Failed, Hold: c.Hold, KeyNeeded: c.KeyNeeded}); d != "" {
			t.Errorf("%s: %s", c.Expect, d)
		}
	}
}
