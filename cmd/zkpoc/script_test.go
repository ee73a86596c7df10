package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/zkpoc/zkpoc/internal/solc"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// sharedKeys is the one Groth16 key cache every script uses (through a
// keys symlink in its own $ZKPOC_HOME), so the one-time dev setup for
// n = 4 happens once per go test run; keys.Cache's flock makes scripts
// running in parallel wait for it rather than repeat it.
var sharedKeys string

// TestMain makes the test binary double as the zkpoc command inside scripts
// (testscript copies it into $PATH under that name).
func TestMain(m *testing.M) {
	testscript.Main(sharedCacheM{m}, map[string]func(){"zkpoc": main})
}

type sharedCacheM struct{ m *testing.M }

func (s sharedCacheM) Run() int {
	// ZKPOC_TEST_KEYS names a key cache to use (and keep) instead, so that
	// repeated runs while working on the scripts skip the setup.
	if dir := os.Getenv("ZKPOC_TEST_KEYS"); dir != "" {
		abs, err := filepath.Abs(dir)
		if err == nil {
			err = os.MkdirAll(abs, 0o755)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		sharedKeys = abs
		return s.m.Run()
	}
	dir, err := os.MkdirTemp("", "zkpoc-test-keys")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	sharedKeys = filepath.Join(dir, "keys")
	if err := os.Mkdir(sharedKeys, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return s.m.Run()
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
		Setup: func(e *testscript.Env) error {
			// Each script gets its own home (node.key, demo/) whose keys/
			// is the shared cache.
			home := filepath.Join(e.WorkDir, ".zkpoc")
			if err := os.Mkdir(home, 0o755); err != nil {
				return err
			}
			if err := os.Symlink(sharedKeys, filepath.Join(home, "keys")); err != nil {
				return err
			}
			e.Setenv("ZKPOC_HOME", home)
			e.Setenv("KEYS", sharedKeys)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // root writes into read-only directories
				return os.Geteuid() == 0, nil
			}
			if cond == "solc" { // solc-js for the EVM verifier; CI installs it and must not skip
				_, err := solc.Find()
				return err == nil || os.Getenv("CI") == "true", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":   cmdExits,
			"tamper":  cmdTamper,
			"resign":  cmdResign,
			"genkey":  cmdGenkey,
			"setjson": cmdSetJSON,
			"bigfile": cmdBigfile,
		},
	})
}

// exits CODE PROG [ARGS...] runs PROG like exec and requires exit status
// CODE exactly; stdout and stderr stay available to later commands. It also
// fails on any Go panic trace on stderr, whatever the status.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if stderr := ts.ReadFile("stderr"); strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
		ts.Fatalf("%s panicked (exit %d)", args[1], got)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// tamper IN [FIELD VALUE]... OUT rewrites fields of a receipt WITHOUT
// re-signing it. See edit for FIELD and VALUE.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args)%2 != 0 {
		ts.Fatalf("usage: tamper IN [FIELD VALUE]... OUT")
	}
	ts.Check(rewrite(ts, "", args[0], args[1:len(args)-1], args[len(args)-1]))
}

// resign KEY IN [FIELD VALUE]... OUT rewrites fields like tamper, then
// makes the receipt self-consistent the way a signer could: statement
// subjects and receipt_id are recomputed (unless edited explicitly) and the
// envelope is signed afresh by the node key in file KEY, so only the
// semantic checks (request_id, PoE, the proof, ...) can catch the change.
func cmdResign(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args)%2 != 1 {
		ts.Fatalf("usage: resign KEY IN [FIELD VALUE]... OUT")
	}
	ts.Check(rewrite(ts, ts.MkAbs(args[0]), args[1], args[2:len(args)-1], args[len(args)-1]))
}

// genkey FILE writes a fresh node key.
func cmdGenkey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: genkey FILE")
	}
	k, err := receipt.GenerateNodeKey()
	ts.Check(err)
	ts.Check(receipt.WriteNodeKey(ts.MkAbs(args[0]), k))
}

