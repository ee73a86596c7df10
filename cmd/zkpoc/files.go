package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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

func readTask(path string) (workload.ComputeTask, error) {
	data, err := atomicfile.ReadLimited(path, maxTaskBytes)
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

func readEnvelope(path string) (*receipt.Envelope, error) {
	data, err := atomicfile.ReadLimited(path, receipt.MaxEnvelopeBytes)
	if err != nil {
		return nil, usageError{fmt.Errorf("read receipt: %w", err)}
	}
	if err := checkJSON("receipt", path, data); err != nil {
		return nil, err
	}
	env, err := receipt.Decode(data)
	if err != nil {
		return nil, usageError{fmt.Errorf("receipt %s: %w", path, err)}
	}
	// A payload that is not base64 of a statement is as malformed as the
	// envelope around it (receipt.ErrMalformed either way): an input error
	// (exit 2) for verify as for inspect, not a verdict.
	if _, _, err := env.Statement(); err != nil {
		return nil, usageError{fmt.Errorf("receipt %s: %w", path, err)}
	}
	return env, nil
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

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

func printJSON(env *cliEnv, v any) error {
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
