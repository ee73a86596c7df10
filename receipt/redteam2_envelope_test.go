package receipt

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestRedteam2EnvelopeDuplicateKeys: the payload is canonical, but the
// outer DSSE envelope was decoded with encoding/json, which keeps the last
// of duplicate members and folds key case. An envelope carrying two
// "payload" members (or "payload" and "Payload") verified on the last one,
// the signed statement, while a reader that takes the first (many JSON
// libraries, jq's first match, a human) sees another, unsigned statement:
// a receipt file that means two things. Decode refuses duplicate and
// case-variant keys in the envelope (ErrMalformed, naming the key).
func TestRedteam2EnvelopeDuplicateKeys(t *testing.T) {
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
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "key") {
			t.Errorf("%s keys: err = %v, want ErrMalformed naming the key", name, err)
		}
		if err == nil {
			if verr := got.VerifySignature(testKey(t).Public().(ed25519.PublicKey)); verr == nil {
				t.Errorf("%s keys: decoded and its signature verifies", name)
			} else {
				t.Errorf("%s keys: decoded (%v)", name, verr)
			}
		}
	}
}
