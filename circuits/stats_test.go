package circuits

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

const statsFile = "testdata/constraints.csv"

// statsSizes are the sizes whose R1CS constraint counts are pinned.
var statsSizes = []int{4, 8, 16, 32, 64}

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
	for _, m := range []Method{Freivalds, Naive} {
		for _, n := range statsSizes {
			shape, err := New(m, n, 8)
			if err != nil {
				t.Fatal(err)
			}
			ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, shape)
			if err != nil {
				t.Fatalf("%s n=%d: %v", m.Name(), n, err)
			}
			nc := ccs.GetNbConstraints()
			got[fmt.Sprintf("%s/%d", m.Name(), n)] = nc
			_ = w.Write([]string{m.Name(), strconv.Itoa(n), "8", "bn254", strconv.Itoa(nc),
				strconv.Itoa(ccs.GetNbPublicVariables() - 1), strconv.Itoa(len(ccs.GetCommitments().CommitmentIndexes()))})
			if c := len(ccs.GetCommitments().CommitmentIndexes()); c != 1 {
				t.Errorf("%s n=%d: %d commitments, want exactly 1 (the Solidity verifier supports one)", m.Name(), n, c)
			}
		}
	}
	w.Flush()
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
		key := row[0] + "/" + row[1]
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
