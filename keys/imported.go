package keys

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/proofsystem"
)

// Imported verifying keys live apart from this machine's own key sets, one
// directory per fingerprint, so that importing another node's key for a
// circuit never replaces the keys this machine proves with:
//
//	imported/<fingerprint>/vk.bin       the verifying key (the fingerprinted form)
//	imported/<fingerprint>/bundle.json  the key bundle it was imported from
//	imported/<fingerprint>/meta.json    Meta with Origin.Source OriginImport, written last
//	imported/<fingerprint>.lock
const (
	importedDirName = "imported"
	fileBundle      = "bundle.json"
)

// ImportedDir is the directory holding the imported key with fingerprint fp.
func (c Cache) ImportedDir(fp string) string { return filepath.Join(c.Dir, importedDirName, fp) }

// StoreImported writes an imported verifying key: vk (its canonical
// encoding, checked to parse for meta.ID and to have meta.Fingerprint),
// the bundle it came from, and meta last, each file atomically, under the
// entry's lock. An earlier import of the same key is replaced.
func (c Cache) StoreImported(meta Meta, vk, bundle []byte) error {
	if c.Dir == "" {
		return errors.New("store imported key: empty cache directory")
	}
	if err := meta.ID.Validate(); err != nil {
		return fmt.Errorf("store imported key: %w", err)
	}
	if meta.Origin == nil || meta.Origin.Source != OriginImport {
		return fmt.Errorf("store imported key %s: meta must record an import origin", meta.ID)
	}
	fp, err := VKFingerprintHex(meta.ID, vk)
	if err != nil {
		return fmt.Errorf("store imported key %s: %w", meta.ID, err)
	}
	if fp != strings.ToLower(meta.Fingerprint) {
		return fmt.Errorf("store imported key %s: the key's fingerprint is %s, meta names %q", meta.ID, fp, meta.Fingerprint)
	}
	metaJSON, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("store imported key %s: encode metadata: %w", meta.ID, err)
	}
	dir := c.ImportedDir(fp)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store imported key %s: %w", meta.ID, err)
	}
	unlock, err := lockFile(dir+".lock", syscall.LOCK_EX)
	if err != nil {
		return fmt.Errorf("store imported key %s: %w", meta.ID, err)
	}
	defer unlock()
	if err := os.Remove(filepath.Join(dir, fileMeta)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store imported key %s: invalidate the earlier import: %w", meta.ID, err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{fileVK, vk}, {fileBundle, bundle}, {fileMeta, append(metaJSON, '\n')}} {
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("store imported key %s: %w", meta.ID, err)
		}
	}
	return nil
}

// VKFingerprintHex parses vk, an encoded verifying key of the system and
// curve id names (with proofsystem.ParseVerifyingKey's checks), and returns
// its fingerprint.
func VKFingerprintHex(id ID, vk []byte) (string, error) {
	if _, err := id.CurveID(); err != nil {
		return "", err
	}
	k, err := proofsystem.ParseVerifyingKey(vk, id.System, id.Curve)
	if err != nil {
		return "", err
	}
	return k.FingerprintHex(), nil
}

// EntryDirFor is the directory of the entry m describes: an imported key's
// (Origin.Source OriginImport) or one of this machine's own key sets.
func (c Cache) EntryDirFor(m Meta) string {
	if m.Origin != nil && m.Origin.Source == OriginImport {
		return c.ImportedDir(strings.ToLower(m.Fingerprint))
	}
	return c.EntryDir(m.ID)
}

// ImportedBundle returns the bundle file an imported key was stored with.
func (c Cache) ImportedBundle(fp string, limit int64) ([]byte, error) {
	data, err := atomicfile.ReadLimited(filepath.Join(c.ImportedDir(strings.ToLower(fp)), fileBundle), limit)
	if err != nil {
		return nil, fmt.Errorf("imported key %s: %w", fp, err)
	}
	return data, nil
}

// VKBytes returns the stored (fingerprinted) encoding of the verifying key
// of the entry m describes.
func (c Cache) VKBytes(m Meta) ([]byte, error) {
	data, err := atomicfile.ReadLimited(filepath.Join(c.EntryDirFor(m), fileVK), proofsystem.MaxVKBytes)
	if err != nil {
		return nil, fmt.Errorf("verifying key of %s: %w", m.ID, err)
	}
	return data, nil
}

// CCSFile is the path of the constraint system a key set of this machine
// keeps, "" when it has none.
func (c Cache) CCSFile(id ID) string { return regularFile(filepath.Join(c.EntryDir(id), fileCCS)) }

// regularFile is p when it names a regular file, else "".
func regularFile(p string) string {
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return p
}
