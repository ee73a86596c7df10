package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
	"github.com/zkpoc/zkpoc/protocol"
)

// maxWorkersFile bounds a --workers file (a line is about 60 bytes).
const maxWorkersFile = 1 << 20

// readWorkerKeys reads an allowlist of worker NKeys: one user public key
// (U…, as zkpoc network nkey prints it) per line; blank lines and text
// after '#' are ignored.
func readWorkerKeys(env *cliEnv, path string) ([]string, error) {
	data, err := readInput(env, path, maxWorkersFile)
	if err != nil {
		return nil, usageError{fmt.Errorf("--workers: %w", err)}
	}
	var out []string
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) > 1 {
			return nil, withHint(usagef("--workers %s:%d: %d words; one key a line", path, line, len(fields)), "a line is a worker's NKey (U…), as zkpoc network nkey --node-key FILE prints it; comments after #")
		}
		if err := network.CheckUserNkey(fields[0]); err != nil {
			return nil, withHint(usagef("--workers %s:%d: %w", path, line, err), "a line is a worker's NKey (U…), as zkpoc network nkey --node-key FILE prints it; comments after #")
		}
		if first, dup := seen[fields[0]]; dup {
			return nil, usagef("--workers %s:%d: the key of line %d again", path, line, first)
		}
		seen[fields[0]] = line
		out = append(out, fields[0])
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--workers %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, withHint(usagef("--workers %s lists no worker key", path), "add each worker's NKey (zkpoc network nkey --node-key FILE prints it), one a line")
	}
	return out, nil
}

// loadOrCreateSeed reads an NKey user seed file, or creates one (mode
// 0600) when path does not exist.
func loadOrCreateSeed(path string) (nkeys.KeyPair, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		kp, err := nkeys.CreateUser()
		if err != nil {
			return nil, false, err
		}
		seed, err := kp.Seed()
		if err != nil {
			return nil, false, err
		}
		if err := atomicfile.Write(path, append(seed, '\n'), 0o600); err != nil {
			return nil, false, err
		}
		return kp, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	kp, err := nkeys.ParseDecoratedNKey(data)
	if err != nil {
		return nil, false, withHint(usagef("%s: %w", path, err), "an NKey user seed file (SU…), as zkpoc writes it or nk -gen user does")
	}
	if pub, err := kp.PublicKey(); err != nil || !nkeys.IsValidPublicUserKey(pub) {
		return nil, false, usagef("%s: not an NKey user seed (SU…)", path)
	}
	return kp, false, nil
}

// publicKey is kp's public key (a key pair from a seed always has one).
func publicKey(kp nkeys.KeyPair) string {
	pub, err := kp.PublicKey()
	if err != nil {
		panic(err)
	}
	return pub
}

// nodeID is the hex node id of a node key.
func nodeID(key ed25519.PrivateKey) string {
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	return hex.EncodeToString(id[:])
}

// connectWorker connects a worker with its own inbox prefix (the only one
// its permissions let it read) and, unless --nkey-seed gives another NKey,
// its node key as its NKey. A server that authenticates no one offers no
// nonce to sign, and nats.go refuses an NKey there: the worker then
// connects without one. It returns the NKey it signed in with, or why none.
func connectWorker(env *cliEnv, url string, opts []nats.Option, key ed25519.PrivateKey, seedGiven bool) (*nats.Conn, string, error) {
	opts = append(opts, nats.CustomInboxPrefix(network.WorkerInboxPrefix(nodeID(key))))
	if seedGiven {
		nc, err := connectNATS(url, opts)
		return nc, "from --nkey-seed", err
	}
	pub, kp, err := network.NodeNkey(key)
	if err != nil {
		return nil, "", err
	}
	nc, err := connectNATS(url, append(opts, nats.Nkey(pub, kp.Sign)))
	if errors.Is(err, nats.ErrNkeysNotSupported) {
		fmt.Fprintln(env.progress(), "worker: the server authenticates no one: connected without the node key (anyone who reaches it can act as this node)")
		nc, err = connectNATS(url, opts)
		pub = "none: the server authenticates no one"
	}
	return nc, pub, err
}

// embeddedAuth is --workers for the embedded server: the role keys, with
// a coordinator key made for this run (the coordinator configures the
// server it connects to) and the market's seed file in the store (created
// when absent), which zkpoc market is given with --nkey-seed.
func embeddedAuth(env *cliEnv, workersFile, store string) (embedded.RoleKeys, nkeys.KeyPair, string, error) {
	wk, err := readWorkerKeys(env, workersFile)
	if err != nil {
		return embedded.RoleKeys{}, nil, "", err
	}
	coord, err := nkeys.CreateUser()
	if err != nil {
		return embedded.RoleKeys{}, nil, "", err
	}
	marketPath := filepath.Join(store, "market.nk")
	market, _, err := loadOrCreateSeed(marketPath)
	if err != nil {
		return embedded.RoleKeys{}, nil, "", fmt.Errorf("the market's key: %w", err)
	}
	return embedded.RoleKeys{Coordinator: publicKey(coord), Market: publicKey(market), Workers: wk}, coord, marketPath, nil
}

