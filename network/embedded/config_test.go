package embedded_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
)

// TestConfigText: the generated nats-server configuration parses with
// nats-server's own parser and grants every user exactly the permissions
// the embedded server grants (the same lists, none for the coordinator),
// with the network's payload limit, JetStream and the listen address.
func TestConfigText(t *testing.T) {
	keys := embedded.RoleKeys{Coordinator: pubOf(t, userKP(t)), Market: pubOf(t, userKP(t))}
	for _, w := range []string{"a", "b", "c"} {
		pub, _, err := network.NodeNkey(nodeKeyOf(w))
		if err != nil {
			t.Fatal(err)
		}
		keys.Workers = append(keys.Workers, pub)
	}
	store := filepath.Join(t.TempDir(), "js $store") // a "$" must stay literal
	text, err := embedded.ConfigText(embedded.ServerConfig{Keys: keys, Listen: "127.0.0.1:4333", StoreDir: store})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(path)
	if err != nil {
		t.Fatalf("nats-server cannot parse the generated config: %v\n%s", err, text)
	}
	if opts.Host != "127.0.0.1" || opts.Port != 4333 || opts.MaxPayload != network.MaxMessageBytes || !opts.JetStream || opts.StoreDir != store {
		t.Errorf("listen %s:%d, max_payload %d, jetstream %v in %q", opts.Host, opts.Port, opts.MaxPayload, opts.JetStream, opts.StoreDir)
	}
	want, err := embedded.Users(keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Nkeys) != len(want) {
		t.Fatalf("%d users in the config, want %d", len(opts.Nkeys), len(want))
	}
	for i, w := range want {
		got := opts.Nkeys[i]
		if got.Nkey != w.Nkey {
			t.Fatalf("user %d: nkey %s, want %s", i, got.Nkey, w.Nkey)
		}
		if (w.Permissions == nil) != (got.Permissions == nil) {
			t.Fatalf("user %d: permissions %+v, want %+v", i, got.Permissions, w.Permissions)
		}
		if w.Permissions == nil {
			continue
		}
		for _, p := range []struct {
			what      string
			got, want *server.SubjectPermission
		}{{"publish", got.Permissions.Publish, w.Permissions.Publish}, {"subscribe", got.Permissions.Subscribe, w.Permissions.Subscribe}} {
			if p.got == nil || !slices.Equal(p.got.Allow, p.want.Allow) || len(p.got.Deny) != 0 {
				t.Errorf("user %d %s: %+v, want allow %q", i, p.what, p.got, p.want.Allow)
			}
		}
	}
	// A worker's lists name its own node id, and no other.
	id, _ := network.NkeyNodeID(keys.Workers[1])
	for _, s := range opts.Nkeys[3].Permissions.Publish.Allow {
		if strings.HasPrefix(s, "zkpoc.") && !strings.HasSuffix(s, id) {
			t.Errorf("worker 2 may publish %q, not its own subject", s)
		}
	}
}

// TestRoleKeysRefused: keys that are not user public keys, and one key in
// two roles, are refused.
func TestRoleKeysRefused(t *testing.T) {
	c, m := pubOf(t, userKP(t)), pubOf(t, userKP(t))
	seed, _ := userKP(t).Seed()
	for _, k := range []struct {
		name string
		keys embedded.RoleKeys
		want string
	}{
		{"market is the coordinator", embedded.RoleKeys{Coordinator: c, Market: c}, "also the coordinator key"},
		{"an empty worker key", embedded.RoleKeys{Coordinator: c, Market: m, Workers: []string{pubOf(t, userKP(t)), ""}}, "not an NKey user public key"},
		{"a seed", embedded.RoleKeys{Coordinator: c, Market: m, Workers: []string{string(seed)}}, "a secret"},
		{"a node id", embedded.RoleKeys{Coordinator: c, Market: m, Workers: []string{strings.Repeat("ab", 32)}}, "perhaps a node id"},
		{"a worker as market", embedded.RoleKeys{Coordinator: c, Market: m, Workers: []string{m}}, "also the market key"},
		{"no coordinator", embedded.RoleKeys{Market: m}, "coordinator key"},
	} {
		_, err := embedded.Users(k.keys)
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Errorf("%s: error %v, want %q", k.name, err, k.want)
		}
		if err != nil && len(seed) > 8 && strings.Contains(err.Error(), string(seed[2:10])) {
			t.Errorf("%s: the error quotes the seed: %v", k.name, err)
		}
		if _, err := embedded.ConfigText(embedded.ServerConfig{Keys: k.keys}); err == nil {
			t.Errorf("%s: ConfigText accepted it", k.name)
		}
	}
}
