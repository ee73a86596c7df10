package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// home is $ZKPOC_HOME, or the user cache dir + /zkpoc.
func home() (string, error) {
	if h := os.Getenv("ZKPOC_HOME"); h != "" {
		return h, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no ZKPOC_HOME and no user cache dir: %w", err)
	}
	return filepath.Join(d, "zkpoc"), nil
}

func keyCache() (keys.Cache, error) {
	h, err := home()
	if err != nil {
		return keys.Cache{}, err
	}
	return keys.Cache{Dir: filepath.Join(h, "keys")}, nil
}

func defaultNodeKeyPath() string {
	h, err := home()
	if err != nil {
		return "node.key"
	}
	return filepath.Join(h, "node.key")
}

// MaxTaskBytes bounds a task file.
const maxTaskBytes = 64 << 10

func readTask(env *cliEnv, path string) (workload.ComputeTask, error) {
	data, err := readInput(env, path, maxTaskBytes)
	if err != nil {
		return workload.ComputeTask{}, usageError{fmt.Errorf("read task: %w", err)}
	}
	if err := checkJSON("task", path, data); err != nil {
		return workload.ComputeTask{}, err
	}
	t, err := workload.DecodeTask(data)
	if err != nil {
		return t, usageError{fmt.Errorf("task %s: %w", path, err)}
	}
	return t, nil
}

func readEnvelope(env *cliEnv, path string) (*receipt.Envelope, error) {
	data, err := readInput(env, path, receipt.MaxEnvelopeBytes)
	if err != nil {
		return nil, usageError{fmt.Errorf("read receipt: %w", err)}
	}
	if err := checkJSON("receipt", path, data); err != nil {
		return nil, err
	}
	e, err := receipt.Decode(data)
	if err != nil {
		return nil, usageError{fmt.Errorf("receipt %s: %w", path, err)}
	}
	// A payload that is not base64 of a statement is as malformed as the
	// envelope around it (receipt.ErrMalformed either way): an input error
	// (exit 2) for verify as for inspect, not a verdict.
	if _, _, err := e.Statement(); err != nil {
		return nil, usageError{fmt.Errorf("receipt %s: %w", path, err)}
	}
	return e, nil
}

// checkJSON reports an empty file, or one that is not JSON at all, plainly
// ("unexpected end of JSON input" with the byte offset for a truncated one)
// rather than as the strict decoders' bare "EOF".
func checkJSON(kind, path string, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return usagef("%s %s: the file is empty", kind, path)
	}
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return usagef("%s %s: not valid JSON: %v (at byte %d of %d)", kind, path, err, se.Offset, len(data))
		}
		return usagef("%s %s: not valid JSON: %v", kind, path, err)
	}
	return nil
}

// writeJSON writes v as indented JSON to path ("-": stdout), atomically.
func writeJSON(env *cliEnv, path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeOutput(env, path, append(data, '\n'))
}

// stdinName is how the "-" of a file argument is named in messages.
const stdinName = "-"

// readInput reads the file at path, at most limit bytes, or standard input
// when path is "-" (which only one argument of a command may take).
func readInput(env *cliEnv, path string, limit int64) ([]byte, error) {
	if path != stdinName {
		return atomicfile.ReadLimited(path, limit)
	}
	if env.stdinTaken != "" {
		return nil, usagef("standard input (-) is given twice: it can be read once")
	}
	env.stdinTaken = path
	if env.stdin == nil {
		return nil, errors.New("read standard input: none")
	}
	data, err := io.ReadAll(io.LimitReader(env.stdin, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read standard input: %w: exceeds limit of %d bytes", atomicfile.ErrTooLarge, limit)
	}
	return data, nil
}

// writeOutput writes data to path atomically, or to stdout when path is "-".
func writeOutput(env *cliEnv, path string, data []byte) error {
	if path == stdinName {
		_, err := env.stdout.Write(data)
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

// checkOutput refuses, before any work, an output file path that cannot be
// written: one naming a directory, or one whose directory does not exist or
// is not writable ("-", stdout, is always fine). flagName names the flag in
// the error.
func checkOutput(flagName, path string) error {
	if path == "" || path == stdinName {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return withHint(usagef("%s %s: is a directory", flagName, path), "name a file, e.g. %s", filepath.Join(path, "out.json"))
	}
	return checkWritableDir(flagName, path, filepath.Dir(path))
}

// checkOutputDir refuses, before any work, an output directory that is a
// file, or that does not exist and whose parent does not, or is not writable.
func checkOutputDir(flagName, dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return usagef("%s %s: not a directory", flagName, dir)
	case err == nil:
		return checkWritableDir(flagName, dir, dir)
	case errors.Is(err, os.ErrNotExist):
		return checkWritableDir(flagName, dir, filepath.Dir(dir))
	}
	return usageError{fmt.Errorf("%s %s: %w", flagName, dir, err)}
}

// checkWritableDir checks that dir exists, is a directory, and takes a new file.
func checkWritableDir(flagName, path, dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return withHint(usagef("%s %s: directory %s does not exist", flagName, path, dir), "create it first (mkdir -p %s)", dir)
	}
	if err != nil {
		return usageError{fmt.Errorf("%s %s: %w", flagName, path, err)}
	}
	if !st.IsDir() {
		return usagef("%s %s: %s is not a directory", flagName, path, dir)
	}
	f, err := os.CreateTemp(dir, ".zkpoc-write-check-*")
	if err != nil {
		return usageError{fmt.Errorf("%s %s: directory %s is not writable: %w", flagName, path, dir, errors.Unwrap(err))}
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// trimHex drops a 0x (or 0X) prefix from a hex input.
func trimHex(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:]
	}
	return s
}

// fingerprintArg normalizes a key fingerprint given on the command line
// (sha256:HEX, 0xHEX or HEX) to lowercase hex, refusing anything else.
func fingerprintArg(flagName, s string) (string, error) {
	h := trimHex(strings.TrimPrefix(strings.TrimSpace(s), "sha256:"))
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return "", usagef("%s: want a key fingerprint, sha256: and 64 hex characters (0x or no prefix also), have %q", flagName, clip(s, 80))
	}
	return strings.ToLower(h), nil
}

// clip cuts s to n bytes for an error message.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func printJSON(env *cliEnv, v any) error {
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// hashArg normalizes a 32-byte hash given on the command line (64 hex
// characters, 0x prefix allowed, either case) to lowercase hex.
func hashArg(flagName, s string) (string, error) {
	h := trimHex(s)
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return "", usagef("%s: want 64 hex characters (0x optional), have %q", flagName, clip(s, 80))
	}
	return strings.ToLower(h), nil
}
