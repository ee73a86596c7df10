package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/chain/registry/simchain"
	"github.com/zkpoc/zkpoc/internal/solc"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/workload"
)

const chainHelp = `Usage: zkpoc chain deploy|post|submit|status|refund|root|demo|node [flags]

The ComputeRegistry contract (chain/registry, README "ComputeRegistry") on an
EVM chain: tasks with escrowed rewards, SUBMIT_RESULT verified on chain by
the Groth16 verifier registered for the task's shape, compute_root per block
rebuilt from the contract's events.

  deploy  deploy the registry and a key's verifier, register it for (circuit, n, f)
  post    post a task (its JSON), escrowing its reward
  submit  submit a receipt's proof as SUBMIT_RESULT; prints the block's compute_root
  status  a task's state on chain; with --task, checks it against the task's JSON
  refund  refund an unpaid task after its deadline to its poster
  root    a block's compute_root, rebuilt from the registry's events
  demo    the whole flow in one process on an in-memory chain
  node    serve the embedded chain as a dev node on a loopback JSON-RPC port

The chain is --rpc URL (any EVM node's JSON-RPC, e.g. geth --dev; sign with
--key FILE), or by default the embedded simulated chain (go-ethereum's
simulated backend) persisted in --sim DIR (default $ZKPOC_HOME/simchain), so
that separate invocations see one chain; it opens no port and its dev
accounts' keys are public (account 0 deploys, 1 posts, 2 submits).
deploy writes the addresses to DIR/deployment.json (--deployment), which the
other verbs read.

Run "zkpoc chain <verb> -h" for flags.
`

func runChain(env *cliEnv, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "deploy":
		return runChainDeploy(env, args)
	case "post":
		return runChainPost(env, args)
	case "submit":
		return runChainSubmit(env, args)
	case "status":
		return runChainStatus(env, args)
	case "refund":
		return runChainRefund(env, args)
	case "root":
		return runChainRoot(env, args)
	case "demo":
		return runChainDemo(env, args)
	case "node":
		return runChainNode(env, args)
	case "-h", "--help", "help":
		fmt.Fprint(env.stdout, chainHelp)
		return nil
	}
	return groupUsage(fmt.Sprintf("chain takes a verb: deploy, post, submit, status, refund, root, demo or node (have %q)", sub), chainHelp)
}

// chainFlags are the flags every verb that talks to a chain takes (and,
// prefixed "chain-", the coordinator's and the worker's).
type chainFlags struct {
	rpc, sim, keyFile, registry, deployment *string
	account                                 *int
	pfx                                     string // the flags' prefix
}

func addChainFlags(fs *flag.FlagSet, role int) chainFlags { return addChainFlagsPrefixed(fs, "", role) }

func addChainFlagsPrefixed(fs *flag.FlagSet, pfx string, role int) chainFlags {
	return chainFlags{
		pfx:        pfx,
		rpc:        fs.String(pfx+"rpc", "", "JSON-RPC URL of an EVM node (default: the embedded simulated chain in --"+pfx+"sim)"),
		sim:        fs.String(pfx+"sim", "", "data directory of the embedded simulated chain (default $ZKPOC_HOME/simchain)"),
		keyFile:    fs.String(pfx+"key", "", "file holding the sender's secp256k1 private key, hex (required with --"+pfx+"rpc; default: a simulated-chain dev account)"),
		account:    fs.Int(pfx+"account", role, "simulated-chain dev account to send from, 0.."+fmt.Sprint(simchain.Accounts-1)),
		registry:   fs.String(pfx+"registry", "", "ComputeRegistry address (default: from --"+pfx+"deployment)"),
		deployment: fs.String(pfx+"deployment", "", "deployment file deploy writes and the other verbs read (default DIR/deployment.json for --"+pfx+"sim; required with --"+pfx+"rpc unless --"+pfx+"registry)"),
	}
}

// flag is the name of flag name as given: --name, prefixed.
func (f chainFlags) flag(name string) string { return "--" + f.pfx + name }

// chainConn is an open chain: a client, the mining hook of the embedded
// chain (nil for a node that mines itself), and the sender's key.
type chainConn struct {
	client registry.Backend
	mine   func()
	key    *ecdsa.PrivateKey
	close  func()
	sim    *simchain.Chain
	depl   string // the deployment file path
}

