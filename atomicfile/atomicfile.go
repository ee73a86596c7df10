// Package atomicfile writes files atomically (temp file in the same
// directory, fsync, rename, fsync of the directory) and reads files with a
// hard size limit.
//
// A reader of path sees either the complete old content or the complete new
// content, never a partial write; on any error the old file is left
// untouched and no temporary file is left behind.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// tempPattern is the os.CreateTemp pattern of temporary files; they start
// with a dot so directory scans can skip them.
const tempPattern = ".tmp-*"

// Write atomically replaces path with data, creating the parent directory
// (mode 0o755) if needed.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc atomically replaces path with whatever fn writes to w. The writer
// is buffered; fn must not retain it. If fn returns an error, path is left
// untouched and the error is returned (wrapped).
func WriteFunc(path string, perm os.FileMode, fn func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("atomicfile: create directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+tempPattern)
	if err != nil {
		return fmt.Errorf("atomicfile: create temp file for %s: %w", path, err)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = os.Remove(tmp)
		}
	}()

	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fn(bw); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("atomicfile: chmod %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: fsync %s: %w", tmp, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("atomicfile: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: rename %s to %s: %w", tmp, path, err)
	}
	// The rename is done: from here on the new content is in place, so a
	// failing directory fsync must not remove anything.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("atomicfile: %s written but %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s for fsync: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		// Some file systems do not support fsync on directories.
		if errors.Is(err, os.ErrInvalid) {
			return nil
		}
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}

// ErrTooLarge is wrapped by ReadLimited's error when the file exceeds the
// limit.
var ErrTooLarge = errors.New("file too large")

// ReadLimited reads the whole file at path, refusing (with an error that
// wraps ErrTooLarge and names the limit) files larger than limit bytes. It
// never allocates more than limit bytes for the content, even if the file
// grows while being read.
func ReadLimited(path string, limit int64) ([]byte, error) {
	if limit < 0 {
		return nil, fmt.Errorf("read %s: negative limit %d", path, limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("read %s: %w: %d bytes exceeds limit of %d bytes", path, ErrTooLarge, st.Size(), limit)
	}
	// Size is only a hint (the file may change); the LimitReader of limit+1
	// is the real bound: one byte beyond the limit proves the file is too
	// large, and the content buffer never grows beyond limit bytes.
	buf, err := readBounded(io.LimitReader(f, limit+1), st.Size(), limit)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf, nil
}

// readBounded reads r to EOF into a buffer of at most limit bytes (sized
// from hint first), returning an error wrapping ErrTooLarge if r has more.
func readBounded(r io.Reader, hint, limit int64) ([]byte, error) {
	if hint > limit {
		hint = limit
	}
	if hint < 0 {
		hint = 0
	}
	buf := make([]byte, 0, hint)
	for {
		if int64(len(buf)) == limit {
			var one [1]byte
			n, err := io.ReadFull(r, one[:])
			if n > 0 {
				return nil, fmt.Errorf("%w: exceeds limit of %d bytes", ErrTooLarge, limit)
			}
			if err == io.EOF {
				return buf, nil
			}
			return nil, err
		}
		if len(buf) == cap(buf) {
			newCap := int64(cap(buf))*2 + 512
			if newCap > limit {
				newCap = limit
			}
			nb := make([]byte, len(buf), newCap)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
