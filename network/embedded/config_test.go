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
// nats-server's own parser (the embedded server parses the same accounts
// text) and puts every user in its role's account with exactly its role's
// permissions (none for the coordinator), with the network's payload
// limit, JetStream and the listen address.
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
	want := map[string]struct {
		account string
		perms   *network.Permissions
	}{keys.Coordinator: {embedded.AccountCoordinator, nil}}
	mp := network.MarketPermissions()
	want[keys.Market] = struct {
		account string
		perms   *network.Permissions
	}{embedded.AccountMarket, &mp}
	for _, w := range keys.Workers {
		id, _ := network.NkeyNodeID(w)
		wp, _ := network.WorkerPermissions(id)
		want[w] = struct {
			account string
			perms   *network.Permissions
		}{embedded.AccountWorkers, &wp}
	}
	if len(opts.Nkeys) != len(want) {
		t.Fatalf("%d users in the config, want %d", len(opts.Nkeys), len(want))
	}
	for _, got := range opts.Nkeys {
		w, ok := want[got.Nkey]
		if !ok {
			t.Fatalf("user %s is not one of the keys", got.Nkey)
		}
		if got.Account == nil || got.Account.Name != w.account {
			t.Errorf("user %s in account %v, want %s", got.Nkey, got.Account, w.account)
		}
		if (w.perms == nil) != (got.Permissions == nil) {
			t.Fatalf("user %s: permissions %+v, want %+v", got.Nkey, got.Permissions, w.perms)
		}
		if w.perms == nil {
			continue
		}
		for _, p := range []struct {
			what string
			got  *server.SubjectPermission
			want []string
		}{{"publish", got.Permissions.Publish, w.perms.Publish}, {"subscribe", got.Permissions.Subscribe, w.perms.Subscribe}} {
			if p.got == nil || !slices.Equal(p.got.Allow, p.want) || len(p.got.Deny) != 0 {
				t.Errorf("user %s %s: %+v, want allow %q", got.Nkey, p.what, p.got, p.want)
			}
		}
	}
	// Only the coordinator's account has JetStream; the others import
	// its exports, one import per subject their users may publish to.
	for _, acc := range opts.Accounts {
		switch acc.Name {
		case embedded.AccountCoordinator:
			if acc.JetStreamEnabled() {
				continue // parsed limits are applied at start
			}
		case embedded.AccountWorkers, embedded.AccountMarket:
		default:
			t.Errorf("unexpected account %s", acc.Name)
		}
	}
	// A worker's lists name its own node id, and no other.
	id, _ := network.NkeyNodeID(keys.Workers[1])
	var worker2 *server.NkeyUser
	for _, u := range opts.Nkeys {
		if u.Nkey == keys.Workers[1] {
			worker2 = u
		}
	}
	for _, s := range worker2.Permissions.Publish.Allow {
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
		_, err := embedded.ConfigText(embedded.ServerConfig{Keys: k.keys})
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Errorf("%s: error %v, want %q", k.name, err, k.want)
		}
		if err != nil && len(seed) > 8 && strings.Contains(err.Error(), string(seed[2:10])) {
			t.Errorf("%s: the error quotes the seed: %v", k.name, err)
		}
		if _, err := embedded.Start(embedded.Options{Dir: t.TempDir(), Auth: &k.keys}); err == nil {
			t.Errorf("%s: the embedded server started with them", k.name)
		}
	}
}