// setjson VAR FILE PATH parses FILE (or "stdout"/"stderr") as JSON and sets
// the environment variable VAR to the value at PATH (dot-separated keys and
// array indexes; strings unquoted, anything else as JSON).
func cmdSetJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: setjson VAR FILE PATH")
	}
	doc, err := decodeJSON([]byte(ts.ReadFile(args[1])))
	if err != nil {
		ts.Fatalf("setjson: %s: %v", args[1], err)
	}
	v, err := get(doc, args[2])
	if err != nil {
		ts.Fatalf("setjson: %v", err)
	}
	s, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		ts.Check(err)
		s = string(b)
	}
	ts.Setenv(args[0], s)
}

// bigfile FILE SIZE writes SIZE bytes of a JSON-looking prefix padded with spaces.
func cmdBigfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bigfile FILE SIZE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	b := bytes.Repeat([]byte(" "), n)
	copy(b, `{"payloadType":"application/vnd.in-toto+json","payload":"`)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
}

// rewrite applies edits to the receipt in file in and writes it to out in
// the prover's layout (indented envelope JSON; payload re-encoded from the
// Statement struct when it still decodes, so an empty edit list reproduces
// the input byte for byte).
//
// FIELD is a dot-separated JSON path (keys, array indexes) into the in-toto
// predicate (the receipt: output_digest, task.payload.matrix_size,
// node.public_key, proof.bytes), or into the statement with a "statement."
// prefix, or into the DSSE envelope with an "envelope." prefix
// (envelope.signatures.0.sig). VALUE is a JSON literal ('"abc"', 5, null)
// or one of: flip (change one bit of a hex or base64 string), delete
// (remove the field), pubkey:FILE or nodeid:FILE (hex public key or node_id
// of a node key file).
func rewrite(ts *testscript.TestScript, keyFile, in string, edits []string, out string) error {
	data, err := os.ReadFile(ts.MkAbs(in))
	if err != nil {
		return err
	}
	envl, err := receipt.Decode(data)
	if err != nil {
		return err
	}
	_, payload, err := envl.Statement()
	if err != nil {
		return err
	}
	stmt, err := decodeJSON(payload)
	if err != nil {
		return err
	}
	envDoc, err := toDoc(envl)
	if err != nil {
		return err
	}
	var envEdits [][2]string
	explicit := map[string]bool{}
	for i := 0; i < len(edits); i += 2 {
		field, value := edits[i], edits[i+1]
		var path string
		switch {
		case strings.HasPrefix(field, "envelope."):
			envEdits = append(envEdits, [2]string{strings.TrimPrefix(field, "envelope."), value})
			continue
		case strings.HasPrefix(field, "statement."):
			path = strings.TrimPrefix(field, "statement.")
		default:
			path = "predicate." + field
		}
		explicit[path] = true
		if err := edit(ts, stmt, path, value); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	// Re-encode the payload.
	var st receipt.Statement
	b, err := json.Marshal(stmt)
	if err != nil {
		return err
	}
	structOK := strictDecode(b, &st) == nil
	if keyFile != "" {
		if !structOK {
			return fmt.Errorf("resign: edited statement no longer decodes: %v", strictDecode(b, &st))
		}
		rc := &st.Predicate
		if !explicit["subject"] && !anyPrefix(explicit, "subject.") {
			st.Subject = []receipt.Subject{
				{Name: "input_commitment", Digest: map[string]string{rc.InputSubjectAlgorithm(): rc.InputCommitment}},
				{Name: "output_digest", Digest: map[string]string{receipt.SubjectAlgorithm(rc.OutputDigestAlg): rc.OutputDigest}},
			}
		}
		if !explicit["predicate.receipt_id"] {
			if rc.ReceiptID, err = rc.ComputeID(); err != nil {
				return err
			}
		}
	}
	if structOK {
		if b, err = json.Marshal(st); err != nil {
			return err
		}
	} else {
		ts.Logf("tamper: the edited statement no longer fits the schema; payload written from the generic document")
	}
	m := envDoc.(map[string]any)
	m["payload"] = base64.StdEncoding.EncodeToString(b)
	if keyFile != "" {
		key, err := receipt.ReadNodeKey(keyFile)
		if err != nil {
			return err
		}
		id := protocol.NodeID(key.Public().(ed25519.PublicKey))
		sig := ed25519.Sign(key, receipt.PAE(envl.PayloadType, b))
		m["signatures"] = []any{map[string]any{
			"keyid": hex.EncodeToString(id[:]),
			"sig":   base64.StdEncoding.EncodeToString(sig),
		}}
	}
	for _, e := range envEdits {
		if err := edit(ts, envDoc, e[0], e[1]); err != nil {
			return fmt.Errorf("envelope.%s: %w", e[0], err)
		}
	}
	// Keep the prover's field order when the envelope still fits its struct.
	var outEnv receipt.Envelope
	eb, err := json.Marshal(envDoc)
	if err != nil {
		return err
	}
	var final any = envDoc
	if strictDecode(eb, &outEnv) == nil {
		final = outEnv
	}
	outData, err := json.MarshalIndent(final, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(ts.MkAbs(out), append(outData, '\n'), 0o644)
}

func anyPrefix(m map[string]bool, prefix string) bool {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// edit sets (or deletes) the value at path under root, an object. Objects
// and arrays decode to maps and slices, so setting an entry of the parent
// container changes the whole document.
func edit(ts *testscript.TestScript, root any, path, value string) error {
	keys := strings.Split(path, ".")
	parent := root
	for _, k := range keys[:len(keys)-1] {
		child, err := step(parent, k)
		if err != nil {
			return err
		}
		parent = child
	}
	last := keys[len(keys)-1]
	cur, err := step(parent, last)
	if err != nil {
		return err
	}
	if value == "delete" {
		m, ok := parent.(map[string]any)
		if !ok {
			return fmt.Errorf("delete: %q is not in an object", last)
		}
		delete(m, last)
		return nil
	}
	var nv any
	switch {
	case value == "flip":
		s, ok := cur.(string)
		if !ok {
			return fmt.Errorf("flip: value is %T, not a string", cur)
		}
		if nv, err = flip(s); err != nil {
			return err
		}
	case strings.HasPrefix(value, "pubkey:"), strings.HasPrefix(value, "nodeid:"):
		kind, file, _ := strings.Cut(value, ":")
		key, err := receipt.ReadNodeKey(ts.MkAbs(file))
		if err != nil {
			return err
		}
		pub := key.Public().(ed25519.PublicKey)
		if kind == "pubkey" {
			nv = hex.EncodeToString(pub)
		} else {
			id := protocol.NodeID(pub)
			nv = hex.EncodeToString(id[:])
		}
	default:
		if nv, err = decodeJSON([]byte(value)); err != nil {
			return fmt.Errorf("value %q is not a JSON literal nor flip, delete, pubkey:FILE, nodeid:FILE (quote strings: '\"abc\"')", value)
		}
	}
	if sameJSON(cur, nv) {
		return fmt.Errorf("value %s is what the field holds already", value)
	}
	switch c := parent.(type) {
	case map[string]any:
		c[last] = nv
	case []any:
		i, _ := strconv.Atoi(last) // step checked it
		c[i] = nv
	}
	return nil
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// step returns the value at key k of an object or index k of an array.
func step(v any, k string) (any, error) {
	switch c := v.(type) {
	case map[string]any:
		val, ok := c[k]
		if !ok {
			return nil, fmt.Errorf("no field %q", k)
		}
		return val, nil
	case []any:
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(c) {
			return nil, fmt.Errorf("bad index %q into an array of %d", k, len(c))
		}
		return c[i], nil
	}
	return nil, fmt.Errorf("cannot look up %q in %T", k, v)
}

// get returns the value at path in doc.
func get(doc any, path string) (any, error) {
	v := doc
	for _, k := range strings.Split(path, ".") {
		var err error
		if v, err = step(v, k); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// flip changes one bit of a hex string (its last digit) or of base64 data
// (its middle byte), keeping the encoding valid.
func flip(s string) (string, error) {
	prefix, body := "", s
	if strings.HasPrefix(s, "sha256:") {
		prefix, body = "sha256:", strings.TrimPrefix(s, "sha256:")
	}
	if b, err := hex.DecodeString(body); err == nil && len(b) > 0 && strings.ToLower(body) == body {
		b[len(b)-1] ^= 1
		return prefix + hex.EncodeToString(b), nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) > 0 {
		b[len(b)/2] ^= 1
		return base64.StdEncoding.EncodeToString(b), nil
	}
	return "", fmt.Errorf("flip: %q is neither hex nor base64", s)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

func toDoc(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
