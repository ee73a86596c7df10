package zkpoc_test

// Red team 3 (issue 12): the root package's options and readers, played by a
// malicious node or a careless embedder.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
)

// TestRedteam3AcceptedKeysEmpty: VerifyWithAcceptedKeys() with no
// fingerprints (an empty pin list read from a config file) used to drop the
// pin silently, so any key the verifier found was accepted. FIXED: it is
// an ErrOption now, as is an empty fingerprint.
func TestRedteam3AcceptedKeysEmpty(t *testing.T) {
	var none []string
	for _, fps := range [][]string{none, {}, {""}, {"sha256:"}, {"0x"}, {"abc"}, {strings.Repeat("g", 64)}, {strings.Repeat("ab", 31)}} {
		_, err := zkpoc.Verify(&zkpoc.Envelope{}, zkpoc.VerifyWithAcceptedKeys(fps...))
		if !errors.Is(err, zkpoc.ErrOption) {
			t.Errorf("VerifyWithAcceptedKeys(%q): err %v, want ErrOption", fps, err)
		}
	}
}

// TestRedteam3AcceptedKeysPin: a pin that names another key rejects a
// receipt that otherwise passes; one that names its key passes.
func TestRedteam3AcceptedKeysPin(t *testing.T) {
	f := testfixture.Groth16N4(t)
	v, err := zkpoc.Verify(f.Env, zkpoc.VerifyWithKeyDir(f.Cache.Dir))
	if err != nil || v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("baseline: %v %+v", err, v)
	}
	other := strings.Repeat("ab", 32)
	v, err = zkpoc.Verify(f.Env, zkpoc.VerifyWithKeyDir(f.Cache.Dir), zkpoc.VerifyWithAcceptedKeys(other))
	if err != nil || v.PolicyDecision.Status != zkpoc.Reject || !slices.Contains(v.Failed(), "proof.key_accepted") {
		t.Fatalf("pinned to another key: %v status %s failed %v", err, v.PolicyDecision.Status, v.Failed())
	}
	if len(v.HoldCodes) != 0 {
		t.Errorf("hold codes on a reject: %v", v.HoldCodes)
	}
	// The CLI's 0x form and upper case pin the same key.
	v, err = zkpoc.Verify(f.Env, zkpoc.VerifyWithKeyDir(f.Cache.Dir), zkpoc.VerifyWithAcceptedKeys("0x"+strings.ToUpper(f.VK.FingerprintHex())))
	if err != nil || v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("pinned to its key as 0x…: %v status %s failed %v", err, v.PolicyDecision.Status, v.Failed())
	}
	if _, err := zkpoc.Verify(f.Env, zkpoc.VerifyWithKeyDir("")); !errors.Is(err, zkpoc.ErrOption) {
		t.Errorf("VerifyWithKeyDir(\"\"): %v, want ErrOption", err)
	}
	v, err = zkpoc.Verify(f.Env, zkpoc.VerifyWithKeyDir(f.Cache.Dir), zkpoc.VerifyWithAcceptedKeys("sha256:"+f.VK.FingerprintHex()))
	if err != nil || v.PolicyDecision.Status != zkpoc.Pass {
		t.Fatalf("pinned to its key: %v status %s failed %v", err, v.PolicyDecision.Status, v.Failed())
	}
	if len(v.HoldCodes) != 0 {
		t.Errorf("hold codes on a pass: %v", v.HoldCodes)
	}
	// Without a key: a hold naming key_needed, never a pass.
	v, _ = zkpoc.Verify(f.Env)
	if v.PolicyDecision.Status != zkpoc.Hold || !slices.Equal(v.HoldCodes, []string{"key_needed"}) {
		t.Errorf("no key: status %s codes %v failed %v", v.PolicyDecision.Status, v.HoldCodes, v.Failed())
	}
}

// TestRedteam3ChallengeEmpty: VerifyWithChallenge with no challenge bytes
// is no challenge at all. FIXED: an ErrOption (it used to set an empty
// challenge the verifier compared against).
func TestRedteam3ChallengeEmpty(t *testing.T) {
	_, err := zkpoc.Verify(&zkpoc.Envelope{}, zkpoc.VerifyWithChallenge(nil, [32]byte{1}))
	if !errors.Is(err, zkpoc.ErrOption) {
		t.Errorf("VerifyWithChallenge(nil): err %v, want ErrOption", err)
	}
}

