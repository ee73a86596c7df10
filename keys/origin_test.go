package keys

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
)

func testRecord() *TranscriptRecord {
	h := func(c string) string { return strings.Repeat(c, 64) }
	return &TranscriptRecord{ID: ceremonyTestID, CCSSHA256: h("c"), Phase1: []string{h("1"), h("2")}, Phase1Beacon: strings.Repeat("b1", 32),
		Phase2Base: h("d"), Phase2: []string{h("3")}, Beacon: strings.Repeat("b2", 32), Fingerprint: h("f")}
}

// TestTranscriptRecord: the record's digest is stable and changes with any
// field (it is what a policy pins); malformed records are refused; the
// provenance counts contributions per phase.
func TestTranscriptRecord(t *testing.T) {
	r := testRecord()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	d, err := r.Digest()
	if err != nil || !strings.HasPrefix(d, "sha256:") || len(d) != 71 {
		t.Fatalf("digest %q, %v", d, err)
	}
	if again, _ := testRecord().Digest(); again != d {
		t.Errorf("digest not stable: %s vs %s", again, d)
	}
	if p := r.Provenance(); p != "mpc(2+1 contributions, beacon "+r.Beacon+")" || IsDevSetup(p) {
		t.Errorf("provenance %q", p)
	}
	for name, edit := range map[string]func(r *TranscriptRecord){
		"fingerprint":  func(r *TranscriptRecord) { r.Fingerprint = strings.Repeat("e", 64) },
		"contribution": func(r *TranscriptRecord) { r.Phase1[1] = strings.Repeat("9", 64) },
		"beacon":       func(r *TranscriptRecord) { r.Beacon = strings.Repeat("b3", 32) },
		"id":           func(r *TranscriptRecord) { r.ID.N = 2 },
	} {
		x := testRecord()
		edit(x)
		if dx, _ := x.Digest(); dx == d {
			t.Errorf("%s: the digest does not cover it", name)
		}
	}
	for name, edit := range map[string]func(r *TranscriptRecord){
		"no phase 2":      func(r *TranscriptRecord) { r.Phase2 = nil },
		"short hash":      func(r *TranscriptRecord) { r.Phase1[0] = "abcd" },
		"short beacon":    func(r *TranscriptRecord) { r.Beacon = "00" },
		"plonk":           func(r *TranscriptRecord) { r.ID.System = protocol.Plonk },
		"bad fingerprint": func(r *TranscriptRecord) { r.Fingerprint = "zz" },
	} {
		x := testRecord()
		edit(x)
		if err := x.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestStoreImported: an imported key lands in its own directory (never
// this machine's own entry for the id), found by fingerprint and listed;
// a key whose bytes are not the fingerprint meta names, or a meta without
// an import origin, is refused.
func TestStoreImported(t *testing.T) {
	set := fixture(t)
	c := Cache{Dir: t.TempDir()}
	var vk bytes.Buffer
	if _, err := set.VK.WriteTo(&vk); err != nil {
		t.Fatal(err)
	}
	meta := set.Meta
	meta.Origin = &Origin{Source: OriginImport, At: Now()}
	if err := c.StoreImported(meta, vk.Bytes(), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.ImportedDir(meta.Fingerprint), "bundle.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.EntryDir(meta.ID)); !os.IsNotExist(err) {
		t.Errorf("an import wrote this machine's own entry: %v", err)
	}
	if _, m, err := c.FindByFingerprint(meta.Fingerprint); err != nil || m.Origin.Source != OriginImport {
		t.Fatalf("find the imported key: %+v %v", m, err)
	}
	if list, err := c.List(); err != nil || len(list) != 1 || c.EntryDirFor(list[0]) != c.ImportedDir(meta.Fingerprint) {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := c.Load(meta.ID); err == nil {
		t.Error("an imported verifying key loaded as a key set to prove with")
	}
	wrong := meta
	wrong.Fingerprint = strings.Repeat("0", 64)
	if err := c.StoreImported(wrong, vk.Bytes(), nil); err == nil || !strings.Contains(err.Error(), "fingerprint") {
		t.Errorf("wrong fingerprint: %v", err)
	}
	noOrigin := meta
	noOrigin.Origin = nil
	if err := c.StoreImported(noOrigin, vk.Bytes(), nil); err == nil {
		t.Error("an import without an import origin was stored")
	}
	// A meta.json under imported/ rewritten without an origin, or with this
	// machine's own setup as its origin, is still read as a bare import.
	for name, o := range map[string]*Origin{"no origin": nil, "setup origin": {Source: OriginSetup, Circuit: EstablishedGenerated, Setup: EstablishedGenerated}} {
		m := meta
		m.Origin = o
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(c.ImportedDir(meta.Fingerprint), "meta.json"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.FindByFingerprint(meta.Fingerprint)
		if err != nil || got.Origin == nil || *got.Origin != (Origin{Source: OriginImport}) {
			t.Errorf("%s under imported/: read as %+v (%v), want a bare import origin", name, got.Origin, err)
		}
	}
}
