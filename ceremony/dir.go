package ceremony

// The ceremony directory: file names, the contribution listing, the
// phase-1 seal record, the directory lock and the JSON records' reader and
// writer.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"syscall"

	"github.com/zkpoc/zkpoc/atomicfile"
)

const (
	manifestFile = "manifest.json"
	ccsFile      = "ccs.bin"
	sealFile     = "phase1-seal.json"
	finalFile    = "final.json"
	lockFile     = ".lock"
)

func phaseDir(dir string, phase int) string { return filepath.Join(dir, fmt.Sprintf("phase%d", phase)) }

func contribPath(dir string, phase, index int) string {
	return filepath.Join(phaseDir(dir, phase), fmt.Sprintf("%03d.bin", index))
}

var contribNameRE = regexp.MustCompile(`^([0-9]{3,6})\.bin$`)

// listContributions returns the number k of contributions of phase, after
// checking the files are exactly 001..k (base 000 excluded).
func listContributions(dir string, phase int) (int, error) {
	ents, err := os.ReadDir(phaseDir(dir, phase))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("list phase %d contributions: %w", phase, err)
	}
	var idx []int
	for _, e := range ents {
		m := contribNameRE.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i == 0 {
			continue
		}
		if fmt.Sprintf("%03d.bin", i) != e.Name() {
			return 0, badContrib(phase, i, "unexpected file name %s", e.Name())
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for k, i := range idx {
		if i != k+1 {
			return 0, badContrib(phase, k+1, "missing: the directory holds contribution %d but not %d", i, k+1)
		}
	}
	return len(idx), nil
}

// phase1Seal is phase1-seal.json, written when phase 1 is closed.
type phase1Seal struct {
	Beacon        string `json:"beacon"`
	Contributions int    `json:"phase1_contributions"`
	LastHash      string `json:"phase1_last_hash"`
	BaseHash      string `json:"phase2_base_hash"`
	SealedAt      string `json:"sealed_at"`
}

func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock ceremony %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock ceremony %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

func readJSONFile(path string, v any) error {
	data, err := atomicfile.ReadLimited(path, maxJSONBytes)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

func readSeal(dir string) (*phase1Seal, error) {
	var s phase1Seal
	err := readJSONFile(filepath.Join(dir, sealFile), &s)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("phase-1 seal record: %w", err)
	}
	return &s, nil
}
