package circuits

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkpoc/zkpoc/protocol"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

const (
	statsFile   = "testdata/constraints.csv"
	digestsFile = "testdata/circuit_digests.txt"
)

// statsSizes are the sizes whose R1CS constraint counts are pinned; 128 is
// the first size that range-checks with the lookup table.
var statsSizes = map[protocol.Method][]int{
	protocol.Freivalds: {4, 8, 16, 32, 64, 128},
	protocol.Naive:     {4, 8, 16, 32, 64},
}

// statsSizesBLS are the sizes pinned on BLS12-381 (its digests use a
// width-3 sponge, so their cost per element differs from protocol.BN254's).
var statsSizesBLS = map[protocol.Method][]int{
	protocol.Freivalds: {4, 16, 64},
	protocol.Naive:     {4},
}

// statsSizesSynthetic are the sizes pinned for freivalds-s2 (BN254): 8 is
// the first size that range-checks with lookup tables.
var statsSizesSynthetic = []int{4, 8, 16, 32, 64, 128}

// TestConstraintCounts compiles every circuit at the pinned sizes and fails
// when a count differs from testdata/constraints.csv (go test -run
// TestConstraintCounts -update rewrites it after an intended change).
func TestConstraintCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles circuits up to n=64")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"circuit", "n", "frac_bits", "curve", "r1cs_constraints", "public_inputs", "commitments"})
	got := map[string]int{}
	digests := map[string]string{}
	for _, curve := range protocol.Curves {
		sizes := statsSizes
		if curve == protocol.BLS12381 {
			sizes = statsSizesBLS
		}
		for _, m := range []protocol.Method{protocol.Freivalds, protocol.Naive} {
			for _, n := range sizes[m] {
				shape, err := New(m, n, 8)
				if err != nil {
					t.Fatal(err)
				}
				ccs, err := frontend.Compile(curve.ScalarField(), r1cs.NewBuilder, shape)
				if err != nil {
					t.Fatalf("%s %s n=%d: %v", curve, m.Name(), n, err)
				}
				nc := ccs.GetNbConstraints()
				name := m.Name()
				if curve != protocol.BN254 {
					name += "/" + string(curve)
				}
				if n == 4 || (n == lookupMinN && curve == protocol.BN254) {
					var b bytes.Buffer
					if _, err := ccs.WriteTo(&b); err != nil {
						t.Fatal(err)
					}
					digests[fmt.Sprintf("%s/n=%d", name, n)] = fmt.Sprintf("%x", sha256.Sum256(b.Bytes()))
				}
				got[fmt.Sprintf("%s/%s/%d", m.Name(), curve, n)] = nc
				_ = w.Write([]string{m.Name(), strconv.Itoa(n), "8", string(curve), strconv.Itoa(nc),
					strconv.Itoa(ccs.GetNbPublicVariables() - 1), strconv.Itoa(len(ccs.GetCommitments().CommitmentIndexes()))})
				if c := len(ccs.GetCommitments().CommitmentIndexes()); c != 1 {
					t.Errorf("%s %s n=%d: %d commitments, want exactly 1 (the Solidity verifier supports one)", curve, m.Name(), n, c)
				}
			}
		}
	}
	// freivalds-s2 on BN254 (its Groth16 verifier is BN254-only for now)
	for _, n := range statsSizesSynthetic {
		shape, err := NewSynthetic(n, 8)
		if err != nil {
			t.Fatal(err)
		}
		ccs, err := frontend.Compile(protocol.BN254.ScalarField(), r1cs.NewBuilder, shape)
		if err != nil {
			t.Fatalf("%s n=%d: %v", protocol.SyntheticCircuitID, n, err)
		}
		if n == 4 || n == syntheticLookupMinN {
			var b bytes.Buffer
			if _, err := ccs.WriteTo(&b); err != nil {
				t.Fatal(err)
			}
			digests[fmt.Sprintf("%s/n=%d", protocol.SyntheticCircuitID, n)] = fmt.Sprintf("%x", sha256.Sum256(b.Bytes()))
		}
		nc := ccs.GetNbConstraints()
		got[fmt.Sprintf("%s/%s/%d", protocol.SyntheticCircuitID, protocol.BN254, n)] = nc
		_ = w.Write([]string{protocol.SyntheticCircuitID, strconv.Itoa(n), "8", string(protocol.BN254), strconv.Itoa(nc),
			strconv.Itoa(ccs.GetNbPublicVariables() - 1), strconv.Itoa(len(ccs.GetCommitments().CommitmentIndexes()))})
		if c := len(ccs.GetCommitments().CommitmentIndexes()); c != 1 {
			t.Errorf("%s n=%d: %d commitments, want exactly 1", protocol.SyntheticCircuitID, n, c)
		}
		if np := ccs.GetNbPublicVariables() - 1; np != 4 {
			t.Errorf("%s n=%d: %d public inputs, want 4 (digest, s, PoE hi, lo)", protocol.SyntheticCircuitID, n, np)
		}
	}
	w.Flush()
	checkDigests(t, digests)
	if *update {
		if err := os.WriteFile(statsFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(filepath.FromSlash(statsFile))
	if err != nil {
		t.Fatalf("%v (run go test ./circuits -run TestConstraintCounts -update)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, row := range rows[1:] {
		key := row[0] + "/" + row[3] + "/" + row[1]
		want, _ := strconv.Atoi(row[4])
		if g, ok := got[key]; !ok {
			t.Errorf("%s: pinned in %s but not compiled", key, statsFile)
		} else if g != want {
			t.Errorf("%s: %d constraints, pinned %d (%+.1f%%); if intended, rerun with -update", key, g, want, 100*float64(g-want)/float64(want))
		}
		seen++
	}
	if seen != len(got) {
		t.Errorf("%s pins %d rows, compiled %d", statsFile, seen, len(got))
	}
}

// checkDigests guards the key cache: cached keys are found by circuit name,
// so a circuit whose constraint system changes must change its name
// (freivalds-v1 → freivalds-v2). The digests of the n = 4 system (and of the
// first lookup-table size) are pinned per name; -update adds new names but
// refuses to re-pin an existing one.
func checkDigests(t *testing.T, got map[string]string) {
	t.Helper()
	pinned := map[string]string{}
	if data, err := os.ReadFile(digestsFile); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if f := strings.Fields(line); len(f) == 2 {
				pinned[f[0]] = f[1]
			}
		}
	}
	for name, d := range got {
		if p, ok := pinned[name]; ok && p != d {
			t.Errorf("circuit %s changed (constraint system sha256 %s, pinned %s): bump its version in protocol.Method.Name so cached keys of the old circuit are never reused", name, d, p)
		} else if !ok && !*update {
			t.Errorf("circuit %s has no pinned digest in %s (run with -update)", name, digestsFile)
		}
		pinned[name] = d
	}
	if *update && !t.Failed() {
		names := make([]string, 0, len(pinned))
		for n := range pinned {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s %s\n", n, pinned[n])
		}
		if err := os.WriteFile(digestsFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var breakdownN = flag.Int("breakdown-n", 16, "matrix size for TestBreakdown")
