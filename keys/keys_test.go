package keys

import (
	"github.com/zkpoc/zkpoc/internal/keytest"
	"github.com/zkpoc/zkpoc/protocol"

	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/proofsystem"
)

// squareCircuit is the tests' one-constraint circuit X² = Y.
type squareCircuit = keytest.Circuit

func compileSquare() (constraint.ConstraintSystem, error) { return keytest.R1CS() }

var testID = ID{Circuit: "square-test", N: 1, FracBits: 0, Curve: "bn254", System: "groth16"}

// fixture: one setup shared by the tests that only need some valid keys.
var (
	fixtureOnce sync.Once
	fixtureSet  *Set
	fixtureErr  error
)

func fixture(t testing.TB) *Set {
	t.Helper()
	fixtureOnce.Do(func() {
		ccs, err := compileSquare()
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureSet, fixtureErr = devSetup(testID)(ccs)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureSet
}

// devSetup is a single-party Groth16 setup of ccs for id with gnark's own
// groth16.Setup (the cache's tests need valid keys, not package setup's).
func devSetup(id ID) func(constraint.ConstraintSystem) (*Set, error) {
	return func(ccs constraint.ConstraintSystem) (*Set, error) {
		pk, vk, err := groth16.Setup(ccs)
		if err != nil {
			return nil, err
		}
		k, err := proofsystem.NewVerifyingKey(vk)
		if err != nil {
			return nil, err
		}
		return NewSet(Meta{ID: id, Fingerprint: k.FingerprintHex(), Provenance: ProvenanceDevSingleParty, Constraints: ccs.GetNbConstraints(),
			CreatedAt: Now(), GnarkVersion: GnarkVersion(), Origin: &Origin{Source: OriginSetup, Circuit: EstablishedGenerated, Setup: EstablishedGenerated, At: Now()}}, pk, k, ccs)
	}
}

func proveVerify(t *testing.T, set *Set, x, y int) error {
	t.Helper()
	w, err := frontend.NewWitness(&squareCircuit{X: x, Y: y}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(set.CCS, set.PK.(groth16.ProvingKey), w)
	if err != nil {
		return err
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	return groth16.Verify(proof, gnarkVK(set), pub)
}

// gnarkVK is the set's gnark Groth16 verifying key.
func gnarkVK(s *Set) groth16.VerifyingKey { return s.VK.Gnark().(groth16.VerifyingKey) }

func TestIDStringAndValidate(t *testing.T) {
	good := ID{Circuit: "freivalds-v1", N: 16, FracBits: 8, Curve: "bn254", System: "groth16"}
	if got, want := good.String(), "freivalds-v1_n16_f8_bn254_groth16"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	tests := []struct {
		name string
		mod  func(*ID)
		ok   bool
	}{
		{"good", func(*ID) {}, true},
		{"dot in circuit", func(id *ID) { id.Circuit = "mm.v2" }, true},
		{"empty circuit", func(id *ID) { id.Circuit = "" }, false},
		{"slash", func(id *ID) { id.Circuit = "../x" }, false},
		{"underscore", func(id *ID) { id.Circuit = "a_b" }, false},
		{"upper", func(id *ID) { id.Circuit = "Freivalds" }, false},
		{"leading dash", func(id *ID) { id.Circuit = "-x" }, false},
		{"leading dot", func(id *ID) { id.Circuit = ".x" }, false},
		{"zero n", func(id *ID) { id.N = 0 }, false},
		{"negative frac", func(id *ID) { id.FracBits = -1 }, false},
		{"other curve", func(id *ID) { id.Curve = "bls12_381" }, false},
		{"other system", func(id *ID) { id.System = "stark" }, false},
		{"plonk", func(id *ID) { id.System = "plonk" }, true},
		{"long", func(id *ID) { id.Circuit = strings.Repeat("a", 65) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := good
			tc.mod(&id)
			if err := id.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate(%q) = %v, want ok=%v", id.String(), err, tc.ok)
			}
		})
	}
}

func TestStoreLoadProveVerify(t *testing.T) {
	set := fixture(t)
	c := Cache{Dir: t.TempDir()}
	if _, err := c.Load(testID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load of empty cache: %v, want ErrNotFound", err)
	}
	if err := c.Store(set); err != nil {
		t.Fatal(err)
	}
	got, err := c.Load(testID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Meta, set.Meta) {
		t.Errorf("meta round trip: got %+v want %+v", got.Meta, set.Meta)
	}
	if got.CCS == nil || got.CCS.GetNbConstraints() != set.CCS.GetNbConstraints() {
		t.Fatalf("constraint system not loaded")
	}
	if gnarkVK(got).IsDifferent(gnarkVK(set)) {
		t.Error("loaded VK differs")
	}
	if err := proveVerify(t, got, 5, 25); err != nil {
		t.Fatalf("prove/verify with loaded keys: %v", err)
	}
	if err := proveVerify(t, got, 5, 26); err == nil {
		t.Fatal("false statement proved/verified")
	}
	// Loaded VK verifies a proof made with the original PK.
	mixed := &Set{CCS: set.CCS, PK: set.PK, VK: got.VK}
	if err := proveVerify(t, mixed, 4, 16); err != nil {
		t.Fatalf("original PK, loaded VK: %v", err)
	}

	list, err := c.List()
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], set.Meta) {
		t.Fatalf("List = %+v, %v", list, err)
	}
	vk, m, err := c.FindByFingerprint(strings.ToUpper(set.Meta.Fingerprint))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, set.Meta) || vk.Gnark().(groth16.VerifyingKey).IsDifferent(gnarkVK(set)) {
		t.Fatalf("FindByFingerprint returned wrong entry %+v", m)
	}
	if _, _, err := c.FindByFingerprint(strings.Repeat("ab", 32)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown fingerprint: %v, want ErrNotFound", err)
	}
	if _, _, err := c.FindByFingerprint("xyz"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("malformed fingerprint: %v", err)
	}
	// Stray files and incomplete entries are ignored by List.
	if err := os.MkdirAll(filepath.Join(c.Dir, "incomplete_n1_f0_bn254_groth16"), 0o755); err != nil {
		t.Fatal(err)
	}
	if list, err := c.List(); err != nil || len(list) != 1 {
		t.Fatalf("List with incomplete entry = %+v, %v", list, err)
	}
}