// TestRedteam3MatricesEmpty: VerifyWithMatrices with empty matrices (a
// failed read) was dropped silently: o.A = nil is "no matrices", so a
// supplied task's SNARK receipt still passed, judged as one whose files
// the caller never had. FIXED: an ErrOption.
func TestRedteam3MatricesEmpty(t *testing.T) {
	for _, m := range [][2]zkpoc.Matrix{{}, {{N: 4}, {N: 4}}, {{N: 1, Data: []int16{1}}, {}}} {
		if _, err := zkpoc.Verify(&zkpoc.Envelope{}, zkpoc.VerifyWithMatrices(m[0], m[1])); !errors.Is(err, zkpoc.ErrOption) {
			t.Errorf("VerifyWithMatrices(%v): err %v, want ErrOption", m, err)
		}
	}
}

// TestRedteam3NilAndMalformed: no panic through the root package on a nil
// envelope, garbage envelopes or key bytes.
func TestRedteam3NilAndMalformed(t *testing.T) {
	v, err := zkpoc.Verify(nil)
	if err != nil || v == nil || v.PolicyDecision.Status != zkpoc.Reject {
		t.Errorf("Verify(nil): %v %+v", err, v)
	}
	for _, in := range []string{"", "null", "{}", "[]", `{"payloadType":"x","payload":"!!","signatures":null}`,
		`{"payloadType":"` + receipt.PayloadType + `","payload":"e30=","signatures":[]}`, "\x00\xff", strings.Repeat("{", 10000)} {
		env, err := zkpoc.DecodeEnvelope([]byte(in))
		if err == nil {
			v, _ := zkpoc.Verify(env)
			if v.PolicyDecision.Status == zkpoc.Pass {
				t.Errorf("%q passes", in)
			}
		}
	}
	for _, sys := range []zkpoc.System{zkpoc.Groth16, zkpoc.PLONK, "", "groth17", "GROTH16"} {
		for _, curve := range []zkpoc.Curve{zkpoc.BN254, zkpoc.BLS12381, "", "bw6-761", "BN254"} {
			for _, b := range [][]byte{nil, {0}, bytes.Repeat([]byte{0xff}, 4096), bytes.Repeat([]byte{0}, 1<<16)} {
				vk, err := zkpoc.ReadVerifyingKey(bytes.NewReader(b), sys, curve)
				if err == nil {
					t.Errorf("ReadVerifyingKey(%d bytes, %q, %q) = %v", len(b), sys, curve, vk)
				}
			}
		}
	}
}

// TestRedteam3ReadKeyRelabelled: a Groth16 key read as PLONK, or on the
// other curve, is refused; read as what it is, it round-trips.
func TestRedteam3ReadKeyRelabelled(t *testing.T) {
	f := testfixture.Groth16N4(t)
	var buf bytes.Buffer
	if _, err := f.VK.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if vk, err := zkpoc.ReadVerifyingKey(bytes.NewReader(buf.Bytes()), zkpoc.Groth16, zkpoc.BN254); err != nil || vk.FingerprintHex() != f.VK.FingerprintHex() {
		t.Fatalf("round trip: %v", err)
	}
	for _, c := range []struct {
		s zkpoc.System
		c zkpoc.Curve
	}{{zkpoc.PLONK, zkpoc.BN254}, {zkpoc.Groth16, zkpoc.BLS12381}, {zkpoc.PLONK, zkpoc.BLS12381}} {
		if vk, err := zkpoc.ReadVerifyingKey(bytes.NewReader(buf.Bytes()), c.s, c.c); err == nil {
			t.Errorf("a bn254 Groth16 key read as %s %s: %v (%s)", c.c, c.s, vk.System(), vk.Curve())
		}
	}
}

