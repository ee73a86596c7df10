package embedded

import (
	"fmt"
	"slices"
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

// The accounts of an authenticated server. The coordinator's holds every
// stream and bucket; the workers and the market reach it only through the
// services it exports to theirs (network.WorkerExports, MarketExports),
// and every answer, from the coordinator or from JetStream, lands back in
// their account. Within one account a request could name a stream's
// subject as its reply and have the server write its answer there.
const (
	AccountCoordinator = "ZKPOC"
	AccountWorkers     = "ZKPOC_WORKERS"
	AccountMarket      = "ZKPOC_MARKET"
)

// jsAPIInfo is JetStream's account-info request subject.
const jsAPIInfo = "$JS.API.INFO"

// roleUser is one user with its role, for the user list and the config.
type roleUser struct {
	nkey    string
	role    string               // comment in the config text
	account string               // its account
	perms   *network.Permissions // nil: everything
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
		{k.Coordinator, "coordinator: everything (it provisions the streams and buckets)", AccountCoordinator, nil},
		{k.Market, "market: intake, reads, the inputs object store", AccountMarket, &mp},
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
		us = append(us, roleUser{w, "worker node " + id, AccountWorkers, &wp})
	}
	return us, nil
}

// ServerConfig is what ConfigText writes for an external nats-server.
type ServerConfig struct {
	Keys RoleKeys
	// Listen is the client address, HOST:PORT (default 127.0.0.1:4222).
	Listen string
	// StoreDir is the JetStream directory ("": the server's default).
	StoreDir string
}

// ConfigText is a nats-server configuration file with k's accounts, users
// and their permissions, JetStream, and the network's payload limit: the
// same server the coordinator embeds with --workers, for a nats-server run
// on its own.
func ConfigText(c ServerConfig) (string, error) {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:4222"
	}
	accounts, err := accountsText(c.Keys)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# nats-server configuration for the zkpoc network (zkpoc network nats-config).\n")
	b.WriteString("# Every client authenticates with an NKey; each role may publish and subscribe\n")
	b.WriteString("# to the subjects listed and nothing else, the workers and the market in\n")
	b.WriteString("# accounts of their own that reach the coordinator's only through its exports.\n")
	fmt.Fprintf(&b, "listen: %s\n", quote(c.Listen))
	fmt.Fprintf(&b, "max_payload: %d\n", network.MaxMessageBytes)
	fmt.Fprintf(&b, "max_pending: %d\n", 4*network.MaxMessageBytes)
	b.WriteString("jetstream {\n")
	if c.StoreDir != "" {
		fmt.Fprintf(&b, "  store_dir: %s\n", quote(c.StoreDir))
	}
	b.WriteString("}\n")
	b.WriteString(accounts)
	return b.String(), nil
}

// accountsText is the accounts block of k's server.
func accountsText(k RoleKeys) (string, error) {
	us, err := k.users()
	if err != nil {
		return "", err
	}
	// Each exported subject, once, with the accounts it is exported to.
	// $JS.API.INFO, which no user may publish to, is imported by both only
	// so that the server does not import its whole JetStream API ($JS.API.>)
	// into their accounts, which have no JetStream: it would answer the
	// imported requests first, "JetStream not enabled for account" (it
	// skips that import where one of an account's imports covers
	// $JS.API.INFO).
	var subjects []string
	to := map[string][]string{}
	for _, e := range []struct {
		account  string
		subjects []string
	}{{AccountWorkers, network.WorkerExports()}, {AccountMarket, network.MarketExports()},
		{AccountWorkers, []string{jsAPIInfo}}, {AccountMarket, []string{jsAPIInfo}}} {
		for _, s := range e.subjects {
			if _, ok := to[s]; !ok {
				subjects = append(subjects, s)
			}
			to[s] = append(to[s], e.account)
		}
	}
	var b strings.Builder
	b.WriteString("accounts {\n")
	for _, acct := range []string{AccountCoordinator, AccountMarket, AccountWorkers} {
		fmt.Fprintf(&b, "  %s: {\n", acct)
		if acct == AccountCoordinator {
			b.WriteString("    jetstream: enabled\n")
		}
		b.WriteString("    users: [\n")
		for _, u := range us {
			if u.account != acct {
				continue
			}
			fmt.Fprintf(&b, "      # %s\n", u.role)
			if u.perms == nil {
				fmt.Fprintf(&b, "      {nkey: %s}\n", quote(u.nkey))
				continue
			}
			fmt.Fprintf(&b, "      {nkey: %s, permissions: {\n", quote(u.nkey))
			writeList(&b, "publish", u.perms.Publish)
			writeList(&b, "subscribe", u.perms.Subscribe)
			b.WriteString("      }}\n")
		}
		b.WriteString("    ]\n")
		if acct == AccountCoordinator {
			b.WriteString("    exports: [\n")
			for _, s := range subjects {
				fmt.Fprintf(&b, "      {service: %s, accounts: [%s]", quote(s), strings.Join(to[s], ", "))
				if network.StreamResponses(s) {
					b.WriteString(", response_type: stream")
				}
				b.WriteString("}\n")
			}
			b.WriteString("    ]\n")
		} else {
			b.WriteString("    imports: [\n")
			for _, s := range subjects {
				if slices.Contains(to[s], acct) {
					fmt.Fprintf(&b, "      {service: {account: %s, subject: %s}}\n", AccountCoordinator, quote(s))
				}
			}
			b.WriteString("    ]\n")
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// authOptions are the server options of k's accounts and users, parsed
// from the same text ConfigText writes by nats-server's own parser.
func authOptions(k RoleKeys) (*server.Options, error) {
	text, err := accountsText(k)
	if err != nil {
		return nil, err
	}
	so := &server.Options{}
	if err := so.ProcessConfigString(text); err != nil {
		return nil, fmt.Errorf("embedded nats-server: accounts: %w", err)
	}
	return so, nil
}

// quote writes s as a quoted config string: quoted, a "$" is literal
// (unquoted, it starts a variable reference).
func quote(s string) string { return strconv.Quote(s) }

// writeList writes an allow-list, one subject a line.
func writeList(b *strings.Builder, what string, subjects []string) {
	fmt.Fprintf(b, "        %s: {allow: [\n", what)
	for _, s := range subjects {
		fmt.Fprintf(b, "          %s\n", quote(s))
	}
	b.WriteString("        ]}\n")
}