func TestListMissingDir(t *testing.T) {
	list, err := Cache{Dir: filepath.Join(t.TempDir(), "none")}.List()
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestLoadDetectsTampering(t *testing.T) {
	set := fixture(t)
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
	}{
		{"meta fingerprint", func(t *testing.T, dir string) {
			editMeta(t, dir, func(m *Meta) { m.Fingerprint = strings.Repeat("0", 64) })
		}},
		{"meta id", func(t *testing.T, dir string) {
			editMeta(t, dir, func(m *Meta) { m.ID.N = 2 })
		}},
		{"meta garbage", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "meta.json"), []byte("{not json"))
		}},
		{"vk truncated", func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "vk.bin"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "vk.bin"), b[:len(b)/2])
		}},
		{"pk missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "pk.bin")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Cache{Dir: t.TempDir()}
			if err := c.Store(set); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, c.EntryDir(testID))
			_, err := c.Load(testID)
			if err == nil {
				t.Fatal("Load accepted a tampered entry")
			}
			if errors.Is(err, ErrNotFound) {
				t.Fatalf("tampered entry reported as not found: %v", err)
			}
			// LoadOrSetup must not silently overwrite a corrupt entry.
			_, _, err = c.LoadOrStore(testID, func() (constraint.ConstraintSystem, error) {
				t.Error("compile called for a corrupt entry")
				return compileSquare()
			}, devSetup(testID))
			if err == nil {
				t.Fatal("LoadOrSetup accepted a tampered entry")
			}
		})
	}
}

func TestKilledSetupLeavesNothingTrusted(t *testing.T) {
	set := fixture(t)
	c := Cache{Dir: t.TempDir()}
	if err := c.Store(set); err != nil {
		t.Fatal(err)
	}
	// Simulate a setup killed before meta.json was written.
	if err := os.Remove(filepath.Join(c.EntryDir(testID), "meta.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(testID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load without meta.json: %v, want ErrNotFound", err)
	}
	if _, _, err := c.FindByFingerprint(set.Meta.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FindByFingerprint without meta.json: %v, want ErrNotFound", err)
	}
}

func editMeta(t *testing.T, dir string, fn func(*Meta)) {
	t.Helper()
	path := filepath.Join(dir, "meta.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	fn(&m)
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadOrStoreCachesAndSkipsCompile(t *testing.T) {
	c := Cache{Dir: filepath.Join(t.TempDir(), "nested", "keys")}
	var compiles atomic.Int32
	compile := func() (constraint.ConstraintSystem, error) {
		compiles.Add(1)
		return compileSquare()
	}
	set1, cached, err := c.LoadOrStore(testID, compile, devSetup(testID))
	if err != nil {
		t.Fatal(err)
	}
	if cached || compiles.Load() != 1 {
		t.Fatalf("first call: cached=%v compiles=%d", cached, compiles.Load())
	}
	set2, cached, err := c.LoadOrStore(testID, compile, devSetup(testID))
	if err != nil {
		t.Fatal(err)
	}
	if !cached || compiles.Load() != 1 {
		t.Fatalf("second call: cached=%v compiles=%d, want cached and no compile", cached, compiles.Load())
	}
	if !reflect.DeepEqual(set1.Meta, set2.Meta) {
		t.Fatalf("meta differs: %+v vs %+v", set1.Meta, set2.Meta)
	}
	if err := proveVerify(t, set2, 7, 49); err != nil {
		t.Fatal(err)
	}

	// Without a stored constraint system, the cached keys are reused and
	// compile supplies the ccs.
	if err := os.Remove(filepath.Join(c.EntryDir(testID), "ccs.bin")); err != nil {
		t.Fatal(err)
	}
	set3, cached, err := c.LoadOrStore(testID, compile, devSetup(testID))
	if err != nil {
		t.Fatal(err)
	}
	if !cached || compiles.Load() != 2 || !reflect.DeepEqual(set3.Meta, set1.Meta) || set3.CCS == nil {
		t.Fatalf("no-ccs call: cached=%v compiles=%d", cached, compiles.Load())
	}

	// A failing compile is reported with context and stores nothing.
	other := testID
	other.N = 2
	boom := errors.New("boom")
	_, _, err = c.LoadOrStore(other, func() (constraint.ConstraintSystem, error) { return nil, boom }, devSetup(other))
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), other.String()) {
		t.Fatalf("failing compile: %v", err)
	}
	if _, err := c.Load(other); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after failed compile: %v", err)
	}
}