func (f chainFlags) open(env *cliEnv, needKey bool) (*chainConn, error) {
	c := &chainConn{}
	if *f.rpc != "" {
		if *f.sim != "" {
			return nil, usagef("%s and %s: one chain at a time", f.flag("rpc"), f.flag("sim"))
		}
		cl, err := ethclient.DialContext(env.ctx, *f.rpc)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", f.flag("rpc"), *f.rpc, err)
		}
		c.client, c.close = cl, cl.Close
		c.depl = *f.deployment
		if needKey {
			if *f.keyFile == "" {
				return nil, withHint(usagef("%s needs %s FILE, the sender's secp256k1 private key (hex)", f.flag("rpc"), f.flag("key")), "the simulated chain's dev accounts are for the embedded chain only")
			}
		}
	} else {
		dir := *f.sim
		if dir == "" {
			h, err := home()
			if err != nil {
				return nil, err
			}
			dir = filepath.Join(h, "simchain")
		}
		sc, err := simchain.Open(dir)
		if err != nil {
			return nil, err
		}
		c.client, c.mine, c.sim = sc.Client(), sc.Mine, sc
		c.close = func() { sc.Close() }
		c.depl = *f.deployment
		if c.depl == "" {
			c.depl = filepath.Join(dir, "deployment.json")
		}
	}
	if !needKey {
		return c, nil
	}
	if *f.keyFile != "" {
		k, err := crypto.LoadECDSA(*f.keyFile)
		if err != nil {
			c.close()
			return nil, usagef("%s %s: %v", f.flag("key"), *f.keyFile, err)
		}
		c.key = k
	} else {
		if *f.account < 0 || *f.account >= simchain.Accounts {
			c.close()
			return nil, usagef("%s %d: the simulated chain has dev accounts 0..%d", f.flag("account"), *f.account, simchain.Accounts-1)
		}
		c.key = simchain.DevKey(*f.account)
	}
	return c, nil
}

// reverted makes a transaction the registry refused (a named revert) a
// reject, exit 1: the chain's checks said no.
func reverted(err error) error {
	var re *registry.RevertError
	if errors.As(err, &re) {
		return refusal{exitReject, err}
	}
	return err
}

// deployment is what deploy records.
type deployment struct {
	ChainID   uint64             `json:"chain_id"`
	Registry  string             `json:"registry"`
	Verifiers []deployedVerifier `json:"verifiers"`
}

type deployedVerifier struct {
	Circuit     string `json:"circuit"`
	N           int    `json:"n"`
	F           int    `json:"f"`
	Verifier    string `json:"verifier"`
	Fingerprint string `json:"fingerprint"`
	Provenance  string `json:"provenance"`
}

