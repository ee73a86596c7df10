package chain

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/vm/runtime"

	"github.com/zkpoc/zkpoc/internal/solctest"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
)

// plonkEVM is one real PLONK receipt for n = 4 (dev SRS) and its verifier
// contract deployed in an in-process EVM, made once per test binary.
type plonkEVM struct {
	rc  *receipt.Receipt
	set *keys.Set
	dep deployed
}

var (
	plonkEVMOnce sync.Once
	plonkEVMFix  plonkEVM
	plonkEVMErr  error
)

// compileContract compiles a contract of the exported source with solc's
// standard JSON interface (optimizer on, 200 runs, EVM cancun, solc's default
// metadata) and returns its init code.
func compileContract(t *testing.T, solc, source, name string) []byte {
	t.Helper()
	out := solctest.CompileWithMetadata(t, solc, map[string]string{"Verifier.sol": source}, map[string][]string{"Verifier.sol": {name}})
	return out[name].Init
}

func deployPlonkVerifier(t *testing.T) plonkEVM {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real PLONK setup and proof (skipped with -short)")
	}
	solc := solcPath(t)
	plonkEVMOnce.Do(func() {
		cache, err := testfixture.KeyCache()
		if err != nil {
			plonkEVMErr = err
			return
		}
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
		task, err := testfixture.Task()
		if err != nil {
			plonkEVMErr = err
			return
		}
		res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, System: protocol.Plonk})
		if err != nil {
			plonkEVMErr = err
			return
		}
		set, err := cache.Load(keys.IDFor(protocol.BN254, protocol.Plonk, protocol.Freivalds, 4, 8))
		if err != nil {
			plonkEVMErr = err
			return
		}
		var src bytes.Buffer
		if plonkEVMErr = ExportSolidity(mustVK(t, set), &src); plonkEVMErr != nil {
			return
		}
		start := time.Now()
		init := compileContract(t, solc, src.String(), "PlonkVerifier")
		t.Logf("solc-js compiled the %d-byte PLONK contract in %s", src.Len(), time.Since(start).Round(time.Millisecond))
		cfg := &runtime.Config{GasLimit: evmGasLimit}
		code, addr, _, err := runtime.Create(init, cfg)
		if err != nil {
			plonkEVMErr = err
			return
		}
		plonkEVMFix = plonkEVM{rc: res.Receipt, set: set, dep: deployed{cfg: cfg, addr: addr, size: len(code)}}
	})
	if plonkEVMErr != nil {
		t.Fatal(plonkEVMErr)
	}
	return plonkEVMFix
}

func TestPlonkEVMVerifier(t *testing.T) {
	f := deployPlonkVerifier(t)
	rc := f.rc
	valid, err := PlonkCalldata(rc.Proof.Bytes, rc.Proof.PublicInputs, mustVK(t, f.set))
	if err != nil {
		t.Fatal(err)
	}
	ret, gas, err := f.dep.call(valid)
	if err != nil {
		t.Fatalf("Verify on a valid PLONK proof reverted: %v (%s)", err, revertReason(ret))
	}
	if len(ret) != 32 || ret[31] != 1 {
		t.Fatalf("Verify on a valid PLONK proof returned %x", ret)
	}
	t.Logf("PLONK Verify(bytes,uint256[]) on a valid proof: %d gas execution, +%d intrinsic for %d bytes of calldata = %d per transaction; contract %d bytes",
		gas, intrinsicGas(valid), len(valid), gas+intrinsicGas(valid), f.dep.size)

	in := slices.Clone(rc.Proof.PublicInputs)
	in[1] = "12345"
	wrong, err := PlonkCalldata(rc.Proof.Bytes, in, mustVK(t, f.set))
	if err != nil {
		t.Fatal(err)
	}
	ret, gas, err = f.dep.call(wrong)
	if err == nil && len(ret) == 32 && ret[31] == 1 {
		t.Fatalf("the PLONK contract accepted a wrong public input (%d gas)", gas)
	}
	t.Logf("wrong public input: err=%v ret=%x", err, ret)

	sol, err := PlonkSolidityProof(rc.Proof.Bytes, mustVK(t, f.set))
	if err != nil {
		t.Fatal(err)
	}
	// A flipped byte inside an opened value (after the six G1 points).
	bad := slices.Clone(valid)
	bad[4+96+6*64+5] ^= 1
	ret, _, err = f.dep.call(bad)
	if err == nil && len(ret) == 32 && ret[31] == 1 {
		t.Fatal("the PLONK contract accepted a modified proof")
	}
	if !strings.HasPrefix(hex.EncodeToString(valid[4+96:4+96+len(sol)]), hex.EncodeToString(sol[:8])) {
		t.Error("calldata layout: proof not where expected")
	}
}