func runNkey(env *cliEnv, args []string) error {
	fs := newFlags(env, "network nkey", "network nkey [--node-key FILE]", `
Prints a worker's NATS identity: the NKey user public key (U…) of its node key,
with its node id in a comment. NATS user NKeys are Ed25519 keys, so a worker
authenticates to nats-server with its node key itself; its permissions are
keyed by its node id. Append the line to the coordinator's --workers file:

  zkpoc network nkey --node-key node.key >> workers.txt

The node key is created if absent, as zkpoc worker would create it.`)
	nodeKey := fs.String("node-key", defaultNodeKeyPath(), "node Ed25519 key (PKCS#8 PEM); created if absent")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	key, created, err := loadNodeKey(*nodeKey)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(env.progress(), "created node key %s\n", *nodeKey)
	}
	pub, _, err := network.NodeNkey(key)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s # node %s\n", pub, nodeID(key))
	return nil
}

func runNATSConfig(env *cliEnv, args []string) error {
	fs := newFlags(env, "network nats-config", "network nats-config --workers FILE --coordinator-seed FILE --market-seed FILE [--listen HOST:PORT] [--store DIR] [-o FILE]", `
Writes a nats-server configuration for the zkpoc network, for a nats-server
run on its own (nats-server -c FILE) instead of the one zkpoc coordinator
embeds: JetStream, the network's payload limit, and one NKey user per role
with its permissions, the same the embedded server enforces:

  coordinator  everything (it provisions the streams and buckets)
  market       intake; reads of the tasks, nodes, ledger and blocks; the inputs
               object store; its own inbox (_INBOX_market.>)
  worker       its own subjects only: zkpoc.register|commit|heartbeat|results.<node_id>,
               pulling and acking its own job consumer node-<node_id>, reading the
               inputs object store; its own inbox (_INBOX_<node_id>.>)

Any other client, and any other subject, is refused. The workers and the market
are in accounts of their own (ZKPOC_WORKERS, ZKPOC_MARKET) that reach the
coordinator's (ZKPOC, the only one with JetStream) only through the services it
exports: an answer to their requests lands back in their account, never in a
stream (in one account a request could name a stream's subject as its reply).

--workers lists the workers' NKeys, one a line (zkpoc network nkey prints a
worker's). The coordinator's and the market's seed files are created (mode
0600) when absent; run them with them:

  zkpoc network nats-config --workers workers.txt --coordinator-seed coord.nk \
      --market-seed market.nk -o nats.conf
  nats-server -c nats.conf
  zkpoc coordinator --nats nats://127.0.0.1:4222 --nkey-seed coord.nk
  zkpoc market --nats nats://127.0.0.1:4222 --nkey-seed market.nk
  zkpoc worker --nats nats://127.0.0.1:4222 --node-key node.key --worker-address cpc1…

A worker added later needs the file written again and the server reloaded
(nats-server --signal reload).`)
	workers := fs.String("workers", "", "allowlist of worker NKeys (U…), one a line; required")
	coordSeed := fs.String("coordinator-seed", "", "the coordinator's NKey seed file (created if absent); required")
	marketSeed := fs.String("market-seed", "", "the market's NKey seed file (created if absent); required")
	listen := fs.String("listen", "127.0.0.1:4222", "the server's client address, HOST:PORT")
	store := fs.String("store", "", "the server's JetStream directory (default: nats-server's own)")
	out := fs.String("o", "-", "output file (- : standard output)")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *workers == "" || *coordSeed == "" || *marketSeed == "" {
		return withHint(usagef("network nats-config needs --workers, --coordinator-seed and --market-seed"), "zkpoc network nats-config --help shows an example")
	}
	if *coordSeed == *marketSeed {
		return usagef("--coordinator-seed and --market-seed are the same file: each role needs its own key")
	}
	if err := checkListen("--listen", *listen); err != nil {
		return withHint(usageError{err}, "--listen takes HOST:PORT, such as 127.0.0.1:4222")
	}
	if err := checkOutput("-o", *out); err != nil {
		return err
	}
	wk, err := readWorkerKeys(env, *workers)
	if err != nil {
		return err
	}
	keys := embedded.RoleKeys{Workers: wk}
	for _, s := range []struct {
		flag, path string
		pub        *string
	}{{"--coordinator-seed", *coordSeed, &keys.Coordinator}, {"--market-seed", *marketSeed, &keys.Market}} {
		kp, created, err := loadOrCreateSeed(s.path)
		if err != nil {
			return fmt.Errorf("%s: %w", s.flag, err)
		}
		if created {
			fmt.Fprintf(env.progress(), "created %s (mode 0600): keep it secret\n", s.path)
		}
		*s.pub = publicKey(kp)
	}
	text, err := embedded.ConfigText(embedded.ServerConfig{Keys: keys, Listen: *listen, StoreDir: *store})
	if err != nil {
		return usageError{err}
	}
	if *out == "-" || *out == "" {
		_, err := fmt.Fprint(env.stdout, text)
		return err
	}
	if err := atomicfile.Write(*out, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.progress(), "wrote %s: %d workers, the coordinator %s, the market %s\n", *out, len(wk), keys.Coordinator, keys.Market)
	return nil
}
