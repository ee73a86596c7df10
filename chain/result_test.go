package chain

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/internal/golden"
	"github.com/zkpoc/zkpoc/merkle"
	"github.com/zkpoc/zkpoc/receipt"
)

func strp(s string) *string { return &s }
func i64p(v int64) *int64   { return &v }

// sampleResults are fixed ComputeResults (no real proof) for the pinned
// canonical encodings and compute_root.
func sampleResults() []ComputeResult {
	return []ComputeResult{
		{TaskID: "3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", WorkerAddress: "cpc1qworkera",
			ResultHash: "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"},
		{TaskID: "7d0e8b1c-2f3a-4c5d-8e9f-0a1b2c3d4e5f", WorkerAddress: "cpc1qworkerb",
			ResultHash: "00000000000000000000000000000000000000000000000000000000000000ff",
			Proof:      strp("WktQQw=="), Nonce: i64p(12345), Signature: strp("c2lnbmF0dXJl")},
		{TaskID: "uuid-here", WorkerAddress: "cpc1…ünïcode", ResultHash: "ab", Nonce: i64p(-(1<<53 - 1))},
	}
}

type resultVectors struct {
	Description string   `json:"description"`
	Canonical   []string `json:"canonical"`
	ComputeRoot string   `json:"compute_root"`
	Header      string   `json:"block_header"`
}

func TestComputeResultGolden(t *testing.T) {
	res := sampleResults()
	v := resultVectors{Description: "RFC 8785 encodings of three ComputeResults and the compute_root over them (leaf data = the canonical bytes)"}
	for _, c := range res {
		b, err := c.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		v.Canonical = append(v.Canonical, string(b))
	}
	root, err := ComputeRoot(res)
	if err != nil {
		t.Fatal(err)
	}
	v.ComputeRoot = root
	h, err := NewBlockHeader(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := json.Marshal(h)
	v.Header = string(hb)
	b, _ := json.MarshalIndent(v, "", "  ")
	golden.Check(t, "compute-result-vectors.json", append(b, '\n'), *update)

	want0 := `{"nonce":null,"proof":null,"result_hash":"1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef","signature":null,"task_id":"3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20","worker_address":"cpc1qworkera"}`
	if v.Canonical[0] != want0 {
		t.Errorf("canonical encoding\n got %s\nwant %s", v.Canonical[0], want0)
	}
	if !strings.Contains(v.Canonical[2], `"nonce":-9007199254740991`) || !strings.Contains(v.Canonical[2], "ünïcode") {
		t.Errorf("canonical encoding of nonce/unicode: %s", v.Canonical[2])
	}
	if e, _ := NewBlockHeader(nil, nil); e.ComputeRoot != "" {
		t.Error("empty block has a compute_root")
	}
	eb, _ := json.Marshal(BlockHeader{})
	if string(eb) != `{"compute_root":"","zk_state_proof":null,"zk_compute_proof":null}` {
		t.Errorf("empty header JSON %s", eb)
	}
}

func TestComputeResultValidate(t *testing.T) {
	c := sampleResults()[0]
	for name, mut := range map[string]func(*ComputeResult){
		"no task_id":     func(c *ComputeResult) { c.TaskID = "" },
		"no worker":      func(c *ComputeResult) { c.WorkerAddress = "" },
		"no result_hash": func(c *ComputeResult) { c.ResultHash = "" },
		"nonce 2^53":     func(c *ComputeResult) { c.Nonce = i64p(1 << 53) },
		"nonce -2^53":    func(c *ComputeResult) { c.Nonce = i64p(-(1 << 53)) },
	} {
		b := c
		mut(&b)
		if _, err := b.Canonical(); !errors.Is(err, ErrInvalidResult) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	s := NewSubmitResult(c)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	s.FromAddress = "cpc1qsomeoneelse"
	if err := s.Validate(); !errors.Is(err, ErrInvalidResult) {
		t.Errorf("mismatched sender accepted: %v", err)
	}
	s = NewSubmitResult(c)
	s.TxType = "TRANSFER"
	if err := s.Validate(); err == nil {
		t.Error("wrong tx type accepted")
	}
	if _, err := ComputeRoot([]ComputeResult{c, {}}); err == nil {
		t.Error("compute_root over an invalid result")
	}
}

func TestFromReceipt(t *testing.T) {
	f := getFixture(t)
	cr, err := FromReceipt(f.env, fixtureWorker)
	if err != nil {
		t.Fatal(err)
	}
	if cr.TaskID != f.rc.Task.TaskID || cr.ResultHash != f.rc.PoE || cr.WorkerAddress != fixtureWorker ||
		cr.Signature == nil || *cr.Signature != f.env.Signatures[0].Sig || cr.Nonce != nil || cr.Proof == nil {
		t.Fatalf("unexpected result %+v", cr)
	}
	canon, err := cr.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("canonical ComputeResult (SUBMIT_RESULT payload / compute_root leaf): %d bytes", len(canon))
	if _, err := VerifyComputeResult(cr, f.binding(t), f.vk); err != nil {
		t.Fatalf("light-client check of a valid result: %v", err)
	}

	// Put it in a block with other results and prove its inclusion.
	results := append(sampleResults(), cr)
	leaves, err := Leaves(results)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := base64.StdEncoding.DecodeString(*cr.Proof)
	h, err := NewBlockHeader(results, enc)
	if err != nil {
		t.Fatal(err)
	}
	i := len(results) - 1
	p, err := merkle.InclusionProof(leaves, i)
	if err != nil {
		t.Fatal(err)
	}
	if err := merkle.VerifyInclusion(h.ComputeRoot, canon, i, len(results), p); err != nil {
		t.Fatal(err)
	}
	if h.ZkComputeProof == nil || *h.ZkComputeProof != *cr.Proof {
		t.Error("header does not carry the zk_compute_proof")
	}

	bad := cr
	bad.ResultHash = strings.Repeat("0", 64)
	if _, err := VerifyComputeResult(bad, f.binding(t), f.vk); err == nil {
		t.Error("result_hash that is not the proof's PoE accepted")
	}
	bad = cr
	bad.Proof = nil
	if _, err := VerifyComputeResult(bad, f.binding(t), f.vk); err == nil {
		t.Error("result without proof accepted")
	}
	bad = cr
	bad.Proof = strp("!!" + *cr.Proof)
	if _, err := VerifyComputeResult(bad, f.binding(t), f.vk); err == nil {
		t.Error("non-base64 proof accepted")
	}
	bad = cr
	bad.Proof = strp(strings.Repeat("A", maxProofB64+4))
	if _, err := VerifyComputeResult(bad, f.binding(t), f.vk); err == nil {
		t.Error("oversized proof accepted")
	}

	// A tampered envelope signature is refused when building the result.
	env := *f.env
	env.Signatures = []receipt.Signature{f.env.Signatures[0]}
	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	sig[0] ^= 1
	env.Signatures[0].Sig = base64.StdEncoding.EncodeToString(sig)
	if _, err := FromReceipt(&env, fixtureWorker); err == nil {
		t.Error("FromReceipt accepted a bad signature")
	}
	if c, err := FromReceipt(f.env, ""); err != nil || !reflect.DeepEqual(c, cr) {
		t.Errorf("FromReceipt without an address does not take the signed one: %+v, %v", c, err)
	}
	if _, err := FromReceipt(nil, fixtureWorker); err == nil {
		t.Error("FromReceipt accepted nil")
	}
}
