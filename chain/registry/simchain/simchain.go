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
	"os"
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
}

// Open starts the chain. With dir "" it lives in memory; otherwise its
// database is in dir (created if needed) and a later Open of the same dir
// continues from its last block.
func Open(dir string) (*Chain, error) {
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
	nodeConf.IPCPath = "" // no IPC socket: nothing but this process reaches the chain
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
	return &Chain{stack: stack, beacon: beacon, client: ethclient.NewClient(stack.Attach())}, nil
}

// Client is the chain's JSON-RPC client (in-process).
func (c *Chain) Client() *ethclient.Client { return c.client }

// Mine seals the pending transactions into a block.
func (c *Chain) Mine() { c.beacon.Commit() }

// AdjustTime moves the chain's clock forward and seals an empty block.
func (c *Chain) AdjustTime(d time.Duration) error { return c.beacon.AdjustTime(d) }

// Close stops the chain (and flushes a persisted one).
func (c *Chain) Close() error {
	c.client.Close()
	return errors.Join(c.beacon.Stop(), c.stack.Close())
}
