package workload

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

type vectorFile struct {
	SeedDerivation struct {
		BlockHash     string `json:"block_hash"`
		WorkerAddress string `json:"worker_address"`
		Seed          string `json:"seed"`
	} `json:"seed_derivation"`
	Matrices []struct {
		Seed              string  `json:"seed"`
		MatrixSize        int     `json:"matrix_size"`
		FracBits          int     `json:"frac_bits"`
		A                 []int16 `json:"A"`
		B                 []int16 `json:"B"`
		C                 []int64 `json:"C"`
		ResultBytesSHA256 string  `json:"result_bytes_sha256"`
		Note              string  `json:"note"`
	} `json:"matrices"`
	Identities struct {
		Task      json.RawMessage `json:"task"`
		TaskJCS   string          `json:"task_jcs"`
		RequestID string          `json:"request_id"`
	} `json:"identities"`
	RewardParsing []struct {
		CPC   string `json:"cpc"`
		Wei   string `json:"wei"`
		Error string `json:"error"`
	} `json:"reward_parsing"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	raw, err := os.ReadFile("testdata/v1.json")
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parse vectors: %v", err)
	}
	if len(v.Matrices) == 0 || len(v.RewardParsing) == 0 {
		t.Fatal("vectors: empty sections")
	}
	return v
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var out [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad 32-byte hex %q: %v", s, err)
	}
	copy(out[:], b)
	return out
}

func TestVectorSeedDerivation(t *testing.T) {
	v := loadVectors(t)
	sd := v.SeedDerivation
	got := DeriveSeed(mustHex32(t, sd.BlockHash), sd.WorkerAddress)
	if hex.EncodeToString(got[:]) != sd.Seed {
		t.Fatalf("seed = %x, want %s", got, sd.Seed)
	}
}

func TestVectorMatrices(t *testing.T) {
	v := loadVectors(t)
	for i, m := range v.Matrices {
		t.Run(strings.ReplaceAll(m.Note, " ", "_")+"_"+string(rune('0'+i)), func(t *testing.T) {
			n := m.MatrixSize
			if m.Seed != "" {
				A, B, err := Generate(mustHex32(t, m.Seed), n)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(A, m.A) || !slices.Equal(B, m.B) {
					t.Fatalf("Generate: A=%v B=%v, want A=%v B=%v", A, B, m.A, m.B)
				}
				all := make([]int, n)
				for r := range all {
					all[r] = n - 1 - r
				}
				rows, B2, err := GenerateRows(mustHex32(t, m.Seed), n, all)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(B2, m.B) {
					t.Fatalf("GenerateRows B = %v, want %v", B2, m.B)
				}
				for k, r := range all {
					if !slices.Equal(rows[k], m.A[r*n:r*n+n]) {
						t.Fatalf("GenerateRows row %d = %v, want %v", r, rows[k], m.A[r*n:r*n+n])
					}
				}
			}
			C, err := Multiply(m.A, m.B, n, m.FracBits)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(C, m.C) {
				t.Fatalf("Multiply = %v, want %v", C, m.C)
			}
			for r := 0; r < n; r++ {
				if row := MultiplyRow(m.A[r*n:r*n+n], m.B, n, m.FracBits); !slices.Equal(row, m.C[r*n:r*n+n]) {
					t.Fatalf("MultiplyRow(%d) = %v, want %v", r, row, m.C[r*n:r*n+n])
				}
			}
			if m.ResultBytesSHA256 != "" {
				h := sha256.Sum256(ResultBytes(C))
				if hex.EncodeToString(h[:]) != m.ResultBytesSHA256 {
					t.Fatalf("result bytes sha256 = %x, want %s", h, m.ResultBytesSHA256)
				}
			}
			lo, hi, err := OutputRange(n, m.FracBits)
			if err != nil {
				t.Fatal(err)
			}
			b := OutputBound(n, m.FracBits)
			for _, c := range C {
				if c < lo || c > hi || c < -(int64(1)<<(b-1)) || c >= int64(1)<<(b-1) {
					t.Fatalf("entry %d outside [%d, %d] or %d bits", c, lo, hi, b)
				}
			}
		})
	}
}

func TestVectorTaskIdentity(t *testing.T) {
	v := loadVectors(t)
	task, err := DecodeTask(v.Identities.Task)
	if err != nil {
		t.Fatal(err)
	}
	got, err := task.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != v.Identities.TaskJCS {
		t.Fatalf("JCS =\n%s\nwant\n%s", got, v.Identities.TaskJCS)
	}
	id, err := task.RequestID()
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(id[:]) != v.Identities.RequestID {
		t.Fatalf("request_id = %x, want %s", id, v.Identities.RequestID)
	}
	// The same task built through the constructor.
	seed, err := task.SeedBytes()
	if err != nil {
		t.Fatal(err)
	}
	wei, err := ParseCPC("10.0")
	if err != nil {
		t.Fatal(err)
	}
	t2, err := NewSyntheticTask(task.TaskID, seed, task.Payload.MatrixSize, task.Payload.FracBits, wei, task.Deadline)
	if err != nil {
		t.Fatal(err)
	}
	if t2 != task {
		t.Fatalf("NewSyntheticTask = %+v, want %+v", t2, task)
	}
	id2, err := t2.RequestID()
	if err != nil || id2 != id {
		t.Fatalf("constructor request_id = %x (%v), want %x", id2, err, id)
	}
}

func TestVectorRewardParsing(t *testing.T) {
	v := loadVectors(t)
	for _, r := range v.RewardParsing {
		t.Run(r.CPC, func(t *testing.T) {
			wei, err := ParseCPC(r.CPC)
			if r.Error != "" {
				if err == nil {
					t.Fatalf("ParseCPC(%q) = %q, want error %q", r.CPC, wei, r.Error)
				}
				if !strings.Contains(err.Error(), r.Error) || !errors.Is(err, ErrInvalidAmount) {
					t.Fatalf("ParseCPC(%q) error %q, want it to mention %q", r.CPC, err, r.Error)
				}
				return
			}
			if err != nil || wei != r.Wei {
				t.Fatalf("ParseCPC(%q) = %q, %v; want %q", r.CPC, wei, err, r.Wei)
			}
		})
	}
}