func readDeployment(path string) (*deployment, error) {
	data, err := atomicfile.ReadLimited(path, 1<<20)
	if err != nil {
		return nil, err
	}
	var d deployment
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

func (f chainFlags) registryAt(env *cliEnv, c *chainConn) (*registry.Registry, error) {
	addr := *f.registry
	if addr == "" {
		if c.depl == "" {
			return nil, usagef("give %s ADDR or %s FILE", f.flag("registry"), f.flag("deployment"))
		}
		d, err := readDeployment(c.depl)
		if errors.Is(err, os.ErrNotExist) {
			return nil, withHint(usagef("no deployment at %s", c.depl), "zkpoc chain deploy deploys the registry and records it there")
		}
		if err != nil {
			return nil, usageError{err}
		}
		addr = d.Registry
	}
	if !common.IsHexAddress(addr) {
		return nil, usagef("registry address %q is not a 20-byte hex address", addr)
	}
	r, err := registry.At(env.ctx, c.client, common.HexToAddress(addr), c.mine)
	if err != nil {
		return nil, usageError{err}
	}
	return r, nil
}

// chainVK finds the verifying key for a shape: --fingerprint or --vk, else
// the cache's Groth16 BN254 key for (circuit, n, f).
func chainVK(fp, vkPath string, m protocol.Method, n, f int) (proofsystem.VerifyingKey, string, error) {
	if fp != "" || vkPath != "" {
		if fp != "" {
			h, err := fingerprintArg("--fingerprint", fp)
			if err != nil {
				return nil, "", err
			}
			fp = h
		}
		vk, err := loadAnyVK(fp, vkPath, protocol.Groth16)
		return vk, "", err
	}
	cache, err := keyCache()
	if err != nil {
		return nil, "", err
	}
	id := keys.IDFor(protocol.BN254, protocol.Groth16, m, n, f)
	metas, err := cache.List()
	if err != nil {
		return nil, "", err
	}
	for _, meta := range metas {
		if meta.ID == id {
			vk, meta, err := cache.FindByFingerprint(meta.Fingerprint)
			return vk, meta.Provenance, err
		}
	}
	return nil, "", withHint(usagef("no Groth16 key for %s in the key cache %s", id, cache.Dir),
		"zkpoc keys setup --n %d sets one up (or give --fingerprint / --vk)", n)
}

// compileVerifier exports vk's Solidity verifier and compiles it with
// solc-js, or reads its creation code from binPath (hex).
func compileVerifier(vk proofsystem.VerifyingKey, binPath string) ([]byte, error) {
	if binPath != "" {
		data, err := atomicfile.ReadLimited(binPath, 1<<20)
		if err != nil {
			return nil, usageError{err}
		}
		code, err := hex.DecodeString(trimHex(strings.TrimSpace(string(data))))
		if err != nil || len(code) == 0 {
			return nil, usagef("--verifier-bin %s: not hex creation code", binPath)
		}
		return code, nil
	}
	path, err := solc.Find()
	if err != nil {
		return nil, withHint(err, "the verifier is compiled from chain.ExportSolidity's source: %s, or give --verifier-bin FILE (creation code, hex)", solc.Hint)
	}
	var src bytes.Buffer
	if err := chain.ExportSolidity(vk, &src); err != nil {
		return nil, err
	}
	out, err := solc.Compile(path, map[string]string{"Verifier.sol": src.String()}, map[string][]string{"Verifier.sol": {"Verifier"}})
	if err != nil {
		return nil, err
	}
	return out["Verifier"].Init, nil
}

func runChainDeploy(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain deploy", "chain deploy [--n N] [--f F] [--fingerprint FP | --vk FILE] [--verifier-bin FILE] [--registry ADDR] [chain flags]", `
Deploys ComputeRegistry (unless --registry names one), deploys the Groth16
verifier of the key for (circuit, n, f) — compiled with solc-js from the
Solidity zkpoc export solidity writes, or --verifier-bin — and registers it
for that shape with the key's fingerprint. The sender (dev account 0) is the
registry's owner. A dev-setup key lets whoever ran the setup forge proofs
that this verifier accepts; register a ceremony's key for real rewards.
Writes the deployment file.`)
	cf := addChainFlags(fs, 0)
	n := fs.Int("n", 4, "matrix size of the verifier's circuit")
	fb := fs.Int("f", 8, "fractional bits")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit of the key")
	fp := fs.String("fingerprint", "", "verifying key by fingerprint in the cache (default: the cache's key for the shape)")
	vkPath := fs.String("vk", "", "verifying key file instead of the cache")
	bin := fs.String("verifier-bin", "", "the verifier's creation bytecode, hex, instead of compiling it with solc-js")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	m, err := parseMethod(*circuit)
	if err != nil {
		return err
	}
	if _, err := registry.Circuit(m.Name()); err != nil {
		return withHint(usageError{err}, "deploy a verifier for --circuit %s: freivalds-s2 receipts verify offline only", protocol.Freivalds.Name())
	}
	vk, provenance, err := chainVK(*fp, *vkPath, m, *n, *fb)
	if err != nil {
		return err
	}
	init, err := compileVerifier(vk, *bin)
	if err != nil {
		return err
	}
	c, err := cf.open(env, true)
	if err != nil {
		return err
	}
	defer c.close()
	ctx := env.ctx
	progress := env.progress()
	var reg *registry.Registry
	if *cf.registry != "" {
		if reg, err = cf.registryAt(env, c); err != nil {
			return err
		}
	} else {
		var rc interface{ String() string }
		r, receipt, err := registry.Deploy(ctx, c.client, c.key, c.mine)
		if err != nil {
			return err
		}
		reg, rc = r, receipt.BlockNumber
		fmt.Fprintf(progress, "ComputeRegistry deployed at %s in block %s (%d gas)\n", reg.Address, rc, receipt.GasUsed)
	}
	vaddr, vrc, err := registry.DeployCode(ctx, c.client, c.mine, c.key, init)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "verifier deployed at %s (%d gas)\n", vaddr, vrc.GasUsed)
	fpr := vk.Fingerprint()
	if _, err := reg.SetVerifier(ctx, c.key, *circuit, *n, *fb, vaddr, fpr); err != nil {
		return err
	}
	chainID, err := c.client.ChainID(ctx)
	if err != nil {
		return err
	}
	d := &deployment{ChainID: chainID.Uint64(), Registry: reg.Address.Hex()}
	if old, err := readDeployment(c.depl); err == nil && old.Registry == d.Registry {
		d.Verifiers = old.Verifiers
	}
	d.Verifiers = append(d.Verifiers, deployedVerifier{Circuit: *circuit, N: *n, F: *fb, Verifier: vaddr.Hex(), Fingerprint: "sha256:" + hex.EncodeToString(fpr[:]), Provenance: provenance})
	if c.depl != "" {
		if err := writeJSON(env, c.depl, d); err != nil {
			return err
		}
		fmt.Fprintf(progress, "deployment written to %s\n", c.depl)
	}
	fmt.Fprintf(env.stdout, "registry %s\n", reg.Address.Hex())
	fmt.Fprintf(env.stdout, "verifier %s for (%s, n=%d, f=%d), key sha256:%x\n", vaddr.Hex(), *circuit, *n, *fb, fpr)
	if keys.IsDevSetup(provenance) {
		fmt.Fprintf(env.stderr, "warning: the key's provenance is %q: whoever ran that setup can forge proofs this verifier accepts\n", provenance)
	}
	return nil
}

func runChainPost(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain post", "chain post --task FILE [--worker ADDR | --open] [chain flags]", `
Posts the task (its JSON, which must carry its BN254 payload.input_commitment)
with its reward escrowed from the sender (dev account 1): request_id =
SHA-256 of its canonical JSON, the input commitment, the shape, the
deadline. The reward goes to --worker (default on the simulated chain: dev
account 2) for a valid proof before the deadline, else back to the poster.
--open pays whoever submits a valid proof first, which a front-runner
copying the pending transaction can be: name the worker.`)
	cf := addChainFlags(fs, 1)
	taskPath := fs.String("task", "", "task JSON file")
	worker := fs.String("worker", "", "the worker's address, the only sender paid")
	open := fs.Bool("open", false, "no worker: any sender with a valid proof is paid")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit of the verifier the task is for")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *taskPath == "" {
		return usagef("chain post needs --task FILE")
	}
	if *open && *worker != "" {
		return usagef("--open and --worker: one or the other")
	}
	task, err := readTask(env, *taskPath)
	if err != nil {
		return err
	}
	c, err := cf.open(env, true)
	if err != nil {
		return err
	}
	defer c.close()
	var w common.Address
	switch {
	case *open:
	case *worker != "":
		if !common.IsHexAddress(*worker) {
			return usagef("--worker %q is not a 20-byte hex address", *worker)
		}
		w = common.HexToAddress(*worker)
	case c.sim != nil:
		w = registry.Address(simchain.DevKey(2))
	default:
		return usagef("chain post --rpc needs --worker ADDR (or --open)")
	}
	spec, reward, err := registry.NewTaskSpec(task, *circuit, w)
	if err != nil {
		return usageError{err}
	}
	reg, err := cf.registryAt(env, c)
	if err != nil {
		return err
	}
	rc, err := reg.Post(env.ctx, c.key, spec, reward)
	if err != nil {
		return reverted(err)
	}
	who := "open"
	if w != (common.Address{}) {
		who = "worker " + w.Hex()
	}
	fmt.Fprintf(env.stdout, "posted task %s (%s, reward %s wei, deadline %d) in block %d (%d gas)\n", task.TaskID, who, reward, spec.Deadline, rc.BlockNumber, rc.GasUsed)
	return nil
}

func runChainSubmit(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain submit", "chain submit [--vk FILE] [chain flags] RECEIPT", `
Verifies the receipt as zkpoc verify does (refused unless it passes), then
sends its proof as SUBMIT_RESULT from the sender (dev account 2), which must
be the worker_address the receipt signs (zkpoc prove --worker ADDR, the
EIP-55 form) and the task's worker. The registry checks the sender, the
deadline, the input commitment, result_hash = the proof's PoE, the PoE's
request_id, and the proof under the registered verifier, then pays. Prints
the gas and the block's compute_root, rebuilt from the registry's events.`)
	cf := addChainFlags(fs, 2)
	vkPath := fs.String("vk", "", "verifying key file for the receipt (default: the cache, by its fingerprint)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("chain submit takes one receipt")
	}
	e, err := readEnvelope(env, pos[0])
	if err != nil {
		return err
	}
	if err := requirePass(e, pos[0], *vkPath, "submit it"); err != nil {
		return err
	}
	c, err := cf.open(env, true)
	if err != nil {
		return err
	}
	defer c.close()
	sender := registry.Address(c.key)
	a, _, err := registry.SubmitArgsFromReceipt(e, sender)
	if errors.Is(err, registry.ErrWorker) {
		return withHint(usageError{err}, "prove with --worker %s, or send from the account the receipt names", registry.WorkerAddress(sender))
	}
	if err != nil {
		return usageError{err}
	}
	reg, err := cf.registryAt(env, c)
	if err != nil {
		return err
	}
	rc, err := reg.Submit(env.ctx, c.key, a)
	if err != nil {
		return reverted(err)
	}
	fmt.Fprintf(env.stdout, "accepted in block %d (%s): submitResult %d gas (seed 002's SUBMIT_RESULT: %d, structure checks only)\n", rc.BlockNumber, rc.BlockHash.Hex(), rc.GasUsed, chain.SubmitResultGas)
	root, results, err := reg.BlockRoot(env.ctx, rc.BlockHash)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "block %d: %d ComputeResults, compute_root %s\n", rc.BlockNumber, len(results), root)
	return nil
}

// taskIDArg is a verb's task: --task FILE (the task, its id) or one
// positional TASK_ID.
func taskIDArg(env *cliEnv, verb, taskPath string, pos []string) (*workload.ComputeTask, string, [16]byte, error) {
	var task *workload.ComputeTask
	idText := ""
	switch {
	case taskPath != "" && len(pos) == 0:
		t, err := readTask(env, taskPath)
		if err != nil {
			return nil, "", [16]byte{}, err
		}
		task, idText = &t, t.TaskID
	case taskPath == "" && len(pos) == 1:
		idText = pos[0]
	default:
		return nil, "", [16]byte{}, usagef("chain %s takes a task id or --task FILE", verb)
	}
	id, err := registry.TaskID(idText)
	if err != nil {
		return nil, "", [16]byte{}, usageError{err}
	}
	return task, idText, id, nil
}

// openTask opens the chain and the registry and reads task id; the caller
// closes the connection.
func (f chainFlags) openTask(env *cliEnv, id [16]byte, needKey bool) (*chainConn, *registry.Registry, registry.Task, error) {
	c, err := f.open(env, needKey)
	if err != nil {
		return nil, nil, registry.Task{}, err
	}
	reg, err := f.registryAt(env, c)
	if err == nil {
		var t registry.Task
		if t, err = reg.Task(env.ctx, id); err == nil {
			return c, reg, t, nil
		}
	}
	c.close()
	return nil, nil, registry.Task{}, err
}

func runChainRefund(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain refund", "chain refund [--task FILE | TASK_ID] [chain flags]", `
Refunds an open task whose deadline has passed on chain: the registry pays
its escrowed reward back to its poster (whoever sends the transaction; the
default sender is dev account 1, the poster of chain post). A task not yet
past its deadline, or settled already, reverts with DeadlineNotPassed or
TaskSettled (exit 1).`)
	cf := addChainFlags(fs, 1)
	taskPath := fs.String("task", "", "task JSON file (its task_id)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	_, idText, id, err := taskIDArg(env, "refund", *taskPath, pos)
	if err != nil {
		return err
	}
	c, reg, t, err := cf.openTask(env, id, true)
	if err != nil {
		return err
	}
	defer c.close()
	rc, err := reg.Refund(env.ctx, c.key, id)
	if err != nil {
		return reverted(err)
	}
	fmt.Fprintf(env.stdout, "task %s refunded: %s wei to %s in block %s (%d gas)\n", idText, t.Escrow.Reward, t.Poster.Hex(), rc.BlockNumber, rc.GasUsed)
	return nil
}

func runChainStatus(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain status", "chain status [--task FILE | TASK_ID] [chain flags]", `
Prints a task's state on chain (open, settled, or never posted) and what the
registry stores of it. With --task, checks the stored request_id, input
commitment, shape, deadline and (while open) reward against the task's
JSON — what a worker checks before working (exit 1 if they differ).`)
	cf := addChainFlags(fs, 0)
	taskPath := fs.String("task", "", "task JSON file to check the stored task against")
	circuit := fs.String("circuit", protocol.Freivalds.Name(), "circuit the task is for (with --task)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	task, idText, id, err := taskIDArg(env, "status", *taskPath, pos)
	if err != nil {
		return err
	}
	c, _, t, err := cf.openTask(env, id, false)
	if err != nil {
		return err
	}
	defer c.close()
	fmt.Fprintf(env.stdout, "task %s: %s\n", idText, registry.StateName(t.State))
	if t.State == registry.StateNone {
		return exitError{exitReject}
	}
	name, _ := registry.CircuitName(t.Circuit)
	worker := "open"
	if t.Worker != (common.Address{}) {
		worker = t.Worker.Hex()
	}
	fmt.Fprintf(env.stdout, "  request_id        %x\n  input_commitment  %x\n  shape             %s, n=%d, f=%d\n  deadline          %d\n  worker            %s\n  poster            %s\n",
		t.RequestId, t.InputCommitment, name, t.N, t.F, t.Deadline, worker, t.Poster.Hex())
	if t.State == registry.StateOpen {
		fmt.Fprintf(env.stdout, "  reward            %s wei (escrowed)\n  verifier          %s\n", t.Escrow.Reward, t.Escrow.Verifier.Hex())
	}
	if task != nil {
		if err := registry.CheckTask(t, *task, *circuit); err != nil {
			fmt.Fprintf(env.stdout, "check: reject: %v\n", err)
			return exitError{exitReject}
		}
		fmt.Fprintf(env.stdout, "check: pass: the stored task is %s's\n", *taskPath)
	}
	return nil
}

func runChainRoot(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain root", "chain root [--block N | --block-hash HASH] [-o FILE] [chain flags]", `
Rebuilds a block's ComputeResults from the registry's ResultAccepted events
(in log order) and their tasks' TaskPosted events, and prints the block's
compute_root as chain.ComputeRoot and zkpoc root compute it (default: the
latest block). -o writes the ComputeResults, JSON.`)
	cf := addChainFlags(fs, 0)
	block := fs.Int64("block", -1, "block number (default: the latest)")
	blockHash := fs.String("block-hash", "", "block hash, 64 hex")
	out := fs.String("o", "", "file for the block's ComputeResults, JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *block >= 0 && *blockHash != "" {
		return usagef("--block and --block-hash: one or the other")
	}
	c, err := cf.open(env, false)
	if err != nil {
		return err
	}
	defer c.close()
	reg, err := cf.registryAt(env, c)
	if err != nil {
		return err
	}
	var h common.Hash
	var number uint64
	if *blockHash != "" {
		b, err := parseBlockHash("--block-hash", *blockHash)
		if err != nil {
			return err
		}
		hdr, err := c.client.HeaderByHash(env.ctx, b)
		if err != nil {
			return usagef("block %x: %v", b, err)
		}
		h, number = b, hdr.Number.Uint64()
	} else {
		var num *big.Int
		if *block >= 0 {
			num = big.NewInt(*block)
		}
		hdr, err := c.client.HeaderByNumber(env.ctx, num)
		if err != nil {
			return usagef("block %d: %v", *block, err)
		}
		h, number = hdr.Hash(), hdr.Number.Uint64()
	}
	root, results, err := reg.BlockRoot(env.ctx, h)
	if err != nil {
		return err
	}
	if *out != "" {
		if results == nil {
			results = []chain.ComputeResult{}
		}
		if err := writeJSON(env, *out, results); err != nil {
			return err
		}
	}
	if root == "" {
		fmt.Fprintf(env.stdout, "block %d (%s): no ComputeResults, no compute_root\n", number, h.Hex())
		return nil
	}
	fmt.Fprintf(env.progress(), "block %d (%s): %d ComputeResults\n", number, h.Hex(), len(results))
	fmt.Fprintf(env.stdout, "compute_root %s\n", root)
	return nil
}

// chainDemoReward is the demo task's reward: 0.01 ether.
const chainDemoReward = "10000000000000000"

func runChainDemo(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain demo", "chain demo [--n N] [--out DIR]", `
The whole flow in one process on an in-memory simulated chain
(go-ethereum's simulated backend: real blocks, receipts, gas and logs):
deploys ComputeRegistry and the verifier of the n×n Groth16 key (from
$ZKPOC_HOME/keys, set up on first use; compiled with solc-js), derives a
synthetic task from the latest block hash and the worker's address (seed
002: seed = SHA-256(block_hash ‖ worker_address)), posts it with its reward
escrowed, proves it (a real Groth16 proof, signing the worker's address),
verifies the receipt, submits it, and reads the block's compute_root back
from the registry's events. It checks that compute_root against the one
computed from the receipt as zkpoc root computes it, and exits 1 if they
differ. --out gets task.json, receipt.json and compute_root.txt (what zkpoc
root receipt.json prints).`)
	n := fs.Int("n", 4, "matrix size")
	out := fs.String("out", "", "directory for the task, receipt and compute_root (default $ZKPOC_HOME/chain-demo)")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 64 {
		return usagef("--n %d: between 1 and 64 for the demo", *n)
	}
	const f = 8
	if *out == "" {
		h, err := home()
		if err != nil {
			return err
		}
		*out = filepath.Join(h, "chain-demo")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	solcPath, err := solc.Find()
	if err != nil {
		return withHint(err, "the demo compiles the verifier with solc-js: %s", solc.Hint)
	}
	ctx, cancel := context.WithTimeout(env.ctx, 10*time.Minute)
	defer cancel()
	progress := env.progress()
	sc, err := simchain.Open("")
	if err != nil {
		return err
	}
	defer sc.Close()
	owner, poster, worker := simchain.DevKey(0), simchain.DevKey(1), simchain.DevKey(2)
	workerAddr := registry.WorkerAddress(registry.Address(worker))

	reg, rc, err := registry.Deploy(ctx, sc.Client(), owner, sc.Mine)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "chain: in-memory simulated chain %d; ComputeRegistry at %s (block %d, %d gas)\n", simchain.ChainID, reg.Address.Hex(), rc.BlockNumber, rc.GasUsed)

	// The task, derived at the latest block for the worker.
	head, err := sc.Client().HeaderByNumber(ctx, nil)
	if err != nil {
		return err
	}
	taskID, err := workload.NewTaskID()
	if err != nil {
		return err
	}
	task, err := protocol.NewSyntheticTask(protocol.BN254, taskID, workload.DeriveSeed(head.Hash(), workerAddr), *n, f, chainDemoReward, int64(head.Time)+3600)
	if err != nil {
		return err
	}
	taskPath := filepath.Join(*out, "task.json")
	if err := writeJSON(env, taskPath, task); err != nil {
		return err
	}
	fmt.Fprintf(progress, "task %s: n=%d, f=%d, seed from block %d %s… and worker %s\n", task.TaskID, *n, f, head.Number, head.Hash().Hex()[:18], workerAddr)

	// Prove first: the first run sets up the key the verifier embeds.
	cache, err := keyCache()
	if err != nil {
		return err
	}
	key, _, err := loadNodeKey(defaultNodeKeyPath())
	if err != nil {
		return err
	}
	res, err := prover.Run(ctx, prover.Options{Task: task, NodeKey: key, Cache: cache, WorkerAddress: workerAddr, Mode: protocol.ModeGroth16, Progress: progress})
	if err != nil {
		return err
	}
	rcptPath := filepath.Join(*out, "receipt.json")
	if err := writeJSON(env, rcptPath, res.Envelope); err != nil {
		return err
	}
	fmt.Fprintf(progress, "proved: receipt %s (prove %s)\n", rcptPath, res.Timings.Prove.Round(time.Millisecond))
	if err := requirePass(res.Envelope, rcptPath, "", "submit it"); err != nil {
		return err
	}

	// The verifier for the key the receipt names, registered for the shape.
	vk, meta, err := cache.FindByFingerprint(strings.TrimPrefix(res.Receipt.Proof.KeyFingerprint, "sha256:"))
	if err != nil {
		return err
	}
	var src bytes.Buffer
	if err := chain.ExportSolidity(vk, &src); err != nil {
		return err
	}
	compiled, err := solc.Compile(solcPath, map[string]string{"Verifier.sol": src.String()}, map[string][]string{"Verifier.sol": {"Verifier"}})
	if err != nil {
		return err
	}
	vaddr, _, err := registry.DeployCode(ctx, sc.Client(), sc.Mine, owner, compiled["Verifier"].Init)
	if err != nil {
		return err
	}
	circuit := res.Receipt.Proof.Circuit
	if _, err := reg.SetVerifier(ctx, owner, circuit, *n, f, vaddr, vk.Fingerprint()); err != nil {
		return err
	}
	fmt.Fprintf(progress, "verifier for (%s, n=%d, f=%d) at %s, key %s (provenance %s)\n", circuit, *n, f, vaddr.Hex(), res.Receipt.Proof.KeyFingerprint, meta.Provenance)

	spec, reward, err := registry.NewTaskSpec(task, circuit, registry.Address(worker))
	if err != nil {
		return err
	}
	prc, err := reg.Post(ctx, poster, spec, reward)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "posted by %s, reward %s wei escrowed (block %d, %d gas)\n", registry.Address(poster).Hex(), reward, prc.BlockNumber, prc.GasUsed)
	stored, err := reg.Task(ctx, spec.TaskId)
	if err != nil {
		return err
	}
	if err := registry.CheckTask(stored, task, circuit); err != nil {
		return err
	}

	a, cr, err := registry.SubmitArgsFromReceipt(res.Envelope, registry.Address(worker))
	if err != nil {
		return err
	}
	before, err := sc.Client().BalanceAt(ctx, registry.Address(worker), nil)
	if err != nil {
		return err
	}
	src2, err := reg.Submit(ctx, worker, a)
	if err != nil {
		return err
	}
	after, err := sc.Client().BalanceAt(ctx, registry.Address(worker), nil)
	if err != nil {
		return err
	}
	fee := new(big.Int).Mul(new(big.Int).SetUint64(src2.GasUsed), src2.EffectiveGasPrice)
	gained := new(big.Int).Add(new(big.Int).Sub(after, before), fee)
	fmt.Fprintf(env.stdout, "submitResult: block %d, %d gas (seed 002's SUBMIT_RESULT: %d, structure checks only); worker paid %s wei\n", src2.BlockNumber, src2.GasUsed, chain.SubmitResultGas, gained)

	root, results, err := reg.BlockRoot(ctx, src2.BlockHash)
	if err != nil {
		return err
	}
	fromReceipt, err := chain.ComputeRoot([]chain.ComputeResult{cr})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "block %d compute_root (from the registry's events, %d ComputeResult): %s\n", src2.BlockNumber, len(results), root)
	fmt.Fprintf(env.stdout, "compute_root from the receipt (as zkpoc root %s computes it): %s\n", rcptPath, fromReceipt)
	if err := atomicfile.Write(filepath.Join(*out, "compute_root.txt"), []byte("compute_root "+root+"\n"), 0o644); err != nil {
		return err
	}
	if root != fromReceipt || gained.Cmp(reward) != 0 {
		fmt.Fprintf(env.stdout, "demo: reject: the chain's compute_root or payout differs from the receipt's\n")
		return exitError{exitReject}
	}
	fmt.Fprintf(env.stdout, "demo: pass: the block's compute_root is the receipt's; the reward was paid once\n")
	return nil
}

func runChainNode(env *cliEnv, args []string) error {
	fs := newFlags(env, "chain node", "chain node [--listen 127.0.0.1:8545] [--sim DIR] [--keys DIR] [--endpoint-file FILE]", `
Serves the embedded simulated chain as a dev node: JSON-RPC (eth, net, web3)
over HTTP on a loopback address, sealing a block as transactions arrive (as
geth --dev does; transactions pending together share one), until
interrupted. The other verbs reach it with --rpc URL --key FILE. --keys
writes the dev accounts' private keys (hex, account-0.key … account-3.key:
public test keys, for --key); --endpoint-file writes the URL (useful with
port 0). In memory unless --sim DIR (a directory another node or the
default embedded chain does not use at the same time).`)
	listen := fs.String("listen", "127.0.0.1:8545", "loopback host:port to serve JSON-RPC on (port 0: any free port)")
	sim := fs.String("sim", "", "data directory (default: in memory)")
	keyDir := fs.String("keys", "", "directory to write the dev accounts' keys to")
	epFile := fs.String("endpoint-file", "", "file to write the JSON-RPC URL to")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	sc, err := simchain.OpenWith(simchain.Options{Dir: *sim, HTTP: *listen})
	if err != nil {
		return usageError{err}
	}
	defer sc.Close()
	url := sc.HTTPEndpoint()
	if *keyDir != "" {
		if err := os.MkdirAll(*keyDir, 0o700); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "serving JSON-RPC on %s (chain id %d); dev accounts (public keys, test ether only):\n", url, simchain.ChainID)
	for i := 0; i < simchain.Accounts; i++ {
		k := simchain.DevKey(i)
		line := fmt.Sprintf("  %d %s", i, registry.Address(k).Hex())
		if *keyDir != "" {
			path, err := writeDevKey(*keyDir, i)
			if err != nil {
				return err
			}
			line += " key " + path
		}
		fmt.Fprintln(env.stdout, line)
	}
	if *epFile != "" {
		if err := atomicfile.Write(*epFile, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
	}
	<-env.ctx.Done()
	fmt.Fprintln(env.progress(), "chain node: stopping")
	return nil
}

// networkChainHelp is the coordinator's and the worker's help on --chain-*.
const networkChainHelp = `
--chain-rpc URL settles accepted Groth16 results on a ComputeRegistry (README
"Settling on chain"): the coordinator posts each accepted task on the registry
(--chain-registry ADDR or --chain-deployment FILE) naming the worker and
escrowing the reward from --chain-key's account, up to --chain-max-reward wei
a task; the worker, run with the same --chain-rpc and registry and its own
--chain-key (whose address is its worker address), submits its receipt and
the registry verifies it and pays it. Results the registry cannot pay are
credited on the ledger, never both. A local dev chain: zkpoc chain node
--keys DIR, then zkpoc chain deploy --rpc URL --key DIR/account-0.key.`

// networkChain is an open chain for --chain-* flags; nil when --chain-rpc
// is not given (any other --chain-* flag is then refused).
func networkChain(env *cliEnv, fs *flag.FlagSet, cf chainFlags, also ...string) (*chainConn, *registry.Registry, error) {
	if *cf.rpc == "" {
		if *cf.sim != "" {
			return nil, nil, withHint(usagef("--chain-sim: a simulated chain lives in one process, and the coordinator and its workers are several"), "serve it with zkpoc chain node and give its URL with --chain-rpc")
		}
		for _, name := range append([]string{"key", "registry", "deployment", "account"}, also...) {
			if isSet(fs, cf.pfx+name) {
				return nil, nil, usagef("%s needs --chain-rpc URL", cf.flag(name))
			}
		}
		return nil, nil, nil
	}
	c, err := cf.open(env, true)
	if err != nil {
		return nil, nil, err
	}
	if c.depl == "" && *cf.registry == "" {
		c.close()
		return nil, nil, usagef("--chain-rpc needs --chain-registry ADDR or --chain-deployment FILE")
	}
	reg, err := cf.registryAt(env, c)
	if err != nil {
		c.close()
		return nil, nil, err
	}
	return c, reg, nil
}
