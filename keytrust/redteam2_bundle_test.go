package keytrust

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
)

// Second red-team pass against key bundles: a malicious node (or key
// distributor) hands the verifier a bundle, and perhaps an SRS or a
// ceremony directory, of its own making.

// TestRedteam2BundleRelabelled: a bundle whose stated circuit, curve or
// system is not its key's. Another curve or system does not parse as the
// key (Decode); another circuit with the same public inputs parses, so
// only establishment can tell: a Groth16 dev key is never established, a
// PLONK key re-derived for the stated circuit is another key (ErrMismatch).
func TestRedteam2BundleRelabelled(t *testing.T) {
	for _, system := range []protocol.System{protocol.Groth16, protocol.Plonk} {
		t.Run(string(system), func(t *testing.T) {
			id := testID("cubic", system)
			b, srs, _ := export(t, setUp(t, id), id.String())
			for name, edit := range map[string]func(x *Bundle){
				"curve": func(x *Bundle) { x.ID.Curve = "bls12-381" },
				"system": func(x *Bundle) {
					x.ID.System = map[protocol.System]protocol.System{protocol.Groth16: protocol.Plonk, protocol.Plonk: protocol.Groth16}[system]
				},
			} {
				x := *b
				edit(&x)
				data, _ := json.Marshal(&x)
				if _, err := Decode(data); !errors.Is(err, ErrBundle) {
					t.Errorf("%s relabelled: decoded (%v)", name, err)
				}
			}
			other := *b
			other.ID.Circuit = "square"
			ccs, _ := compileTest(other.ID)
			other.CCSSHA256, _, _ = keys.CCSDigest(ccs) // the stated circuit's digest, consistently
			if err := other.Validate(); err != nil {
				t.Fatalf("relabelled bundle must be self-consistent for this attack: %v", err)
			}
			r, err := Establish(&other, Options{Compile: compileTest})
			if err != nil || r.Established.Circuit != (keys.ID{}) || r.Origin.Circuit != "" {
				t.Fatalf("relabelled %s bundle without a check: established %+v, %v", system, r, err)
			}
			if system == protocol.Plonk {
				if _, err := Establish(&other, Options{SRS: srs, Compile: compileTest}); !errors.Is(err, ErrMismatch) {
					t.Fatalf("relabelled PLONK bundle with its SRS: %v, want ErrMismatch", err)
				}
			}
		})
	}
}

// TestRedteam2AttackerSRS: the node sets its PLONK key up over an SRS it
// made (toxic waste known), then relabels the bundle as set up over a
// ceremony's SRS ("srs(aztec-ignition, sha256:<its own file>)") and hands
// out the file. Re-deriving establishes the circuit (the key is that
// circuit's over that SRS), but the SRS the establishment reports is the
// file's own digest, never a name: a policy's trusted_srs must list that
// digest for a strict pass (checked in verifier's redteam2 tests).
func TestRedteam2AttackerSRS(t *testing.T) {
	id := testID("cubic", protocol.Plonk)
	b, srs, _ := export(t, setUp(t, id), id.String())
	raw, err := os.ReadFile(srs)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	own := hex.EncodeToString(sum[:])
	x := *b
	x.Setup, x.Provenance = SetupSRS, "srs(aztec-ignition, sha256:"+own+")"
	if err := x.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := Establish(&x, Options{SRS: srs, Compile: compileTest})
	if err != nil {
		t.Fatal(err)
	}
	k := r.Established
	if k.SRSDigest != own || r.Origin.SRSSHA256 != own || !strings.Contains(k.How, own) {
		t.Fatalf("the establishment must name the SRS file's own digest %s: %+v", own, k)
	}
	// The provenance naming a trusted digest while the SRS is the
	// attacker's: the circuit is established, the provenance is not.
	genuine := strings.Repeat("ab", 32)
	y := *b
	y.Setup, y.Provenance = SetupSRS, "srs(aztec-ignition, sha256:"+genuine+")"
	r, err = Establish(&y, Options{SRS: srs, Compile: compileTest})
	if err != nil {
		t.Fatal(err)
	}
	if r.Established.SetupHow != "" || r.Origin.Setup != "" || r.Established.SRSDigest != own {
		t.Fatalf("a provenance naming another SRS than the one re-derived from was verified: %+v %+v", r.Established, r.Origin)
	}
	// No SRS given: never established, whatever the bundle says.
	if r, err := Establish(&y, Options{Compile: compileTest}); err != nil || r.Established.Circuit != (keys.ID{}) || r.Established.SRSDigest != "" {
		t.Fatalf("without an SRS: %+v, %v", r, err)
	}
}

