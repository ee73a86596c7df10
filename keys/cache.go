package keys

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
)

// File names inside an entry directory.
const (
	fileCCS  = "ccs.bin"
	filePK   = "pk.bin"
	fileVK   = "vk.bin"
	fileMeta = "meta.json"
	fileSRS  = "srs.bin"

	maxMetaBytes = 64 << 10
	ioBufSize    = 1 << 20
)

// Cache is an on-disk cache of key sets, one directory per ID under Dir.
type Cache struct{ Dir string }

// DefaultCacheDir returns $ZKPOC_HOME/keys if ZKPOC_HOME is set, else
// os.UserCacheDir()/zkpoc/keys.
func DefaultCacheDir() (string, error) {
	if home := os.Getenv("ZKPOC_HOME"); home != "" {
		return filepath.Join(home, "keys"), nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("default key cache dir: %w (set ZKPOC_HOME)", err)
	}
	return filepath.Join(base, "zkpoc", "keys"), nil
}

// EntryDir returns the directory holding the entry for id.
func (c Cache) EntryDir(id ID) string { return filepath.Join(c.Dir, id.String()) }

func (c Cache) lockPath(id ID) string { return filepath.Join(c.Dir, id.String()+".lock") }

func (c Cache) check(id ID) error {
	if c.Dir == "" {
		return errors.New("key cache: empty directory")
	}
	return id.Validate()
}

// Load loads the key set for id. It returns an error wrapping ErrNotFound if
// no complete entry exists (no meta.json). It verifies that meta.json
// describes id and that its fingerprint matches the stored verifying key.
// If the entry holds no constraint system, Set.CCS is nil.
func (c Cache) Load(id ID) (*Set, error) {
	if err := c.check(id); err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	if _, err := os.Stat(filepath.Join(c.EntryDir(id), fileMeta)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load keys %s from %s: %w", id, c.Dir, ErrNotFound)
	}
	unlock, err := c.lock(id, syscall.LOCK_SH)
	if err != nil {
		return nil, fmt.Errorf("load keys %s: %w", id, err)
	}
	defer unlock()
	return c.load(id)
}

// Has reports whether the cache holds an entry for id: its meta.json
// names id and its files are present. It reads no key, so it is what a
// cost decision asks (Load reads gigabytes at n = 1024); Load may still
// fail on an entry whose files are damaged.
func (c Cache) Has(id ID) bool {
	if c.check(id) != nil {
		return false
	}
	dir := c.EntryDir(id)
	meta, err := readMeta(filepath.Join(dir, fileMeta))
	if err != nil || meta.ID != id {
		return false
	}
	for _, f := range []string{fileVK, filePK} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// load reads an entry; the caller holds the lock.
func (c Cache) load(id ID) (*Set, error) {
	dir := c.EntryDir(id)
	meta, err := readMeta(filepath.Join(dir, fileMeta))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("load keys %s from %s: %w", id, c.Dir, ErrNotFound)
		}
		return nil, fmt.Errorf("load keys %s: %w", id, err)
	}
	if meta.ID != id {
		return nil, fmt.Errorf("load keys %s: %s describes %s", id, filepath.Join(dir, fileMeta), meta.ID)
	}
	curve, _ := id.CurveID()
	vk, err := proofsystem.ReadVerifyingKeyFile(filepath.Join(dir, fileVK), id.System, id.Curve)
	if err != nil {
		return nil, fmt.Errorf("load keys %s: %w", id, err)
	}
	if got := vk.FingerprintHex(); got != meta.Fingerprint {
		return nil, fmt.Errorf("load keys %s: %s fingerprint %s does not match meta.json fingerprint %q", id, proofsystem.KeyName(id.System), got, meta.Fingerprint)
	}

	// Proving key: our own file in the local cache, read without subgroup
	// checks (fast). Never use this path for keys from elsewhere. The
	// constraint system is read beside it (the two decodes are about equal
	// and each mostly one core: 15 s → 8 s at 2.66M constraints on 2 cores).
	pk, ccs := newProvingKey(id.System, curve), newCS(id.System, curve)
	pkErr := make(chan error, 1)
	go func() {
		pkErr <- readFile(filepath.Join(dir, filePK), func(r io.Reader) error {
			_, err := pk.UnsafeReadFrom(r)
			return err
		})
	}()
	ccs, ccsErr := readCS(filepath.Join(dir, fileCCS), ccs)
	if err := <-pkErr; err != nil {
		return nil, fmt.Errorf("load keys %s: proving key: %w", id, err)
	}
	if ccsErr != nil {
		return nil, fmt.Errorf("load keys %s: %w", id, ccsErr)
	}
	return NewSet(meta, pk, vk, ccs)
}

