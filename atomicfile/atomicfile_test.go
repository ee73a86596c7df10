package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteCreatesParentAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "f.txt")
	for _, content := range []string{"first", "second, longer content", ""} {
		if err := Write(path, []byte(content), 0o644); err != nil {
			t.Fatalf("Write(%q): %v", content, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Fatalf("got %q, want %q", got, content)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("perm = %v, want 0644", st.Mode().Perm())
	}
	if names := listDir(t, filepath.Dir(path)); len(names) != 1 || names[0] != "f.txt" {
		t.Errorf("directory holds %v, want only f.txt", names)
	}
}

func TestWriteFuncFailureKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := Write(path, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFunc(path, 0o600, func(w io.Writer) error {
		// Write more than the buffer so some bytes reach the temp file.
		if _, err := w.Write(bytes.Repeat([]byte("x"), 3<<20)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteFunc error = %v, want wrapping boom", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "old content" {
		t.Fatalf("old content lost: got %d bytes", len(got))
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "f.bin" {
		t.Errorf("temp files left behind: %v", names)
	}
}

func TestWriteFuncNoTempFilesOnSuccess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	for i := 0; i < 3; i++ {
		err := WriteFunc(path, 0o644, func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Repeat("y", 1000*i))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "out" {
		t.Errorf("directory holds %v, want only out", names)
	}
}

func TestWriteIntoDirectoryPathFails(t *testing.T) {
	dir := t.TempDir()
	// path is an existing non-empty directory: the rename must fail and the
	// temp file must be cleaned up.
	path := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("data"), 0o644); err == nil {
		t.Fatal("Write over a directory succeeded")
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "sub" {
		t.Errorf("temp files left behind: %v", names)
	}
}

func TestReadLimited(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		size    int
		limit   int64
		wantErr bool
	}{
		{"empty", 0, 10, false},
		{"under", 5, 10, false},
		{"exact", 10, 10, false},
		{"one over", 11, 10, true},
		{"far over", 5000, 10, true},
		{"zero limit empty", 0, 0, false},
		{"zero limit nonempty", 1, 0, true},
		{"large exact", 100000, 100000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			data := bytes.Repeat([]byte{0xAB}, tc.size)
			if err := Write(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadLimited(path, tc.limit)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error reading %d bytes with limit %d", tc.size, tc.limit)
				}
				if !errors.Is(err, ErrTooLarge) {
					t.Errorf("error %v does not wrap ErrTooLarge", err)
				}
				if !strings.Contains(err.Error(), "limit") {
					t.Errorf("error %q does not name the limit", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("content mismatch: got %d bytes, want %d", len(got), len(data))
			}
			if int64(cap(got)) > tc.limit && tc.limit > 0 {
				t.Errorf("allocated %d bytes, limit %d", cap(got), tc.limit)
			}
		})
	}
}

func TestReadBoundedGrowingSource(t *testing.T) {
	// A source larger than its size hint (a file growing while read) is
	// still caught by the LimitReader path.
	r := io.LimitReader(strings.NewReader(strings.Repeat("z", 100)), 11)
	if _, err := readBounded(r, 3, 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	r = io.LimitReader(strings.NewReader(strings.Repeat("z", 10)), 11)
	got, err := readBounded(r, 3, 10)
	if err != nil || len(got) != 10 || cap(got) > 10 {
		t.Fatalf("got len %d cap %d err %v", len(got), cap(got), err)
	}
}

func TestReadLimitedMissing(t *testing.T) {
	_, err := ReadLimited(filepath.Join(t.TempDir(), "nope"), 10)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}