// FuzzRedteam3DecodeVerify: DecodeEnvelope and Verify through the root
// package never panic and never pass bytes that are not a receipt.
func FuzzRedteam3DecodeVerify(f *testing.F) {
	f.Add([]byte(`{"payloadType":"` + receipt.PayloadType + `","payload":"e30=","signatures":[]}`))
	f.Add([]byte(`{"payloadType":"` + receipt.PayloadType + `","payload":"","signatures":[{"keyid":"","sig":""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := zkpoc.DecodeEnvelope(data)
		if err != nil {
			return
		}
		v, err := zkpoc.Verify(env)
		if err != nil || v == nil {
			t.Fatalf("Verify: %v", err)
		}
		if v.PolicyDecision.Status == zkpoc.Pass {
			t.Fatalf("%q passes", data)
		}
		if (v.PolicyDecision.Status == zkpoc.Hold) != (len(v.HoldCodes) > 0) {
			t.Fatalf("status %s with hold codes %v", v.PolicyDecision.Status, v.HoldCodes)
		}
	})
}

// TestRedteam3ReadKeyFiles: the cache's PLONK and Groth16 key files read
// under the other system, the other curve, truncated or with bytes
// appended.
func TestRedteam3ReadKeyFiles(t *testing.T) {
	f := testfixture.Groth16N4(t)
	for _, c := range []struct {
		dir   string
		sys   zkpoc.System
		curve zkpoc.Curve
	}{
		{"freivalds-v5_n2_f8_bls12-381_plonk", zkpoc.PLONK, zkpoc.BLS12381},
		{"freivalds-v5_n4_f8_bn254_groth16", zkpoc.Groth16, zkpoc.BN254},
		{"freivalds-v5_n4_f8_bls12-381_groth16", zkpoc.Groth16, zkpoc.BLS12381},
	} {
		data, err := os.ReadFile(filepath.Join(f.Cache.Dir, c.dir, "vk.bin"))
		if err != nil {
			t.Logf("%s: %v (skipped)", c.dir, err)
			continue
		}
		vk, err := zkpoc.ReadVerifyingKey(bytes.NewReader(data), c.sys, c.curve)
		if err != nil {
			t.Fatalf("%s as itself: %v", c.dir, err)
		}
		for _, s := range []zkpoc.System{zkpoc.Groth16, zkpoc.PLONK} {
			for _, cv := range []zkpoc.Curve{zkpoc.BN254, zkpoc.BLS12381} {
				if s == c.sys && cv == c.curve {
					continue
				}
				if _, err := zkpoc.ReadVerifyingKey(bytes.NewReader(data), s, cv); err == nil {
					t.Errorf("%s read as %s %s", c.dir, cv, s)
				}
			}
		}
		for _, cut := range []int{1, len(data) / 2, len(data) - 1} {
			if _, err := zkpoc.ReadVerifyingKey(bytes.NewReader(data[:cut]), c.sys, c.curve); err == nil {
				t.Errorf("%s truncated to %d bytes: accepted", c.dir, cut)
			}
		}
		// bytes appended: either refused or the same key (the fingerprint
		// is over the key's own encoding)
		if k2, err := zkpoc.ReadVerifyingKey(bytes.NewReader(append(slices.Clone(data), 0, 1, 2)), c.sys, c.curve); err == nil && k2.FingerprintHex() != vk.FingerprintHex() {
			t.Errorf("%s with trailing bytes: another fingerprint", c.dir)
		} else if err == nil {
			t.Logf("%s with trailing bytes: accepted as the same key", c.dir)
		}
	}
}

// TestRedteam3ChallengeThroughRoot: a challenge-method sampled receipt
// through the root package: held naming challenge_needed without the
// verifier's challenge, passed with it, rejected with another challenge
// or another root.
func TestRedteam3ChallengeThroughRoot(t *testing.T) {
	ch := bytes.Repeat([]byte{0x5a}, 32)
	p := sampling.DefaultParams
	p.Challenge = ch
	node := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x33}, 32))
	task, err := zkpoc.NewSyntheticTask([32]byte{7}, "cpc1qredteam3", 512, zkpoc.WithTaskID("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"), zkpoc.WithDeadline(time.Unix(1795000000, 0)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := zkpoc.Prove(context.Background(), task, node, zkpoc.WithMode(zkpoc.ModeSampled), zkpoc.WithSampling(p), zkpoc.WithKeyDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	pol := zkpoc.VerifyWithPolicy("sampled-v1")
	root, err := receipt.DecodeHex32("output_digest", res.Receipt.OutputDigest)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := zkpoc.Verify(res.Envelope, pol)
	if v.PolicyDecision.Status != zkpoc.Hold || !slices.Equal(v.HoldCodes, []string{"challenge_needed"}) {
		t.Errorf("no challenge: %s codes %v failed %v", v.PolicyDecision.Status, v.HoldCodes, v.Failed())
	}
	v, err = zkpoc.Verify(res.Envelope, pol, zkpoc.VerifyWithChallenge(ch, root))
	if err != nil || v.PolicyDecision.Status != zkpoc.Pass || v.HoldCodes != nil {
		t.Errorf("its challenge: %v %s codes %v failed %v", err, v.PolicyDecision.Status, v.HoldCodes, v.Failed())
	}
	other := slices.Clone(ch)
	other[0] ^= 1
	for name, opt := range map[string]zkpoc.VerifyOption{
		"another challenge": zkpoc.VerifyWithChallenge(other, root),
		"another root":      zkpoc.VerifyWithChallenge(ch, [32]byte{1}),
		"a prefix":          zkpoc.VerifyWithChallenge(ch[:16], root),
	} {
		v, err := zkpoc.Verify(res.Envelope, pol, opt)
		if err != nil || v.PolicyDecision.Status != zkpoc.Reject || v.HoldCodes != nil {
			t.Errorf("%s: %v %s codes %v failed %v", name, err, v.PolicyDecision.Status, v.HoldCodes, v.Failed())
		}
	}
}

// TestChallengeEveryRowOpened: a challenge-method receipt that opens every
// row (n ≤ 128) needs no challenge to pass, since every row is re-executed;
// but given the verifier's own challenge, a receipt that does not answer it
// (another challenge, or another root committed before it) is refused, as a
// proof-of-work receipt is.
func TestChallengeEveryRowOpened(t *testing.T) {
	ch := bytes.Repeat([]byte{0x6b}, 32)
	p := sampling.DefaultParams
	p.Challenge = ch
	node := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x34}, 32))
	task, err := zkpoc.NewSyntheticTask([32]byte{8}, "cpc1qeveryrow", 16, zkpoc.WithTaskID("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2e"), zkpoc.WithDeadline(time.Unix(1795000000, 0)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := zkpoc.Prove(context.Background(), task, node, zkpoc.WithMode(zkpoc.ModeSampled), zkpoc.WithSampling(p), zkpoc.WithKeyDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Receipt.Sampling.K != 16 {
		t.Fatalf("k = %d, want every row (16)", res.Receipt.Sampling.K)
	}
	root, err := receipt.DecodeHex32("output_digest", res.Receipt.OutputDigest)
	if err != nil {
		t.Fatal(err)
	}
	other := slices.Clone(ch)
	other[0] ^= 1
	pol := zkpoc.VerifyWithPolicy("binding-v1")
	for _, tc := range []struct {
		name   string
		opts   []zkpoc.VerifyOption
		status string
	}{
		{"no challenge", nil, zkpoc.Pass},
		{"its challenge", []zkpoc.VerifyOption{zkpoc.VerifyWithChallenge(ch, root)}, zkpoc.Pass},
		{"another challenge", []zkpoc.VerifyOption{zkpoc.VerifyWithChallenge(other, root)}, zkpoc.Reject},
		{"another root", []zkpoc.VerifyOption{zkpoc.VerifyWithChallenge(ch, [32]byte{1})}, zkpoc.Reject},
	} {
		v, err := zkpoc.Verify(res.Envelope, append([]zkpoc.VerifyOption{pol}, tc.opts...)...)
		if err != nil || v.PolicyDecision.Status != tc.status {
			t.Errorf("%s: %v %s failed %v (%s)", tc.name, err, v.PolicyDecision.Status, v.Failed(), v.PolicyDecision.Reason)
		}
		if tc.status == zkpoc.Reject && !slices.Equal(v.Failed(), []string{"sampling.challenge"}) {
			t.Errorf("%s: failed %v, want [sampling.challenge]", tc.name, v.Failed())
		}
	}
}
