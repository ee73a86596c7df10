package network_test

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/nats-io/nkeys"

	"github.com/zkpoc/zkpoc/network"
)

// FuzzAuthStrings: the parsers of allowlist lines and the coordinator's
// reply rule, on any input. An NKey parses to a 64-hex node id only when
// it is a valid user public key; an error never quotes a seed; an answer
// is allowed only at an inbox (_INBOX…, or a service import's _R_.), never
// at a stream's subject.
func FuzzAuthStrings(f *testing.F) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub, kp, err := network.NodeNkey(key)
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := kp.Seed()
	f.Add(pub, network.SubjectRegisterPfx+strings.Repeat("ab", 32), "_INBOX_"+strings.Repeat("ab", 32)+".x")
	f.Add(string(seed), network.SubjectIntake, "_INBOX_market.1")
	f.Add(strings.Repeat("ab", 32), network.SubjectCommitPfx+"x", "zkpoc.blocks")
	f.Add("U", network.SubjectIntake, "$KV.zkpoc_ledger.credit")
	f.Fuzz(func(t *testing.T, nkey, subject, reply string) {
		id, err := network.NkeyNodeID(nkey)
		if err == nil {
			if network.CheckID("node_id", id) != nil || !nkeys.IsValidPublicUserKey(nkey) {
				t.Fatalf("%q parsed to node id %q", nkey, id)
			}
		} else if _, serr := nkeys.FromSeed([]byte(nkey)); serr == nil && len(nkey) > 8 && strings.Contains(err.Error(), nkey[:len(nkey)/2]) {
			t.Fatalf("the error quotes a seed: %v", err)
		}
		if network.ReplyAllowed(subject, reply) && !strings.HasPrefix(reply, "_INBOX") && !strings.HasPrefix(reply, "_R_.") {
			t.Fatalf("an answer to %q allowed at %q", subject, reply)
		}
	})
}
