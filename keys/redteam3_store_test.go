package keys_test

// Red team 3 (issue 12): keys.NewSet and Cache.Store must refuse a key set
// whose keys are of another curve than its ID names (a BLS12-381 Groth16
// proving key is a groth16.ProvingKey too). FIXED: NewSet checked only the
// proving key's system, Store only the verifying key's system, so a
// BN254 entry could be written holding BLS12-381 keys.

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
)

func TestRedteam3StoreRefusesOtherCurve(t *testing.T) {
	dir := os.Getenv("ZKPOC_TEST_KEYS")
	bnID := keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, 4, 8)
	blsID := keys.IDFor(protocol.BLS12381, protocol.Groth16, protocol.Freivalds, 4, 8)
	src := keys.Cache{Dir: dir}
	for _, id := range []keys.ID{bnID, blsID} {
		if _, err := os.Stat(filepath.Join(src.EntryDir(id), "meta.json")); dir == "" || err != nil {
			t.Skip("needs ZKPOC_TEST_KEYS with the n = 4 Groth16 keys on both curves")
		}
	}
	bn, err := src.Load(bnID)
	if err != nil {
		t.Fatal(err)
	}
	bls, err := src.Load(blsID)
	if err != nil {
		t.Fatal(err)
	}
	meta := func() keys.Meta { m := bn.Meta; m.Fingerprint = ""; return m }
	if _, err := keys.NewSet(meta(), bn.PK, bn.VK, nil); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	for name, s := range map[string]*keys.Set{
		"bls pk, bn vk":  {Meta: meta(), PK: bls.PK, VK: bn.VK},
		"bn pk, bls vk":  {Meta: meta(), PK: bn.PK, VK: bls.VK},
		"bls pk, bls vk": {Meta: meta(), PK: bls.PK, VK: bls.VK},
	} {
		if _, err := keys.NewSet(s.Meta, s.PK, s.VK, nil); err == nil {
			t.Errorf("NewSet %s under %s: accepted", name, bnID)
		}
		if err := (keys.Cache{Dir: t.TempDir()}).Store(s); err == nil {
			t.Errorf("Store %s under %s: accepted", name, bnID)
		}
	}
}
