package network_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/network"
)

func newKey(t *testing.T, b byte) ed25519.PrivateKey {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}

func TestRegistrationSignVerify(t *testing.T) {
	key := newKey(t, 1)
	r := network.Registration{WorkerAddress: "cpc1worker", Budget: network.Budget{Seconds: 60, MemoryBytes: 1 << 30}, Time: 1795000000}
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(); err != nil {
		t.Fatalf("a signed registration does not verify: %v", err)
	}
	other := newKey(t, 2)
	otherPub := other.Public().(ed25519.PublicKey)
	cases := []struct {
		name   string
		mutate func(*network.Registration)
		want   string
	}{
		{"address changed", func(r *network.Registration) { r.WorkerAddress = "cpc1thief" }, "signature"},
		{"budget changed", func(r *network.Registration) { r.Budget.Seconds = 1 }, "signature"},
		{"another key, same id", func(r *network.Registration) { r.PublicKey = hex.EncodeToString(otherPub) }, "node_id"},
		{"node id not hex", func(r *network.Registration) { r.NodeID = "zz" }, "node_id"},
		{"node id with a wildcard", func(r *network.Registration) { r.NodeID = strings.Repeat("a", 63) + ">" }, "node_id"},
		{"short key", func(r *network.Registration) { r.PublicKey = "00" }, "public_key"},
		{"bad address", func(r *network.Registration) { r.WorkerAddress = "has space" }, "worker_address"},
		{"signature truncated", func(r *network.Registration) { r.Signature = r.Signature[:10] }, "signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := r
			c.mutate(&m)
			_, err := m.Verify()
			if err == nil {
				t.Fatal("verified")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name %s", err, c.want)
			}
		})
	}
	// Someone else re-signing the victim's registration gets their own id.
	m := r
	if err := m.Sign(other); err != nil {
		t.Fatal(err)
	}
	if m.NodeID == r.NodeID {
		t.Fatal("a registration signed by another key keeps the first node id")
	}
}

func TestDecodeBounds(t *testing.T) {
	var res network.Result
	if err := network.Decode([]byte(`{"request_id":"x","node_id":"y","role":"primary","attempt":1,"receipt":{}}`), 1<<10, &res); err != nil {
		t.Fatal(err)
	}
	big := []byte(`{"request_id":"` + strings.Repeat("a", 2000) + `"}`)
	if err := network.Decode(big, 1<<10, &res); !errors.Is(err, network.ErrTooLarge) {
		t.Fatalf("oversize message: %v", err)
	}
	for _, bad := range []string{`{"unknown":1}`, `{"attempt":1} {"attempt":2}`, `not json`, `{"attempt":"one"}`, ``} {
		if err := network.Decode([]byte(bad), 1<<10, &res); err == nil {
			t.Errorf("decoded %q", bad)
		}
	}
}

func TestNodeSubject(t *testing.T) {
	id := strings.Repeat("ab", 32)
	s, err := network.NodeSubject(network.SubjectResultsPfx, id)
	if err != nil || s != "zkpoc.results."+id {
		t.Fatalf("%q %v", s, err)
	}
	for _, bad := range []string{"", "*", ">", strings.Repeat("A", 64), strings.Repeat("a", 63) + ".", strings.Repeat("a", 65)} {
		if _, err := network.NodeSubject(network.SubjectResultsPfx, bad); err == nil {
			t.Errorf("subject token %q accepted", bad)
		}
	}
}

func TestBlockHash(t *testing.T) {
	b := network.Block{Height: 1, Parent: hex.EncodeToString(network.GenesisHash[:]), Time: 1795000000}
	h1, err := b.ComputeHash()
	if err != nil {
		t.Fatal(err)
	}
	b.Hash = h1
	h2, _ := b.ComputeHash()
	if h1 != h2 {
		t.Fatal("the hash depends on the Hash field")
	}
	b.Height = 2
	if h3, _ := b.ComputeHash(); h3 == h1 {
		t.Fatal("the hash does not cover the height")
	}
}

// FuzzDecode: no message makes Decode panic, and what it accepts
// re-encodes to a message it accepts again.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"request_id":"` + strings.Repeat("a", 64) + `","node_id":"` + strings.Repeat("b", 64) + `","role":"primary","attempt":1,"receipt":{"payload":"x"}}`))
	f.Add([]byte(`{"matrix_size":8,"frac_bits":8,"reward_wei":"1","deadline":1}`))
	f.Add([]byte(`{"node_id":"x","public_key":"y","worker_address":"z","hardware":{},"budget":{},"time":1,"signature":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{&network.Result{}, &network.IntakeRequest{}, &network.Registration{}, &network.CommitRequest{}, &network.Job{}} {
			if network.Decode(data, 1<<16, v) != nil {
				continue
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T accepted but does not re-encode: %v", v, err)
			}
			if err := network.Decode(again, 1<<20, v); err != nil {
				t.Fatalf("%T re-encoded %s is refused: %v", v, again, err)
			}
		}
		var r network.Registration
		if network.Decode(data, 1<<16, &r) == nil {
			r.Verify() // must not panic
		}
	})
}
