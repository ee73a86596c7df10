package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/chain/registry/simchain"
	"github.com/zkpoc/zkpoc/internal/solc"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/setup"
)

// demoChain is network demo --chain's chain: the embedded simulated chain
// served as a dev node on a loopback port (the worker processes reach it
// over JSON-RPC), with ComputeRegistry and the n×n key's verifier deployed
// by dev account 0. The coordinator posts from account 1, and honest
// worker i submits from account i+1.
type demoChain struct {
	sc  *simchain.Chain
	reg *registry.Registry
	dir string // the dev keys' files
}

// demoChainWorkers is how many workers can have a chain account of their
// own (dev accounts 2 and 3).
const demoChainWorkers = simchain.Accounts - 2

func startDemoChain(ctx context.Context, env *cliEnv, dir string, n int) (*demoChain, error) {
	if _, err := solc.Find(); err != nil {
		return nil, withHint(err, "--chain compiles the verifier with solc-js: %s", solc.Hint)
	}
	kc, err := keyCache()
	if err != nil {
		return nil, err
	}
	set, _, err := setup.LoadOrSetup(kc, keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, n, 8), prover.Compile(protocol.Freivalds, n, 8), env.progress())
	if err != nil {
		return nil, err
	}
	init, err := compileVerifier(set.VK, "")
	if err != nil {
		return nil, err
	}
	sc, err := simchain.OpenWith(simchain.Options{HTTP: "127.0.0.1:0"})
	if err != nil {
		return nil, err
	}
	d := &demoChain{sc: sc, dir: dir}
	owner := simchain.DevKey(0)
	if d.reg, _, err = registry.Deploy(ctx, sc.Client(), owner, nil); err != nil {
		sc.Close()
		return nil, err
	}
	v, _, err := registry.DeployCode(ctx, sc.Client(), nil, owner, init)
	if err == nil {
		_, err = d.reg.SetVerifier(ctx, owner, protocol.Freivalds.Name(), n, 8, v, set.VK.Fingerprint())
	}
	if err != nil {
		sc.Close()
		return nil, err
	}
	fmt.Fprintf(env.progress(), "chain: simulated chain %d on %s; ComputeRegistry %s, verifier for (%s, %d, 8) %s\n",
		simchain.ChainID, sc.HTTPEndpoint(), d.reg.Address.Hex(), protocol.Freivalds.Name(), n, v.Hex())
	return d, nil
}

func (d *demoChain) close() { d.sc.Close() }

// poster is the coordinator's settler, from dev account 1.
func (d *demoChain) poster() *onchain.Poster {
	ether := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	return &onchain.Poster{Registry: d.reg, Key: simchain.DevKey(1), Circuit: protocol.Freivalds.Name(), MaxReward: new(big.Int).Mul(big.NewInt(100), ether)}
}

// workerArgs are the --chain-* flags of honest worker i (1, 2, …).
func (d *demoChain) workerArgs(i int) ([]string, string, error) {
	path, err := writeDevKey(d.dir, i+1)
	if err != nil {
		return nil, "", err
	}
	addr := registry.WorkerAddress(registry.Address(simchain.DevKey(i + 1)))
	return []string{"--chain-rpc", d.sc.HTTPEndpoint(), "--chain-registry", d.reg.Address.Hex(), "--chain-key", path}, addr, nil
}

// writeDevKey writes dev account i's key (hex, as --key reads it) to
// dir/account-i.key.
func writeDevKey(dir string, i int) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("account-%d.key", i))
	return path, atomicfile.Write(path, []byte(hex.EncodeToString(crypto.FromECDSA(simchain.DevKey(i)))+"\n"), 0o600)
}

// summary prints each task's settlement on the chain, and checks each
// paid task's block: the compute_root the registry's events give is the
// one over that block's ComputeResults from the accepted receipts.
func (d *demoChain) summary(ctx context.Context, env *cliEnv, dm *demo, recs []network.TaskRecord) error {
	w := env.stdout
	kv, err := dm.js.KeyValue(ctx, network.ChainBucket)
	if err != nil {
		return err
	}
	rkv, err := dm.js.KeyValue(ctx, network.ReceiptsBucket)
	if err != nil {
		return err
	}
	receiptOf := map[string]string{}
	for _, r := range recs {
		if r.Accepted != nil {
			receiptOf[r.TaskID] = r.Accepted.Receipt
		}
	}
	fmt.Fprintln(w, "\nOn chain (ComputeRegistry "+d.reg.Address.Hex()+"):")
	bad := 0
	for _, r := range recs {
		if r.Settlement != network.SettleChain {
			fmt.Fprintf(w, "  %s  settled on the ledger\n", r.TaskID)
			continue
		}
		var s network.ChainSettlement
		e, err := kv.Get(ctx, r.TaskID)
		if err == nil {
			err = json.Unmarshal(e.Value(), &s)
		}
		if err != nil {
			return fmt.Errorf("settlement of task %s: %w", r.TaskID, err)
		}
		fmt.Fprintf(w, "  %s  %s: posted in block %d, paid to %s in block %d (tx %s)", r.TaskID, s.State, s.PostBlock, s.WorkerAddress, s.PaidBlock, short(s.PaidTx, 18))
		if s.State != network.ChainPaid {
			fmt.Fprintln(w, "  NOT PAID")
			bad++
			continue
		}
		h, err := d.sc.Client().HeaderByNumber(ctx, new(big.Int).SetUint64(s.PaidBlock))
		if err != nil {
			return err
		}
		root, results, err := d.reg.BlockRoot(ctx, h.Hash())
		if err != nil {
			return err
		}
		again, err := rootOfReceipts(ctx, rkv, results, receiptOf)
		status := "reproduced from the receipts"
		if err != nil || again != root {
			status, bad = fmt.Sprintf("NOT reproduced (%v, %s)", err, again), bad+1
		}
		fmt.Fprintf(w, "; block compute_root %s over %d result(s), %s\n", root, len(results), status)
	}
	if bad > 0 {
		return fmt.Errorf("%d tasks settled on chain not paid, or in a block whose compute_root the receipts do not reproduce", bad)
	}
	return nil
}

// rootOfReceipts is the compute_root over the ComputeResults of the
// accepted receipts of results' tasks, in results' order, as zkpoc root
// computes it from those receipts.
func rootOfReceipts(ctx context.Context, rkv jetstream.KeyValue, results []chain.ComputeResult, receiptOf map[string]string) (string, error) {
	var again []chain.ComputeResult
	for _, cr := range results {
		_, c, err := acceptedResult(ctx, rkv, receiptOf, cr.TaskID)
		if err != nil {
			return "", err
		}
		again = append(again, c)
	}
	return chain.ComputeRoot(again)
}
