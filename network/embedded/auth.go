package embedded

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/zkpoc/zkpoc/network"
)

// RoleKeys are the NKey user public keys (U…) of the network's clients:
// the coordinator may do everything, the market and each worker only what
// network.MarketPermissions and network.WorkerPermissions allow. A
// worker's key is its node key (network.NodeNkey); its subjects are keyed
// by the node id derived from it.
type RoleKeys struct {
	Coordinator string
	Market      string
	Workers     []string
}

// roleUser is one user with its role, for the user list and the config.
type roleUser struct {
	nkey  string
	role  string               // comment in the config text
	perms *network.Permissions // nil: everything
}

func (k RoleKeys) users() ([]roleUser, error) {
	seen := map[string]string{}
	check := func(role, key string) error {
		if err := network.CheckUserNkey(key); err != nil {
			return fmt.Errorf("%s key: %w", role, err)
		}
		if other, dup := seen[key]; dup {
			return fmt.Errorf("%s key %s is also the %s key: each role needs its own", role, key, other)
		}
		seen[key] = role
		return nil
	}
	if err := check("coordinator", k.Coordinator); err != nil {
		return nil, err
	}
	if err := check("market", k.Market); err != nil {
		return nil, err
	}
	mp := network.MarketPermissions()
	us := []roleUser{
		{k.Coordinator, "coordinator: everything (it provisions the streams and buckets)", nil},
		{k.Market, "market: intake, reads, the inputs object store", &mp},
	}
	for i, w := range k.Workers {
		role := fmt.Sprintf("worker %d", i+1)
		if err := check(role, w); err != nil {
			return nil, err
		}
		id, err := network.NkeyNodeID(w)
		if err != nil {
			return nil, err
		}
		wp, err := network.WorkerPermissions(id)
		if err != nil {
			return nil, err
		}
		us = append(us, roleUser{w, "worker node " + id, &wp})
	}
	return us, nil
}

// Users is the embedded server's user list (Options.Users) for k.
func Users(k RoleKeys) ([]*server.NkeyUser, error) {
	us, err := k.users()
	if err != nil {
		return nil, err
	}
	out := make([]*server.NkeyUser, len(us))
	for i, u := range us {
		out[i] = &server.NkeyUser{Nkey: u.nkey}
		if u.perms != nil {
			out[i].Permissions = &server.Permissions{
				Publish:   &server.SubjectPermission{Allow: u.perms.Publish},
				Subscribe: &server.SubjectPermission{Allow: u.perms.Subscribe},
			}
		}
	}
	return out, nil
}

// ServerConfig is what ConfigText writes for an external nats-server.
type ServerConfig struct {
	Keys RoleKeys
	// Listen is the client address, HOST:PORT (default 127.0.0.1:4222).
	Listen string
	// StoreDir is the JetStream directory ("": the server's default).
	StoreDir string
}

// ConfigText is a nats-server configuration file with k's users and their
// permissions, JetStream, and the network's payload limit: the same
// server the coordinator embeds, for a nats-server run on its own.
func ConfigText(c ServerConfig) (string, error) {
	us, err := c.Keys.users()
	if err != nil {
		return "", err
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:4222"
	}
	var b strings.Builder
	b.WriteString("# nats-server configuration for the zkpoc network (zkpoc network nats-config).\n")
	b.WriteString("# Every client authenticates with an NKey; each role may publish and subscribe\n")
	b.WriteString("# to the subjects listed and nothing else.\n")
	fmt.Fprintf(&b, "listen: %s\n", quote(c.Listen))
	fmt.Fprintf(&b, "max_payload: %d\n", network.MaxMessageBytes)
	fmt.Fprintf(&b, "max_pending: %d\n", 4*network.MaxMessageBytes)
	b.WriteString("jetstream {\n")
	if c.StoreDir != "" {
		fmt.Fprintf(&b, "  store_dir: %s\n", quote(c.StoreDir))
	}
	b.WriteString("}\nauthorization {\n  users: [\n")
	for _, u := range us {
		fmt.Fprintf(&b, "    # %s\n", u.role)
		if u.perms == nil {
			fmt.Fprintf(&b, "    {nkey: %s}\n", quote(u.nkey))
			continue
		}
		fmt.Fprintf(&b, "    {nkey: %s, permissions: {\n", quote(u.nkey))
		writeList(&b, "publish", u.perms.Publish)
		writeList(&b, "subscribe", u.perms.Subscribe)
		b.WriteString("    }}\n")
	}
	b.WriteString("  ]\n}\n")
	return b.String(), nil
}

// quote writes s as a quoted config string: quoted, a "$" is literal
// (unquoted, it starts a variable reference).
func quote(s string) string { return strconv.Quote(s) }

// writeList writes an allow-list, one subject a line.
func writeList(b *strings.Builder, what string, subjects []string) {
	fmt.Fprintf(b, "      %s: {allow: [\n", what)
	for _, s := range subjects {
		fmt.Fprintf(b, "        %s\n", quote(s))
	}
	b.WriteString("      ]}\n")
}