// readCS reads the cache entry's constraint system into ccs, or returns
// nil where the entry has none.
func readCS(path string, ccs constraint.ConstraintSystem) (constraint.ConstraintSystem, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if err := readFile(path, func(r io.Reader) error {
		_, err := ccs.ReadFrom(r)
		return err
	}); err != nil {
		return nil, fmt.Errorf("constraint system: %w", err)
	}
	return ccs, nil
}

// newProvingKey and newCS are the empty proving key and constraint system
// a cache entry of the system on curve is read into.
func newProvingKey(system protocol.System, curve ecc.ID) ProvingKey {
	if system == protocol.Plonk {
		return plonk.NewProvingKey(curve)
	}
	return groth16.NewProvingKey(curve)
}

func newCS(system protocol.System, curve ecc.ID) constraint.ConstraintSystem {
	if system == protocol.Plonk {
		return plonk.NewCS(curve)
	}
	return groth16.NewCS(curve)
}

func readMeta(path string) (Meta, error) {
	data, err := atomicfile.ReadLimited(path, maxMetaBytes)
	if err != nil {
		return Meta{}, fmt.Errorf("read key metadata: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return Meta{}, fmt.Errorf("parse key metadata %s: %w", path, err)
	}
	return m, nil
}

func readFile(path string, fn func(r io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := fn(bufio.NewReaderSize(f, ioBufSize)); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// Store writes set into the cache, replacing any entry for set.Meta.ID. The
// constraint system is optional. meta.json is removed first and written last
// (every file atomically), so an interrupted Store leaves no entry that Load
// trusts. The fingerprint in set.Meta is recomputed from set.VK.
func (c Cache) Store(set *Set) error {
	if set == nil {
		return errors.New("store keys: nil set")
	}
	if err := c.check(set.Meta.ID); err != nil {
		return fmt.Errorf("store keys: %w", err)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("store keys %s: %w", set.Meta.ID, err)
	}
	unlock, err := c.lock(set.Meta.ID, syscall.LOCK_EX)
	if err != nil {
		return fmt.Errorf("store keys %s: %w", set.Meta.ID, err)
	}
	defer unlock()
	return c.store(set)
}

// store writes an entry; the caller holds the exclusive lock.
func (c Cache) store(set *Set) error {
	id := set.Meta.ID
	pk, vk := set.PK, set.VK
	if pk == nil || vk == nil {
		what := "proving or verifying key"
		if id.System == protocol.Plonk {
			what = "PLONK " + what
		}
		return fmt.Errorf("store keys %s: missing %s", id, what)
	}
	if vk.System() != id.System {
		return fmt.Errorf("store keys %s: a %s %s", id, vk.System(), proofsystem.KeyName(vk.System()))
	}
	if !keysOf(id, pk, vk) {
		return fmt.Errorf("store keys %s: a %T and a %s key on %s are not %s keys on %s", id, pk, vk.System(), vk.Curve(), id.System, id.Curve)
	}
	fp := vk.FingerprintHex()
	if set.Meta.Fingerprint != "" && set.Meta.Fingerprint != fp {
		return fmt.Errorf("store keys %s: meta fingerprint %q does not match verifying key %s", id, set.Meta.Fingerprint, fp)
	}
	set.Meta.Fingerprint = fp
	if set.Meta.GnarkVersion == "" {
		set.Meta.GnarkVersion = GnarkVersion()
	}
	meta, err := json.MarshalIndent(set.Meta, "", "  ")
	if err != nil {
		return fmt.Errorf("store keys %s: encode metadata: %w", id, err)
	}

	dir := c.EntryDir(id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store keys %s: %w", id, err)
	}
	if err := os.Remove(filepath.Join(dir, fileMeta)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store keys %s: invalidate old entry: %w", id, err)
	}
	ccsPath := filepath.Join(dir, fileCCS)
	if set.CCS != nil {
		if err := atomicfile.WriteFunc(ccsPath, 0o644, func(w io.Writer) error {
			_, err := set.CCS.WriteTo(w)
			return err
		}); err != nil {
			return fmt.Errorf("store keys %s: constraint system: %w", id, err)
		}
	} else if err := os.Remove(ccsPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store keys %s: remove stale constraint system: %w", id, err)
	}
	if err := atomicfile.WriteFunc(filepath.Join(dir, filePK), 0o644, func(w io.Writer) error {
		_, err := pk.WriteRawTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("store keys %s: proving key: %w", id, err)
	}
	srsPath := filepath.Join(dir, fileSRS)
	if set.PlonkSRS != nil {
		if err := atomicfile.Write(srsPath, set.PlonkSRS, 0o644); err != nil {
			return fmt.Errorf("store keys %s: SRS: %w", id, err)
		}
	} else if err := os.Remove(srsPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store keys %s: remove stale SRS: %w", id, err)
	}
	if err := proofsystem.WriteVerifyingKeyFile(filepath.Join(dir, fileVK), vk); err != nil {
		return fmt.Errorf("store keys %s: %w", id, err)
	}
	if err := atomicfile.Write(filepath.Join(dir, fileMeta), append(meta, '\n'), 0o644); err != nil {
		return fmt.Errorf("store keys %s: metadata: %w", id, err)
	}
	return nil
}

// LoadOrStore returns the cached key set for id (cached = true), or else
// compiles the circuit, runs setup on it and stores the result (package
// setup's LoadOrSetup gives the setup). compile is not called when the
// entry exists with its constraint system. An exclusive flock on
// <Dir>/<id>.lock is held around check-then-setup, so concurrent callers
// (goroutines or processes) run the setup once; the others wait and then
// load it.
func (c Cache) LoadOrStore(id ID, compile func() (constraint.ConstraintSystem, error), setup func(constraint.ConstraintSystem) (*Set, error)) (set *Set, cached bool, err error) {
	if err := c.check(id); err != nil {
		return nil, false, fmt.Errorf("load or set up keys: %w", err)
	}
	if compile == nil || setup == nil {
		return nil, false, fmt.Errorf("load or set up keys %s: nil compile or setup function", id)
	}
	// Fast path: a complete entry, no exclusive lock needed.
	set, err = c.Load(id)
	if err == nil {
		if set.CCS == nil {
			if set.CCS, err = compileCCS(id, compile); err != nil {
				return nil, false, err
			}
		}
		return set, true, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}

	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("load or set up keys %s: %w", id, err)
	}
	unlock, err := c.lock(id, syscall.LOCK_EX)
	if err != nil {
		return nil, false, fmt.Errorf("load or set up keys %s: %w", id, err)
	}
	defer unlock()

	// Someone else may have finished the setup while we waited.
	set, err = c.load(id)
	if err == nil {
		if set.CCS == nil {
			if set.CCS, err = compileCCS(id, compile); err != nil {
				return nil, false, err
			}
		}
		return set, true, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}

	ccs, err := compileCCS(id, compile)
	if err != nil {
		return nil, false, err
	}
	set, err = setup(ccs)
	if err != nil {
		return nil, false, err
	}
	if err := c.store(set); err != nil {
		return nil, false, err
	}
	return set, false, nil
}

func compileCCS(id ID, compile func() (constraint.ConstraintSystem, error)) (constraint.ConstraintSystem, error) {
	ccs, err := compile()
	if err != nil {
		return nil, fmt.Errorf("compile circuit %s: %w", id, err)
	}
	if ccs == nil {
		return nil, fmt.Errorf("compile circuit %s: nil constraint system", id)
	}
	return ccs, nil
}

// FindByFingerprint returns the verifying key, of either system, whose
// fingerprint (hex SHA-256, case-insensitive) is fp, scanning
// <Dir>/*/meta.json, then the imported keys (<Dir>/imported/*/meta.json).
// The key is read with proofsystem's bounded reader for the entry's system
// and curve, under the entry's shared lock, and its fingerprint re-checked.
// Returns an error wrapping ErrNotFound if no entry matches.
func (c Cache) FindByFingerprint(fp string) (proofsystem.VerifyingKey, Meta, error) {
	fp = strings.ToLower(strings.TrimSpace(fp))
	if b, err := hex.DecodeString(fp); err != nil || len(b) != 32 {
		return nil, Meta{}, fmt.Errorf("find verifying key: invalid fingerprint %q (want 64 hex digits)", fp)
	}
	entries, err := c.scan()
	if err != nil {
		return nil, Meta{}, fmt.Errorf("find verifying key %s: %w", fp, err)
	}
	for _, e := range entries {
		if strings.ToLower(e.m.Fingerprint) != fp {
			continue
		}
		what := proofsystem.KeyName(e.m.ID.System)
		if _, err := e.m.ID.CurveID(); err != nil {
			return nil, Meta{}, fmt.Errorf("find %s %s in %s: %w", what, fp, e.dir, err)
		}
		unlock, err := lockFile(e.lock, syscall.LOCK_SH)
		if err != nil {
			return nil, Meta{}, fmt.Errorf("find %s %s: %w", what, fp, err)
		}
		vk, err := proofsystem.ReadVerifyingKeyFile(filepath.Join(e.dir, fileVK), e.m.ID.System, e.m.ID.Curve)
		unlock()
		if err != nil {
			return nil, Meta{}, fmt.Errorf("find %s %s: %w", what, fp, err)
		}
		if got := vk.FingerprintHex(); got != fp {
			return nil, Meta{}, fmt.Errorf("find %s %s in %s: the key's fingerprint is %s, meta.json says %s", what, fp, e.dir, got, fp)
		}
		return vk, e.m, nil
	}
	return nil, Meta{}, fmt.Errorf("find verifying key %s in %s: %w", fp, c.Dir, ErrNotFound)
}

// SRSFile is the path of the SRS a cached PLONK entry was set up over, ""
// when the entry has none (set up before it was kept).
func (c Cache) SRSFile(id ID) string { return regularFile(filepath.Join(c.EntryDir(id), fileSRS)) }

// List returns the metadata of every complete entry, this machine's own
// keys sorted by ID string, then the imported ones (Origin.Source
// OriginImport) by ID string and fingerprint. A missing cache directory
// yields an empty list.
func (c Cache) List() ([]Meta, error) {
	entries, err := c.scan()
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	metas := make([]Meta, len(entries))
	for i, e := range entries {
		metas[i] = e.m
	}
	return metas, nil
}

// cacheEntry is one complete entry found by scan.
type cacheEntry struct {
	m         Meta
	dir, lock string
}

// scan reads <Dir>/*/meta.json, then <Dir>/imported/*/meta.json, skipping
// directories without one and entries whose meta.json does not parse or
// does not match its directory name (the key id, or for imported keys the
// fingerprint). An entry under imported/ is an imported key whatever its
// meta.json says (importedOrigin): only keys import writes there, so a
// meta.json there without an import origin (hand-written, or copied from
// another cache) is never read as this machine's own setup.
func (c Cache) scan() ([]cacheEntry, error) {
	if c.Dir == "" {
		return nil, errors.New("key cache: empty directory")
	}
	own, err := scanDir(c.Dir, func(m Meta) string { return m.ID.String() }, nil)
	if err != nil {
		return nil, err
	}
	imported, err := scanDir(filepath.Join(c.Dir, importedDirName), func(m Meta) string { return m.Fingerprint }, importedOrigin)
	if err != nil {
		return nil, err
	}
	return append(own, imported...), nil
}

// importedOrigin is the origin of an entry under imported/: its recorded
// one if that is an import origin, else a bare import origin, which
// establishes nothing (the checks another kind of origin claims were not
// made by an import).
func importedOrigin(o *Origin) *Origin {
	if o != nil && o.Source == OriginImport {
		return o
	}
	return &Origin{Source: OriginImport}
}

// scanDir lists the entries of dir whose directory is named name(meta);
// origin, when not nil, replaces each entry's recorded origin.
func scanDir(dir string, name func(Meta) string, origin func(*Origin) *Origin) ([]cacheEntry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var found []cacheEntry
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(dir, e.Name())
		m, err := readMeta(filepath.Join(d, fileMeta))
		if err != nil {
			continue // incomplete or foreign entry
		}
		if m.ID.Validate() != nil || name(m) != e.Name() {
			continue
		}
		if origin != nil {
			m.Origin = origin(m.Origin)
		}
		found = append(found, cacheEntry{m, d, d + ".lock"})
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i].m, found[j].m
		return a.ID.String() < b.ID.String() || a.ID.String() == b.ID.String() && a.Fingerprint < b.Fingerprint
	})
	return found, nil
}

// lock takes a flock (LOCK_SH or LOCK_EX) on <Dir>/<id>.lock, blocking until
// it is granted. flock locks belong to the open file description, so they
// also serialize goroutines of one process that each call lock.
func (c Cache) lock(id ID, how int) (unlock func(), err error) {
	return lockFile(c.lockPath(id), how)
}

// lockFile takes a flock (LOCK_SH or LOCK_EX) on the lock file path.
func lockFile(path string, how int) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil && how == syscall.LOCK_SH {
		// A reader of a read-only cache: lock if the lock file exists,
		// otherwise read unlocked (nobody can be writing it either).
		if f, err = os.Open(path); err != nil {
			return func() {}, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
