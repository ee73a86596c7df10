package registry

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Backend is what the registry client needs of a chain: go-ethereum's
// ethclient.Client (any EVM node over JSON-RPC) and the simulated backend's
// Client both have it.
type Backend interface {
	bind.ContractBackend
	bind.DeployBackend
	ethereum.ChainIDReader
	ethereum.ChainStateReader
	ethereum.ChainReader
}

// Task states (ComputeRegistry.State). A settled task was paid to its
// worker (a ResultAccepted event) or refunded (TaskRefunded).
const (
	StateNone uint8 = iota
	StateOpen
	StateSettled
)

// StateName names a task state.
func StateName(s uint8) string {
	switch s {
	case StateNone:
		return "none"
	case StateOpen:
		return "open"
	case StateSettled:
		return "settled"
	}
	return fmt.Sprintf("state %d", s)
}

var (
	binding     = NewComputeRegistry()
	registryABI = binding.GetABI()
)

// Registry is a deployed ComputeRegistry on a chain.
type Registry struct {
	Address common.Address
	backend Backend
	// Mine, when set, is called after each transaction is sent: the
	// simulated backend's Commit. A node that mines by itself needs none.
	Mine func()
}

// Client returns the chain the registry is on.
func (r *Registry) Client() Backend { return r.backend }

// At is the registry at addr; it checks that there is code there.
func At(ctx context.Context, backend Backend, addr common.Address, mine func()) (*Registry, error) {
	code, err := backend.CodeAt(ctx, addr, nil)
	if err != nil {
		return nil, fmt.Errorf("registry at %s: %w", addr, err)
	}
	if len(code) == 0 {
		return nil, fmt.Errorf("registry at %s: no contract code there", addr)
	}
	return &Registry{Address: addr, backend: backend, Mine: mine}, nil
}

// Deploy deploys ComputeRegistry from key's account, which becomes its owner.
func Deploy(ctx context.Context, backend Backend, key *ecdsa.PrivateKey, mine func()) (*Registry, *types.Receipt, error) {
	code, err := hex.DecodeString(strings.TrimPrefix(ComputeRegistryMetaData.Bin, "0x"))
	if err != nil {
		return nil, nil, fmt.Errorf("deploy registry: bytecode: %w", err)
	}
	rc, err := Send(ctx, backend, mine, key, nil, nil, code)
	if err != nil {
		return nil, nil, fmt.Errorf("deploy registry: %w", err)
	}
	return &Registry{Address: rc.ContractAddress, backend: backend, Mine: mine}, rc, nil
}

// DeployCode deploys a contract from its creation bytecode (a verifier
// compiled from chain.ExportSolidity's source) and returns its address.
func DeployCode(ctx context.Context, backend Backend, mine func(), key *ecdsa.PrivateKey, init []byte) (common.Address, *types.Receipt, error) {
	rc, err := Send(ctx, backend, mine, key, nil, nil, init)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("deploy contract: %w", err)
	}
	return rc.ContractAddress, rc, nil
}

// Send sends a transaction from key's account (to nil: a contract creation)
// with the gas the node estimates, mines it (mine, when set) and waits for
// its receipt. A call the node's estimate finds reverting is not sent: its
// error is a *RevertError naming the contract's custom error. A transaction
// that reverts on chain is an error too.
func Send(ctx context.Context, backend Backend, mine func(), key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) (*types.Receipt, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	gas, err := backend.EstimateGas(ctx, ethereum.CallMsg{From: from, To: to, Value: value, Data: data})
	if err != nil {
		return nil, revertError(err)
	}
	return SendWithGas(ctx, backend, mine, key, to, value, data, gas)
}

// SendWithGas is Send with a fixed gas limit and no estimate: the
// transaction is sent even if it will revert (the error then says so, and
// the receipt is returned with it).
func SendWithGas(ctx context.Context, backend Backend, mine func(), key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte, gas uint64) (*types.Receipt, error) {
	chainID, err := backend.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("chain id: %w", err)
	}
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx
	opts.GasLimit = gas
	opts.Value = value
	var tx *types.Transaction
	if to == nil {
		tx, err = bind.NewBoundContract(common.Address{}, abi.ABI{}, backend, backend, backend).RawCreationTransact(opts, data)
	} else {
		tx, err = bind.NewBoundContract(*to, abi.ABI{}, backend, backend, backend).RawTransact(opts, data)
	}
	if err != nil {
		return nil, fmt.Errorf("send transaction: %w", err)
	}
	rc, err := waitMined(ctx, backend, mine, tx.Hash())
	if err != nil {
		return nil, fmt.Errorf("transaction %s: %w", tx.Hash(), err)
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		return rc, fmt.Errorf("transaction %s reverted on chain in block %d (%d gas used)", tx.Hash(), rc.BlockNumber, rc.GasUsed)
	}
	return rc, nil
}

