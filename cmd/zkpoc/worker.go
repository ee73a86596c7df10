package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/network/worker"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

func runWorker(env *cliEnv, args []string) error {
	fs := newFlags(env, "worker", "worker --worker-address ADDR [--nats URL] [flags]", `
Runs a worker node of the zkpoc network: it connects to nats-server (JetStream),
registers its node key with the coordinator (a signed registration, retried
until the coordinator answers), sends heartbeats, and answers the jobs the
coordinator addresses to it, one at a time, until interrupted.

Each job is run as zkpoc prove would run it (--mode auto by default): a Groth16
proof when the cost estimate fits the budget (--max-prove-seconds,
--max-prove-memory), else a sampled receipt. A sampled run commits to its row
root first (request zkpoc.commit.<node_id>) and opens the rows chosen by the
challenge the coordinator draws after it. The signed receipt is published on
the results stream before the job is acked, so a worker stopped mid-job leaves
the job to be redelivered; a request it already answered is answered again with
the same receipt.

The worker signs in to nats-server with its node key as its NKey (NATS user
NKeys are Ed25519 keys): a coordinator run with --workers FILE admits the
workers whose NKeys FILE lists (zkpoc network nkey prints this node's), each
limited to its own subjects. --nkey-seed FILE signs in with another NKey
instead, for a server configured by other means.
--dishonest is for network demos only: every answer carries a WRONG product
(one entry changed) with a valid binding and signature, in sampled or binding
mode, for the coordinator's re-dispatch and comparison to catch.
`+networkChainHelp)
	var nf natsFlags
	nf.register(fs)
	nodeKey := fs.String("node-key", defaultNodeKeyPath(), "node Ed25519 key (PKCS#8 PEM); created if absent")
	addr := fs.String("worker-address", "", "worker address results are submitted under (cpc1…), signed into every receipt; required, except with --chain-rpc (default and must be: --chain-key's address)")
	keyDir := fs.String("key-dir", "", "proving-key cache (default: $ZKPOC_HOME/keys)")
	heartbeat := fs.Duration("heartbeat", 5*time.Second, "heartbeat interval")
	dishonest := fs.Bool("dishonest", false, "demos only: answer with a wrong product (valid signature and binding)")
	cf := addChainFlagsPrefixed(fs, "chain-", 2)
	var pf proveFlags
	pf.register(fs)
	if err := parseNone(fs, args); err != nil {
		return err
	}
	cc, reg, err := networkChain(env, fs, cf)
	if err != nil {
		return err
	}
	var sub worker.Submitter
	if cc != nil {
		defer cc.close()
		s := &onchain.Submitter{Registry: reg, Key: cc.key}
		if *addr == "" {
			*addr = s.Address()
		} else if *addr != s.Address() {
			return withHint(usagef("--worker-address %s is not --chain-key's address %s", *addr, s.Address()), "the registry pays only the address the receipts sign, as the sender: leave --worker-address out")
		}
		sub = s
	}
	if *addr == "" {
		return withHint(usagef("--worker-address is required"), "the chain address this node's results are submitted under, such as cpc1q…")
	}
	if err := workload.CheckWorkerAddress("--worker-address", *addr); err != nil {
		return usageError{err}
	}
	natsOpts, err := nf.options("zkpoc worker")
	if err != nil {
		return err
	}
	if pf.challenge != "" {
		return withHint(usagef("--challenge does not apply to a worker"), "the coordinator issues each sampled run's challenge after the commitment")
	}
	if *heartbeat <= 0 {
		return usagef("--heartbeat must be positive")
	}
	mode, _, err := prover.ResolveMode(protocol.Mode(pf.mode), "")
	if err != nil {
		return withHint(usageError{err}, "--mode is auto, groth16, sampled or binding")
	}
	if protocol.Mode(pf.mode) == protocol.ModePlonk || (*dishonest && mode == protocol.ModeGroth16) {
		return usagef("--mode %s: a worker answers in auto, groth16, sampled or binding mode (a dishonest one: not groth16)", pf.mode)
	}
	if err := checkExecutor("--executor", pf.executor); err != nil {
		return err
	}
	var o prover.Options
	if err := pf.apply(&o); err != nil {
		return err
	}
	if *keyDir == "" {
		c, err := keyCache()
		if err != nil {
			return err
		}
		*keyDir = c.Dir
	}
	key, _, err := loadNodeKey(*nodeKey)
	if err != nil {
		return err
	}
	nc, nkeyPub, err := connectWorker(env, nf.url, natsOpts, key, nf.seed != "")
	if err != nil {
		return err
	}
	defer nc.Close()
	cfg := worker.Config{NodeKey: key, WorkerAddress: *addr, KeyDir: *keyDir, Budget: o.Budget, Coeffs: o.Coeffs,
		Mode: mode, Sampling: o.Sampling, Executor: o.Executor, HeartbeatEvery: *heartbeat, Log: env.progress(), Dishonest: *dishonest, Chain: sub}
	w, err := worker.New(nc, cfg)
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(env.progress(), "worker %s on %s (worker address %s, mode %s, NKey %s)\n", w.NodeID(), nc.ConnectedUrl(), *addr, mode, nkeyPub)
	if err := w.Run(env.ctx); err != nil {
		if errors.Is(err, worker.ErrRefused) {
			return withHint(err, "the coordinator refused this node; its error says why")
		}
		return err
	}
	return nil
}

// checkNATSURL refuses a --nats that is not a list of nats-server URLs.
func checkNATSURL(s string) error {
	for _, part := range strings.Split(s, ",") {
		u, err := url.Parse(strings.TrimSpace(part))
		if err != nil || u.Host == "" {
			return withHint(usagef("--nats: %q is not a URL", clip(part, 80)), "for example nats://127.0.0.1:4222")
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return withHint(usagef("--nats: %q: scheme %q is not nats, tls, ws or wss", clip(part, 80), u.Scheme), "for example nats://127.0.0.1:4222")
		}
	}
	return nil
}
