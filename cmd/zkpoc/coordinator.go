package main

import (
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/network/embedded"
	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

func runCoordinator(env *cliEnv, args []string) error {
	fs := newFlags(env, "coordinator", "coordinator [--nats URL | --store DIR --listen-nats HOST:PORT] [flags]", `
Runs the PoC validator of the zkpoc network (seed 002 Stage 5, seed 003): it
takes tasks at intake (from zkpoc market), allocates their request_id, sends
each job to a live registered worker, verifies every returned receipt,
re-dispatches a fraction of requests (--redispatch; every sampled or binding
receipt always) to a second worker it picks with its own randomness, compares
the two, strikes the node its own recomputation proves wrong (for n up to
--recompute-max-n; above it a third distinct worker is drawn and a 2-of-3
majority of verified receipts decides), credits the
reward once per accepted request (wei, in the JetStream ledger), refunds
expired tasks, and appends blocks of SUBMIT_RESULT transactions with their
compute_root.

Without --nats it embeds nats-server: JetStream on file storage in --store
(default $ZKPOC_HOME/network), listening on --listen-nats (127.0.0.1:4222), so
workers and the market connect to nats://127.0.0.1:4222; with --listen-ws
HOST:PORT workers may connect over WebSocket too (zkpoc worker --nats
ws://HOST:PORT, seed 002's transport). With --nats it uses
an external nats-server or cluster instead; all its state is there, so a
restarted coordinator resumes where it stopped.

SNARK receipts are verified with the verifying keys in --key-dir (default
$ZKPOC_HOME/keys, which workers on the same machine share).

--workers FILE turns on authentication in the embedded server: every client
signs in with an NKey, and only the workers listed (one NKey a line, as zkpoc
network nkey prints a worker's; a worker's NKey is its node key) may connect,
each allowed its own subjects only (its registration, commitments, heartbeats
and results, its own job consumer, the inputs; no other node's jobs, no
buckets, no ledger). The market connects with the key the coordinator keeps in
the store: zkpoc market --nkey-seed STORE/market.nk. Without --workers any
client can act as any worker: run it so on loopback only. For an external
server, zkpoc network nats-config writes the same users into its config.
`+networkChainHelp)
	var nf natsFlags
	nf.register(fs)
	store := fs.String("store", "", "embedded server's JetStream directory (default $ZKPOC_HOME/network; not with --nats)")
	listenNATS := fs.String("listen-nats", "127.0.0.1:4222", "embedded server's client address, HOST:PORT (not with --nats)")
	listenWS := fs.String("listen-ws", "", "embedded server's WebSocket address for workers, HOST:PORT (ws://, no TLS: loopback or behind a TLS proxy; default off; not with --nats)")
	address := fs.String("address", "cpc1zkpoccoordinator", "the coordinator's address: synthetic seeds are SHA-256(block hash ‖ address)")
	redispatch := fs.Float64("redispatch", 0.1, "fraction in [0,1] of SNARK requests re-executed by a second worker")
	maxStrikes := fs.Int("max-strikes", coordinator.DefaultMaxStrikes, "strikes (results proved wrong or outvoted, garbage, forgeries) that bar a node from further jobs; -1: never barred")
	recomputeMaxN := fs.Int("recompute-max-n", network.MaxNetworkN, "largest n the coordinator multiplies itself to settle a disagreement (n³); above it a third worker and a 2-of-3 majority decide; -1: never recompute")
	jobTimeout := fs.Duration("job-timeout", 2*time.Minute, "re-dispatch a job without a result after this long")
	hbTimeout := fs.Duration("heartbeat-timeout", 15*time.Second, "a worker silent this long is dead; its jobs go elsewhere")
	blockInterval := fs.Duration("block-interval", 5*time.Second, "how often a block of accepted results is appended")
	keyDir := fs.String("key-dir", "", "verifying-key cache (default: $ZKPOC_HOME/keys)")
	replicas := fs.Int("replicas", 1, "replicas of every stream and bucket: 1 on one server, 3 on a three-node cluster")
	cf := addChainFlagsPrefixed(fs, "chain-", 1)
	maxReward := fs.String("chain-max-reward", "", "with --chain-rpc: the most wei one task escrows from --chain-key's account (required then)")
	minBalance := fs.String("chain-min-balance", "0", "with --chain-rpc: wei --chain-key's account keeps; a task whose escrow would take it below is credited on the ledger instead")
	workersFile := fs.String("workers", "", "embedded server: require NKey auth; FILE lists the workers' NKeys (U…), one a line (zkpoc network nkey prints one)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("coordinator takes no arguments, have %q", pos)
	}
	external := isSet(fs, "nats")
	if external && (*store != "" || isSet(fs, "listen-nats") || *listenWS != "") {
		return withHint(usagef("--nats uses an external nats-server: --store, --listen-nats and --listen-ws are for the embedded one"), "give either --nats URL or --store/--listen-nats/--listen-ws")
	}
	if err := workload.CheckWorkerAddress("--address", *address); err != nil {
		return usageError{err}
	}
	if *redispatch < 0 || *redispatch > 1 || *redispatch != *redispatch {
		return usagef("--redispatch %v is not a fraction in [0, 1]", *redispatch)
	}
	if *recomputeMaxN == 0 || *recomputeMaxN < -1 {
		return usagef("--recompute-max-n %d: give n ≥ 1 (the largest n recomputed) or -1 (never)", *recomputeMaxN)
	}
	if *maxStrikes == 0 || *maxStrikes < -1 {
		return usagef("--max-strikes %d: give a count ≥ 1 or -1 (never barred)", *maxStrikes)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--job-timeout", *jobTimeout}, {"--heartbeat-timeout", *hbTimeout}, {"--block-interval", *blockInterval}} {
		if d.v <= 0 {
			return usagef("%s must be positive, have %s", d.name, d.v)
		}
	}
	if *replicas < 1 || *replicas > 5 {
		return usagef("--replicas %d: JetStream takes 1 to 5", *replicas)
	}
	if !external && *workersFile != "" && nf.seed != "" {
		return withHint(usagef("--nkey-seed: with --workers the coordinator signs in to its embedded server with a key of its own"), "--nkey-seed is for an external server (--nats)")
	}
	if external && *workersFile != "" {
		return withHint(usagef("--workers configures the embedded server's users; an external server has its own"), "write its config with zkpoc network nats-config --workers FILE …, and connect with --nkey-seed")
	}
	if *replicas > 1 && !external {
		return withHint(usagef("--replicas %d needs a cluster: the embedded server is one node", *replicas), "start a nats-server cluster and give its URLs with --nats")
	}
	cc, reg, err := networkChain(env, fs, cf, "max-reward", "min-balance")
	if err != nil {
		return err
	}
	var settler coordinator.Chain
	if cc != nil {
		defer cc.close()
		limit, ok := new(big.Int).SetString(*maxReward, 10)
		if !ok || limit.Sign() <= 0 {
			return withHint(usagef("--chain-max-reward %q: give a positive integer number of wei", *maxReward), "tasks are not funded (README): this caps what any poster can make the coordinator's account escrow for one task")
		}
		floor, ok := new(big.Int).SetString(*minBalance, 10)
		if !ok || floor.Sign() < 0 {
			return usagef("--chain-min-balance %q: give a non-negative integer number of wei", *minBalance)
		}
		p := &onchain.Poster{Registry: reg, Key: cc.key, Circuit: protocol.Freivalds.Name(), MaxReward: limit, MinBalance: floor}
		if err := p.Check(); err != nil {
			return usageError{err}
		}
		settler = p
	}
	if *keyDir == "" {
		c, err := keyCache()
		if err != nil {
			return err
		}
		*keyDir = c.Dir
	}
	url := nf.url
	var authOpt nats.Option // the embedded server's coordinator key, with --workers
	if !external {
		if err := checkListen("--listen-nats", *listenNATS); err != nil {
			return withHint(usageError{err}, "--listen-nats takes HOST:PORT, such as 127.0.0.1:4222")
		}
		host, port, _ := net.SplitHostPort(*listenNATS)
		p, _ := strconv.Atoi(port)
		if *store == "" {
			h, err := home()
			if err != nil {
				return err
			}
			*store = filepath.Join(h, "network")
		}
		eo := embedded.Options{Dir: *store, Host: host, Port: p}
		if *listenWS != "" {
			if err := checkListen("--listen-ws", *listenWS); err != nil {
				return withHint(usageError{err}, "--listen-ws takes HOST:PORT, such as 127.0.0.1:8443")
			}
			wsHost, wsPort, _ := net.SplitHostPort(*listenWS)
			eo.WebSocketHost = wsHost
			if eo.WebSocketPort, _ = strconv.Atoi(wsPort); eo.WebSocketPort == 0 {
				eo.WebSocketPort = -1 // a free port
			}
		}
		if *workersFile != "" {
			keys, coordKey, marketSeed, err := embeddedAuth(env, *workersFile, *store)
			if err != nil {
				return err
			}
			eo.Auth = &keys
			authOpt = nats.Nkey(keys.Coordinator, coordKey.Sign)
			fmt.Fprintf(env.progress(), "coordinator: NKey auth: %d workers listed in %s, each limited to its own subjects; the market connects with --nkey-seed %s\n",
				len(keys.Workers), *workersFile, marketSeed)
		} else {
			fmt.Fprintln(env.progress(), "coordinator: WARNING: no --workers: the embedded server authenticates no one, so any client that reaches it can act as any worker, read every receipt and write the ledger; keep it on loopback")
		}
		warnOtherMode(env, *store, eo.Auth != nil)
		srv, err := embedded.Start(eo)
		if err != nil {
			return withHint(err, "is another server on %s? choose another with --listen-nats, or use it with --nats", *listenNATS)
		}
		defer srv.Stop()
		url = srv.URL()
		fmt.Fprintf(env.progress(), "coordinator: embedded nats-server on %s (JetStream in %s)\n", url, *store)
		if ws := srv.WebsocketURL(); *listenWS != "" && ws != "" {
			fmt.Fprintf(env.progress(), "coordinator: workers may also connect over WebSocket: --nats %s\n", ws)
		}
	}
	natsOpts, err := nf.options("zkpoc coordinator")
	if err != nil {
		return err
	}
	if authOpt != nil {
		natsOpts = append(natsOpts, authOpt)
	}
	nc, err := connectNATS(url, natsOpts)
	if err != nil {
		return err
	}
	defer nc.Close()
	c, err := coordinator.New(nc, coordinator.Config{Address: *address, RedispatchFraction: *redispatch, RecomputeMaxN: *recomputeMaxN, MaxStrikes: *maxStrikes, JobTimeout: *jobTimeout,
		HeartbeatTimeout: *hbTimeout, BlockInterval: *blockInterval, KeyDir: *keyDir, Log: env.progress(), Chain: settler,
		Settings: network.Settings{Replicas: *replicas}})
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(env.progress(), "coordinator: running (address %s, redispatch %g); interrupt to stop\n", *address, *redispatch)
	if err := c.Run(env.ctx); err != nil {
		return err
	}
	fmt.Fprintln(env.progress(), "coordinator: stopped")
	return nil
}

// warnOtherMode warns when the store holds state of the other mode:
// JetStream keeps each account's streams under STORE/jetstream/ACCOUNT,
// and with --workers the coordinator's account is not the one a server
// without authentication uses ($G), so the other mode's tasks, ledger and
// blocks are not seen.
func warnOtherMode(env *cliEnv, store string, auth bool) {
	other, flag := "$G", "without --workers"
	if !auth {
		other, flag = embedded.AccountCoordinator, "with --workers"
	}
	if st, err := os.Stat(filepath.Join(store, "jetstream", other)); err == nil && st.IsDir() {
		fmt.Fprintf(env.progress(), "coordinator: WARNING: %s holds state written %s (JetStream account %s), which this run does not see; run it as before, or give another --store\n", store, flag, other)
	}
}