// TestRedteam2ImportStaysApart: importing a bundle that relabels the
// verifier's own key (same key bytes, another circuit stated), or that
// re-imports an entry, writes only under imported/<fingerprint>/ with an
// import origin; the verifier's own entry and its record are untouched
// and still found first. A bundle can never make its key look generated
// locally or ceremony-verified.
func TestRedteam2ImportStaysApart(t *testing.T) {
	id := testID("cubic", protocol.Groth16)
	c := setUp(t, id)
	own, err := os.ReadFile(filepath.Join(c.EntryDir(id), "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := export(t, c, id.String())
	x := *b
	x.ID.Circuit = "square"
	ccs, _ := compileTest(x.ID)
	x.CCSSHA256, _, _ = keys.CCSDigest(ccs)
	data, _ := x.Encode()
	for i := 0; i < 2; i++ { // the second import replaces the first
		if _, err := Import(c, writeBundle(t, data), Options{Compile: compileTest}); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(c.EntryDir(id), "meta.json"))
	if !bytes.Equal(own, after) {
		t.Fatal("import changed the verifier's own entry")
	}
	_, m, err := c.FindByFingerprint(b.Fingerprint)
	if err != nil || m.ID != id || m.Origin == nil || m.Origin.Source != keys.OriginSetup {
		t.Fatalf("own key no longer found first: %+v, %v", m, err)
	}
	metas, _ := c.List()
	var imported int
	for _, m := range metas {
		if m.Origin != nil && m.Origin.Source == keys.OriginImport {
			imported++
			if m.Origin.Circuit != "" || m.Origin.Setup != "" || m.ID.Circuit != "square" {
				t.Errorf("imported entry claims checks that never ran: %+v", m.Origin)
			}
		}
	}
	if imported != 1 {
		t.Errorf("%d imported entries, want 1", imported)
	}
	ents, _ := os.ReadDir(filepath.Join(c.Dir, "imported"))
	for _, e := range ents {
		if n := strings.TrimSuffix(e.Name(), ".lock"); n != b.Fingerprint {
			t.Errorf("import wrote imported/%s", e.Name())
		}
	}
}

// TestRedteam2BundleBounds: a bundle over the size limit is refused before
// parsing, and a transcript record listing more contributions than the
// limit is refused by Validate (no path from a bundle field is used as a
// file name: imported keys are stored under their recomputed fingerprint).
func TestRedteam2BundleBounds(t *testing.T) {
	huge := append([]byte(`{"type":"`), bytes.Repeat([]byte("a"), MaxBundleBytes)...)
	if _, err := Decode(huge); !errors.Is(err, ErrBundle) || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("huge bundle: %v", err)
	}
	p := filepath.Join(t.TempDir(), "huge.json")
	if err := os.WriteFile(p, huge, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(keys.Cache{Dir: t.TempDir()}, p, Options{Compile: compileTest}); err == nil {
		t.Fatal("huge bundle file imported")
	}
	id := testID("cubic", protocol.Groth16)
	rec := &keys.TranscriptRecord{ID: id, CCSSHA256: strings.Repeat("c", 64), Phase2Base: strings.Repeat("d", 64),
		Phase1Beacon: strings.Repeat("b1", 32), Beacon: strings.Repeat("b2", 32), Fingerprint: strings.Repeat("e", 64)}
	for i := 0; i < 4097; i++ {
		rec.Phase1 = append(rec.Phase1, strings.Repeat("1", 64))
	}
	rec.Phase2 = []string{strings.Repeat("2", 64)}
	if err := rec.Validate(); err == nil {
		t.Fatal("a record of 4097 contributions validated")
	}
}

// TestRedteam2BundleDuplicateKeys: encoding/json keeps the last of
// duplicate members and folds key case, so a bundle could read one way to
// a person or another JSON reader (the first "fingerprint", "Provenance")
// and another way to zkpoc. The bundle is stored and re-exported
// byte-for-byte (bundle.json), so the ambiguity would travel. Decode
// refuses duplicate and case-variant keys, as receipt payloads do.
func TestRedteam2BundleDuplicateKeys(t *testing.T) {
	id := testID("cubic", protocol.Groth16)
	_, _, data := export(t, setUp(t, id), id.String())
	dup := bytes.Replace(data, []byte(`"provenance": "`), []byte(`"provenance": "mpc(9+9 contributions, beacon 00)", "provenance": "`), 1)
	upper := bytes.Replace(data, []byte(`"provenance"`), []byte(`"Provenance"`), 1)
	for name, d := range map[string][]byte{"duplicate": dup, "case variant": upper} {
		if bytes.Equal(d, data) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := Decode(d); !errors.Is(err, ErrBundle) {
			t.Errorf("%s keys: decoded (%v), want ErrBundle", name, err)
		}
	}
}
