package simchain

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/zkpoc/zkpoc/chain/registry"
)

// TestPersisted: a chain in a data directory continues where it stopped,
// with the contract deployed in the first run.
func TestPersisted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	reg, rc, err := registry.Deploy(ctx, c.Client(), DevKey(0), c.Mine)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := c.Client().BlockNumber(ctx)
	if err != nil || n < rc.BlockNumber.Uint64() {
		t.Fatalf("reopened at block %d (%v), the deployment was in block %d", n, err, rc.BlockNumber)
	}
	again, err := registry.At(ctx, c.Client(), reg.Address, c.Mine)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := again.Owner(ctx)
	if err != nil || owner != crypto.PubkeyToAddress(DevKey(0).PublicKey) {
		t.Fatalf("owner %s (%v)", owner, err)
	}
	// And it still mines.
	before, _ := c.Client().BalanceAt(ctx, crypto.PubkeyToAddress(DevKey(3).PublicKey), nil)
	to := crypto.PubkeyToAddress(DevKey(3).PublicKey)
	if _, err := registry.Send(ctx, c.Client(), c.Mine, DevKey(1), &to, big.NewInt(5), nil); err != nil {
		t.Fatal(err)
	}
	after, _ := c.Client().BalanceAt(ctx, to, nil)
	if new(big.Int).Sub(after, before).Int64() != 5 {
		t.Fatalf("transfer after reopening: %s → %s", before, after)
	}
}

// TestServed: a chain served over HTTP on loopback seals a block per
// transaction, so a client with no Mine hook (ethclient over --rpc) works.
func TestServed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := OpenWith(Options{HTTP: "0.0.0.0:0"}); err == nil {
		t.Fatal("served on a non-loopback address")
	}
	c, err := OpenWith(Options{HTTP: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := ethclient.DialContext(ctx, c.HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	reg, rc, err := registry.Deploy(ctx, cl, DevKey(0), nil)
	if err != nil {
		t.Fatalf("deploy over %s: %v", c.HTTPEndpoint(), err)
	}
	if owner, err := reg.Owner(ctx); err != nil || owner != crypto.PubkeyToAddress(DevKey(0).PublicKey) {
		t.Fatalf("owner %s (%v)", owner, err)
	}
	t.Logf("deployed over %s in block %d", c.HTTPEndpoint(), rc.BlockNumber)
}

// TestMineSealsEverythingPending: one Mine seals every pending transaction
// into its block (the miner's 2 s recommit cut-off is lifted, so a loaded
// machine does not leave some out for a Mine that never comes).
func TestMineSealsEverythingPending(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	chainID, err := c.Client().ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const perAccount = 40
	to := crypto.PubkeyToAddress(DevKey(0).PublicKey)
	sent := 0
	for a := 1; a < Accounts; a++ {
		key := DevKey(a)
		nonce, err := c.Client().PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		for i := uint64(0); i < perAccount; i++ {
			tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
				ChainID: chainID, Nonce: nonce + i, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(1e11), Gas: 21_000, To: &to, Value: big.NewInt(1),
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Client().SendTransaction(ctx, tx); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
	c.Mine()
	head, err := c.Client().BlockByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := head.Transactions().Len(); got != sent {
		t.Fatalf("one Mine sealed %d of %d pending transactions", got, sent)
	}
}

// TestSendMinesAgain: registry.Send on a chain mined by a hook seals
// another block while the transaction has no receipt, so a block that left
// it out (here: a first hook call that seals nothing) does not leave Send
// waiting until its context ends.
func TestSendMinesAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	calls := 0
	mine := func() {
		if calls++; calls > 1 {
			c.Mine()
		}
	}
	to := crypto.PubkeyToAddress(DevKey(3).PublicKey)
	rc, err := registry.Send(ctx, c.Client(), mine, DevKey(1), &to, big.NewInt(7), nil)
	if err != nil {
		t.Fatalf("send with a first block that left the transaction out: %v", err)
	}
	if calls < 2 || rc.BlockNumber.Uint64() != 1 {
		t.Fatalf("mined in block %d after %d hook calls: want block 1, after a second call", rc.BlockNumber, calls)
	}
}