// waitMined waits for the receipt of transaction h, polling as
// bind.WaitMined does (any error is retried until ctx ends). With mine set
// (a chain that seals blocks only when asked) it seals a block first, and
// another each second no receipt has come: a transaction a block left out
// (the pool had not taken it in yet, or building it was cut short) is
// mined by the next instead of waited for forever.
func waitMined(ctx context.Context, backend Backend, mine func(), h common.Hash) (*types.Receipt, error) {
	if mine == nil {
		return bind.WaitMined(ctx, backend, h)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var mined time.Time
	for {
		if time.Since(mined) >= time.Second {
			mine()
			mined = time.Now()
		}
		if rc, err := backend.TransactionReceipt(ctx, h); err == nil {
			return rc, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// Call runs calldata as an eth_call from `from` at the latest block and
// returns what it returns, or a *RevertError.
func Call(ctx context.Context, backend Backend, from common.Address, to common.Address, data []byte) ([]byte, error) {
	out, err := backend.CallContract(ctx, ethereum.CallMsg{From: from, To: &to, Data: data}, nil)
	if err != nil {
		return nil, revertError(err)
	}
	return out, nil
}

func (r *Registry) send(ctx context.Context, key *ecdsa.PrivateKey, value *big.Int, data []byte) (*types.Receipt, error) {
	return Send(ctx, r.backend, r.Mine, key, &r.Address, value, data)
}

// RevertError is a call that reverted, with the custom error it reverted
// with when the data names one of ComputeRegistry's (or the verifier's).
type RevertError struct {
	Data []byte // the revert data
	Name string // the error's name, e.g. "WrongSender"; "" if unknown
	Args []any  // its decoded arguments
	// Inner is the verifier's or payout receiver's revert inside a
	// ProofRejected or PayoutFailed, decoded the same way.
	Inner *RevertError
	err   error // the node's error
}

func (e *RevertError) Error() string {
	if e.Name == "" {
		if len(e.Data) == 0 {
			return fmt.Sprintf("reverted: %v", e.err)
		}
		return fmt.Sprintf("reverted with data 0x%x", e.Data)
	}
	var args []string
	for _, a := range e.Args {
		switch v := a.(type) {
		case [32]byte:
			args = append(args, "0x"+hex.EncodeToString(v[:]))
		case [16]byte:
			args = append(args, "0x"+hex.EncodeToString(v[:]))
		case []byte:
			if e.Inner != nil {
				args = append(args, e.Inner.Error())
			} else {
				args = append(args, "0x"+hex.EncodeToString(v))
			}
		default:
			args = append(args, fmt.Sprint(v))
		}
	}
	return fmt.Sprintf("reverted: %s(%s)", e.Name, strings.Join(args, ", "))
}

// verifierErrors are the revert reasons of gnark's exported verifier.
var verifierErrors = map[[4]byte]string{}

func init() {
	for _, sig := range []string{"ProofInvalid()", "CommitmentInvalid()", "PublicInputNotInField()"} {
		var sel [4]byte
		copy(sel[:], crypto.Keccak256([]byte(sig)))
		verifierErrors[sel] = strings.TrimSuffix(sig, "()")
	}
}

// DecodeRevert names revert data: one of ComputeRegistry's custom errors
// (its arguments decoded), gnark's verifier errors, or Error(string).
func DecodeRevert(data []byte) *RevertError {
	e := &RevertError{Data: data}
	if len(data) < 4 {
		return e
	}
	sel := [4]byte(data[:4])
	if name, ok := verifierErrors[sel]; ok {
		e.Name = name
		return e
	}
	if reason, err := abi.UnpackRevert(data); err == nil {
		e.Name, e.Args = "Error", []any{reason}
		return e
	}
	for _, ae := range registryABI.Errors {
		if [4]byte(ae.ID[:4]) != sel {
			continue
		}
		args, err := ae.Inputs.Unpack(data[4:])
		if err != nil {
			return e
		}
		e.Name, e.Args = ae.Name, args
		if ae.Name == "ProofRejected" || ae.Name == "PayoutFailed" {
			if inner, ok := args[len(args)-1].([]byte); ok {
				e.Inner = DecodeRevert(inner)
			}
		}
		return e
	}
	return e
}

// revertError turns a node's error for a reverting call into a
// *RevertError when it carries revert data (both ethclient and the
// simulated backend give it as the JSON-RPC error's data).
func revertError(err error) error {
	var de interface{ ErrorData() interface{} }
	if !errors.As(err, &de) {
		return err
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return err
	}
	data, derr := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if derr != nil {
		return err
	}
	e := DecodeRevert(data)
	e.err = err
	return e
}

// ErrorName is the custom error a call reverted with ("" if err is not a
// decodable revert).
func ErrorName(err error) string {
	var re *RevertError
	if errors.As(err, &re) {
		return re.Name
	}
	return ""
}
