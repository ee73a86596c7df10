// Package simchain is an embedded EVM chain for zkpoc's ComputeRegistry:
// go-ethereum's simulated backend (a real node — blocks, receipts, gas, logs
// — with a simulated beacon that seals a block on demand), with funded
// development accounts, in memory or persisted in a data directory so that
// separate `zkpoc chain` invocations see one chain.
//
// The dev accounts' keys are public (DevKey): the chain is for tests and
// demos on one machine only; it opens no network port.
package simchain

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// Accounts is the number of funded dev accounts; each starts with 1,000 ether.
const Accounts = 4

// ChainID is the simulated chain's id (go-ethereum's dev chain id).
const ChainID = 1337

// DevKey is dev account i's private key: Keccak-256("zkpoc/simchain/dev/" ‖ i).
// Account 0 deploys (the registry's owner), 1 posts, 2 works.
func DevKey(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("zkpoc/simchain/dev/%d", i))))
	if err != nil {
		panic(err) // a Keccak-256 output below the curve order: always, for these inputs
	}
	return k
}

// Config is the chain's rules: go-ethereum's dev chain on Osaka (Fusaka,
// the fork Ethereum mainnet runs), without the draft forks the dev default
// also enables (Bogota: EIP-8037 state-gas metering and EIP-8038
// state-access repricing, which multiply the gas of new storage), so that
// gas figures are mainnet's.
var Config = func() *params.ChainConfig {
	c := *params.AllDevChainProtocolChanges
	c.BogotaTime = nil
	return &c
}()

// Chain is a running embedded chain.
type Chain struct {
	stack  *node.Node
	beacon *catalyst.SimulatedBeacon
	client *ethclient.Client
	mu     sync.Mutex // serialises sealing
	done   chan struct{}
	wg     sync.WaitGroup
}

// Options configure OpenWith.
type Options struct {
	// Dir is the data directory ("" : in memory). A later open of the same
	// directory continues from its last block.
	Dir string
	// HTTP, when set, serves JSON-RPC (eth, net, web3) on this loopback
	// address ("127.0.0.1:8545"; port 0 picks one: Chain.HTTPEndpoint), and
	// the chain seals a block as transactions arrive, as geth --dev does
	// (transactions pending together share one): a dev node for
	// `zkpoc chain --rpc`. Only loopback addresses are accepted: the dev
	// accounts' keys are public.
	HTTP string
}

// Open starts the chain in dir ("" : in memory), sealing blocks only on
// Mine: OpenWith(Options{Dir: dir}).
func Open(dir string) (*Chain, error) { return OpenWith(Options{Dir: dir}) }

// OpenWith starts the chain.
func OpenWith(o Options) (*Chain, error) {
	dir := o.Dir
	log.SetDefault(log.NewLogger(log.DiscardHandler()))
	alloc := core.SystemContractAllocs()
	ether := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	for i := 0; i < Accounts; i++ {
		alloc[crypto.PubkeyToAddress(DevKey(i).PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(1000), ether)}
	}
	nodeConf := node.DefaultConfig
	nodeConf.DataDir = dir
	nodeConf.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0, ListenAddr: ""}
	nodeConf.HTTPHost, nodeConf.WSHost, nodeConf.AuthAddr = "", "", ""
	nodeConf.IPCPath = "" // no IPC socket
	if o.HTTP != "" {
		host, port, err := net.SplitHostPort(o.HTTP)
		if err != nil {
			return nil, fmt.Errorf("simulated chain: HTTP address %q: %w", o.HTTP, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("simulated chain: HTTP address %q: only a loopback address (its dev accounts' keys are public)", o.HTTP)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("simulated chain: HTTP port %q", port)
		}
		nodeConf.HTTPHost, nodeConf.HTTPPort = host, p
		nodeConf.HTTPModules = []string{"eth", "net", "web3"}
		nodeConf.HTTPVirtualHosts = []string{"localhost", "127.0.0.1", "::1"}
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("simulated chain: %w", err)
		}
	}
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{
		Config:    Config,
		GasLimit:  ethconfig.Defaults.Miner.GasCeil,
		Alloc:     alloc,
		Timestamp: 1_700_000_000, // fixed, so a persisted chain's genesis is the same on every Open
	}
	ethConf.SyncMode = ethconfig.FullSync
	// The miner stops filling a block with transactions after Recommit
	// (2 s by default) and seals what it has: on a loaded machine (pairing
	// checks of several proof verifications) a block sealed by Mine could
	// leave pending transactions out, for no later Mine to pick up. A
	// simulated chain's block holds everything pending when it is sealed.
	ethConf.Miner.Recommit = 10 * time.Minute
	ethConf.TxPool.NoLocals = true
	stack, err := node.New(&nodeConf)
	if err != nil {
		return nil, fmt.Errorf("simulated chain: %w", err)
	}
	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("simulated chain: %w", err)
	}
	fs := filters.NewFilterSystem(backend.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(fs)}})
	if err := stack.Start(); err != nil {
		stack.Close()
		return nil, fmt.Errorf("simulated chain: %w", err)
	}
	beacon, err := catalyst.NewSimulatedBeacon(0, common.Address{}, backend)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("simulated chain: %w", err)
	}
	c := &Chain{stack: stack, beacon: beacon, client: ethclient.NewClient(stack.Attach()), done: make(chan struct{})}
	if o.HTTP != "" {
		txs := make(chan core.NewTxsEvent, 64)
		sub := backend.TxPool().SubscribeTransactions(txs, true)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			defer sub.Unsubscribe()
			for {
				select {
				case <-txs:
					c.Mine()
				case <-sub.Err():
					return
				case <-c.done:
					return
				}
			}
		}()
	}
	return c, nil
}

// HTTPEndpoint is the JSON-RPC URL of a chain opened with Options.HTTP.
func (c *Chain) HTTPEndpoint() string { return c.stack.HTTPEndpoint() }

// Client is the chain's JSON-RPC client (in-process).
func (c *Chain) Client() *ethclient.Client { return c.client }

// Mine seals the pending transactions into a block.
func (c *Chain) Mine() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.beacon.Commit()
}

// AdjustTime moves the chain's clock forward and seals an empty block.
func (c *Chain) AdjustTime(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.beacon.AdjustTime(d)
}

// Close stops the chain (and flushes a persisted one).
func (c *Chain) Close() error {
	close(c.done)
	c.wg.Wait()
	c.client.Close()
	return errors.Join(c.beacon.Stop(), c.stack.Close())
}
