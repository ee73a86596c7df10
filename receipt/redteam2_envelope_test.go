package receipt

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestRedteam2Finding_EnvelopeDuplicateKeys: the payload is canonical, but
// the outer DSSE envelope is decoded with encoding/json, which keeps the
// last of duplicate members and folds key case. An envelope carrying two
// "payload" members (or "payload" and "Payload") verifies on the last one,
// the signed statement, while a reader that takes the first (many JSON
// libraries, jq's first match, a human) sees another, unsigned statement:
// a receipt file that means two things. Decode must refuse duplicate and
// case-variant keys in the envelope as Statement does in the payload.
func TestRedteam2Finding_EnvelopeDuplicateKeys(t *testing.T) {
	if os.Getenv("ZKPOC_REDTEAM_FINDINGS") != "1" {
		t.Skip("FINDING: receipt.Decode accepts duplicate and case-variant keys in the outer DSSE envelope (last one wins)")
	}
	env := signedEnvelope(t)
	forged := base64.StdEncoding.EncodeToString([]byte(`{"_type":"forged"}`))
	good, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	pair := `"payload":"` + env.Payload + `"`
	if !strings.Contains(string(good), pair) {
		t.Fatalf("envelope encoding has no %s", pair[:12])
	}
	for name, data := range map[string]string{
		"duplicate":    strings.Replace(string(good), pair, `"payload":"`+forged+`",`+pair, 1),
		"case variant": strings.Replace(string(good), pair, `"Payload":"`+forged+`",`+pair, 1),
		"signatures":   strings.Replace(string(good), `"signatures":`, `"signatures":[],"Signatures":`, 1),
	} {
		got, err := Decode([]byte(data))
		if err == nil {
			if verr := got.VerifySignature(testKey(t).Public().(ed25519.PublicKey)); verr == nil {
				t.Errorf("%s keys: decoded and its signature verifies", name)
			} else {
				t.Errorf("%s keys: decoded (%v)", name, verr)
			}
		}
	}
}