func TestLoadOrStoreConcurrent(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	var compiles atomic.Int32
	compile := func() (constraint.ConstraintSystem, error) {
		compiles.Add(1)
		time.Sleep(50 * time.Millisecond) // widen the race window
		return compileSquare()
	}
	const workers = 3
	var wg sync.WaitGroup
	sets := make([]*Set, workers)
	cachedFlags := make([]bool, workers)
	errs := make([]error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sets[i], cachedFlags[i], errs[i] = c.LoadOrStore(testID, compile, devSetup(testID))
		}(i)
	}
	wg.Wait()
	fresh := 0
	for i := 0; i < workers; i++ {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		if !cachedFlags[i] {
			fresh++
		}
		if sets[i].Meta.Fingerprint != sets[0].Meta.Fingerprint {
			t.Fatalf("worker %d got different keys", i)
		}
	}
	if compiles.Load() != 1 || fresh != 1 {
		t.Fatalf("compiles=%d fresh setups=%d, want 1 and 1", compiles.Load(), fresh)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("ZKPOC_HOME", "/tmp/zk-home")
	d, err := DefaultCacheDir()
	if err != nil || d != filepath.Join("/tmp/zk-home", "keys") {
		t.Fatalf("DefaultCacheDir = %q, %v", d, err)
	}
	t.Setenv("ZKPOC_HOME", "")
	t.Setenv("XDG_CACHE_HOME", "/tmp/xdg")
	d, err = DefaultCacheDir()
	if err != nil || d != filepath.Join("/tmp/xdg", "zkpoc", "keys") {
		t.Fatalf("DefaultCacheDir = %q, %v", d, err)
	}
}

func TestFingerprintStable(t *testing.T) {
	set := fixture(t)
	a, err := proofsystem.Fingerprint(set.VK)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := set.VK.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	vk, err := proofsystem.ParseVerifyingKey(buf.Bytes(), protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	b := vk.Fingerprint()
	if a != b {
		t.Fatalf("fingerprint changed across round trip: %x vs %x (%v)", a, b, err)
	}
	if _, err := proofsystem.Fingerprint(nil); err == nil {
		t.Fatal("Fingerprint(nil) succeeded")
	}
}

func TestIDFor(t *testing.T) {
	got := IDFor(protocol.BLS12381, protocol.Plonk, protocol.Freivalds, 16, 8)
	want := ID{Circuit: protocol.Freivalds.Name(), N: 16, FracBits: 8, Curve: protocol.BLS12381, System: protocol.Plonk}
	if got != want || got.Validate() != nil {
		t.Fatalf("IDFor = %+v (%v), want %+v", got, got.Validate(), want)
	}
	if s := IDFor(protocol.BN254, protocol.Groth16, protocol.Naive, 4, 0).String(); s != "naive-v5_n4_f0_bn254_groth16" {
		t.Fatalf("IDFor(...).String() = %q", s)
	}
}

// TestNewSetChecksKeys: NewSet refuses keys of another system or curve
// than the id names, and missing keys.
func TestNewSetChecksKeys(t *testing.T) {
	set := fixture(t)
	if s, err := NewSet(set.Meta, set.PK, set.VK, set.CCS); err != nil || s.PK != set.PK || s.VK != set.VK {
		t.Fatalf("NewSet of a good set: %v", err)
	}
	for name, mod := range map[string]func(*Meta){
		"plonk id": func(m *Meta) { m.ID.System = protocol.Plonk },
		"bls id":   func(m *Meta) { m.ID.Curve = protocol.BLS12381 },
	} {
		m := set.Meta
		mod(&m)
		if _, err := NewSet(m, set.PK, set.VK, set.CCS); err == nil {
			t.Errorf("%s: NewSet accepted Groth16 BN254 keys", name)
		}
	}
	if _, err := NewSet(set.Meta, nil, set.VK, set.CCS); err == nil {
		t.Error("NewSet accepted a nil proving key")
	}
	if _, err := NewSet(set.Meta, set.PK, nil, set.CCS); err == nil {
		t.Error("NewSet accepted a nil verifying key")
	}
}
