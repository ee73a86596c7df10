package chain

import (
	"flag"
	"os"
	"testing"

	"github.com/zkpoc/zkpoc/keys"

	"github.com/zkpoc/zkpoc/proofsystem"

	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture is the shared n = 4 Groth16 receipt (internal/testfixture).
type fixture struct {
	env *receipt.Envelope
	rc  *receipt.Receipt
	vk  proofsystem.VerifyingKey
}

func TestMain(m *testing.M) {
	code := m.Run()
	testfixture.Cleanup()
	os.Exit(code)
}

const fixtureWorker = testfixture.Worker

// binding is the task and node the fixture's receipt is for.
func (f fixture) binding(t *testing.T) Binding {
	t.Helper()
	b, err := ReceiptBinding(f.rc)
	if err != nil {
		t.Fatal(err)
	}
	b.KeyCircuit = protocol.Freivalds.Name() // the fixture's key was set up for it
	return b
}

func getFixture(t *testing.T) fixture {
	t.Helper()
	f := testfixture.Groth16N4(t)
	return fixture{env: f.Env, rc: f.Receipt, vk: f.VK}
}

// mustVK is a key set's verifying key behind proofsystem's interface.
func mustVK(t testing.TB, set *keys.Set) proofsystem.VerifyingKey {
	t.Helper()
	vk := set.VK
	return vk
}
