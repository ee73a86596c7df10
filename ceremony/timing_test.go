package ceremony

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/keys"
)

// chainCircuit has about Size constraints (a chain of squarings) plus one
// commitment, to time the ceremony at a chosen domain size.
type chainCircuit struct {
	X    frontend.Variable
	Y    frontend.Variable `gnark:",public"`
	Size int               `gnark:"-"`
}

func (c *chainCircuit) Define(api frontend.API) error {
	v := c.X
	for i := 0; i < c.Size; i++ {
		v = api.Mul(v, v)
	}
	api.AssertIsEqual(v, c.Y)
	cm, err := api.(frontend.Committer).Commit(c.X)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cm, 0)
	return nil
}

// TestCeremonyTiming times each ceremony step for a circuit whose domain is
// 2^ZKPOC_CEREMONY_TIMING (e.g. 12..16), with one contribution per phase.
// Skipped unless that variable is set.
func TestCeremonyTiming(t *testing.T) {
	logN, err := strconv.Atoi(os.Getenv("ZKPOC_CEREMONY_TIMING"))
	if err != nil || logN < 3 || logN > 22 {
		t.Skip("set ZKPOC_CEREMONY_TIMING=12..22 to time the ceremony at domain 2^N")
	}
	size := (1 << logN) * 3 / 4
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &chainCircuit{Size: size})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "c")
	id := keys.ID{Circuit: "chain", N: size, Curve: "bn254", System: "groth16"}
	timed := func(name string, fn func() error) {
		start := time.Now()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("domain 2^%d (%d constraints): %-12s %6.1f s", logN, ccs.GetNbConstraints(), name, time.Since(start).Seconds())
	}
	timed("init", func() error { return Init(dir, id, ccs) })
	timed("contribute1", func() error { _, _, err := Contribute(dir, 1, nil); return err })
	timed("seal-phase1", func() error { return SealPhase1(dir, testBeacon1) })
	timed("contribute2", func() error { _, _, err := Contribute(dir, 2, nil); return err })
	timed("verify", func() error { _, err := Verify(dir, testBeacon2); return err })
	timed("finalize", func() error { _, err := Finalize(dir, testBeacon2, keys.Cache{Dir: t.TempDir()}); return err })
	for _, f := range []string{"ccs.bin", "phase1/001.bin", "phase2/000.bin", "phase2/001.bin"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("domain 2^%d: %-15s %10d bytes", logN, f, st.Size())
	}
}
