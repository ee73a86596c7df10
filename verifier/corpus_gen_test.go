package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/internal/corpus"
	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

var updateCorpus = flag.Bool("update-corpus", false, "regenerate the receipt corpus in testdata/receipts (runs Groth16 and PLONK setups: minutes)")

// The corpus's fixed inputs: the task shape and identifiers, the seed, and
// the challenge a verifier issues for the challenge-method cases.
const (
	corpusN        = 4
	corpusFracBits = 8
	corpusTaskID   = "c0de0000-4a5b-4c6d-8e7f-000000000001"
	corpusDeadline = 1795000000
)

var (
	corpusSeed      = workload.DeriveSeed([32]byte{0xc0, 0x57}, "cpc1qcorpusworker")
	corpusChallenge = bytes.Repeat([]byte{0xc7}, 32)
)

// Paths inside the corpus of the files the cases refer to.
const (
	nodeKeyFile      = "keys/node.pem"       // the node key every receipt is signed with
	otherNodeKeyFile = "keys/other-node.pem" // a key that is not the receipt's node's
	groth16VKFile    = "keys/groth16-bn254-freivalds-v5-n4-f8.vk"
	otherVKFile      = "keys/groth16-bn254-freivalds-v5-n2-f8.vk"
	plonkVKFile      = "keys/plonk-bn254-freivalds-v5-n4-f8.vk"
	blsVKFile        = "keys/groth16-bls12-381-freivalds-v5-n4-f8.vk"
	matrixAFile      = "inputs/a.npy"
	matrixBFile      = "inputs/b.npy"
	pinnedPolicy     = "policies/pinned-groth16.json"
	pinnedOther      = "policies/pinned-other-circuit.json"
)

// corpusGen makes the corpus's receipts: base receipts from real proving
// runs, and the changes a node (or anyone) could make to them.
type corpusGen struct {
	t          *testing.T
	dir        string
	key, other ed25519.PrivateKey
	cache      keys.Cache
	a, b       []int16 // the supplied task's matrices
	root       [32]byte
	bases      map[string]*receipt.Envelope
	fp         map[string]string // key file → fingerprint
}

// given is what a case's verifier is given (a corpus file's header, but
// the verdict).
type given struct {
	policy     string
	key        string // a file under keys/; its system and curve are the receipt's
	acceptKeys []string
	challenge  []byte
	root       *[32]byte
	files      [2]string // a, b
}

// genCase is one case to generate: a receipt, what its verifier is given,
// and the verdict intended (checked against this verifier before writing).
type genCase struct {
	name, comment string
	env           *receipt.Envelope
	raw           []byte // the file's body when not env's encoding (malformed cases)
	g             given
	want          string
	mustFail      []string // checks a reject must name (it may name more; the file lists all)
	hold          []string // a hold's codes, exactly
}

// TestCorpusGenerate regenerates testdata/receipts when run with
// -update-corpus (go test ./verifier -run TestCorpusGenerate -update-corpus,
// ZKPOC_TEST_KEYS naming a key cache to reuse). Binding and sampled
// receipts come out byte for byte the same from the committed node keys;
// SNARK proofs and dev setups are randomized, so those cases and the key
// files change on every run.
func TestCorpusGenerate(t *testing.T) {
	if !*updateCorpus {
		t.Skip("regenerates the corpus only with -update-corpus")
	}
	g := newCorpusGen(t, corpusDir)
	g.makeBases()
	cases := g.cases()
	old, err := corpus.Files(g.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range old {
		if err := os.Remove(filepath.Join(g.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Fatalf("case %s twice", c.name)
		}
		names[c.name] = true
		g.write(c)
	}
	t.Logf("%d cases written to %s", len(cases), g.dir)
}

func newCorpusGen(t *testing.T, dir string) *corpusGen {
	g := &corpusGen{t: t, dir: dir, bases: map[string]*receipt.Envelope{}, fp: map[string]string{}}
	var err error
	if g.cache, err = testfixture.KeyCache(); err != nil {
		t.Fatal(err)
	}
	g.key = g.nodeKey(nodeKeyFile, "zkpoc corpus node key")
	g.other = g.nodeKey(otherNodeKeyFile, "zkpoc corpus other node key")
	if g.a, g.b, err = workload.Generate(sha256.Sum256([]byte("zkpoc corpus supplied matrices")), corpusN); err != nil {
		t.Fatal(err)
	}
	for path, m := range map[string][]int16{matrixAFile: g.a, matrixBFile: g.b} {
		var buf bytes.Buffer
		if err := workload.EncodeNPY(&buf, workload.Matrix{N: corpusN, Data: m}); err != nil {
			t.Fatal(err)
		}
		g.writeFile(path, buf.Bytes())
	}
	return g
}

// nodeKey reads a committed node key, creating it from a fixed seed (so a
// fresh checkout regenerates the same one) when it is missing.
func (g *corpusGen) nodeKey(path, seedText string) ed25519.PrivateKey {
	full := filepath.Join(g.dir, filepath.FromSlash(path))
	if _, err := os.Stat(full); errors.Is(err, os.ErrNotExist) {
		seed := sha256.Sum256([]byte(seedText))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := receipt.WriteNodeKey(full, ed25519.NewKeyFromSeed(seed[:])); err != nil {
			g.t.Fatal(err)
		}
	}
	k, err := receipt.ReadNodeKey(full)
	if err != nil {
		g.t.Fatal(err)
	}
	return k
}

func (g *corpusGen) writeFile(path string, data []byte) {
	full := filepath.Join(g.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		g.t.Fatal(err)
	}
}

// task is the corpus's synthetic task, carrying its input commitment on curve.
func (g *corpusGen) task(curve protocol.Curve) workload.ComputeTask {
	task, err := protocol.NewSyntheticTask(curve, corpusTaskID, corpusSeed, corpusN, corpusFracBits, "1000", corpusDeadline)
	if err != nil {
		g.t.Fatal(err)
	}
	return task
}

// suppliedTask is a task over g.a and g.b, known by their commitment.
func (g *corpusGen) suppliedTask() workload.ComputeTask {
	ic, err := protocol.InputCommitment(g.a, g.b, corpusN, corpusFracBits)
	if err != nil {
		g.t.Fatal(err)
	}
	task, err := workload.NewSuppliedTask(corpusTaskID, ic, corpusN, corpusFracBits, "1000", corpusDeadline)
	if err != nil {
		g.t.Fatal(err)
	}
	return task
}

// base proves o and keeps its receipt, normalized, under name.
func (g *corpusGen) base(name string, o prover.Options) {
	g.t.Helper()
	o.NodeKey, o.Cache, o.Executor = g.key, g.cache, native.ExecutorCPUGo
	if o.Task.TaskID == "" {
		o.Task = g.task(protocol.BN254)
	}
	res, err := prover.Run(context.Background(), o)
	if err != nil {
		g.t.Fatalf("base %s: %v", name, err)
	}
	g.bases[name] = g.normalize(res.Receipt)
}

// normalize replaces what a run measured (timings, the host, its hardware
// probe) by fixed values and signs the receipt again, so that a receipt
// made without a SNARK comes out the same on every machine.
func (g *corpusGen) normalize(rc *receipt.Receipt) *receipt.Envelope {
	r := *rc
	rm := *r.RuntimeMeasurement
	rm.CPU, rm.LogicalCores, rm.UsableCPUs, rm.Goroutines, rm.NativeSeconds, rm.Hardware = "corpus", 1, 0, 1, 0.001, nil
	r.RuntimeMeasurement = &rm
	br := *r.BenchmarkResult
	br.ProveSeconds, br.SetupCached = 0, true
	r.BenchmarkResult = &br
	if r.CostEstimate != nil {
		ce := *r.CostEstimate
		ce.SetupSeconds, ce.BudgetMemoryBytes = 0, 8<<30
		r.CostEstimate = &ce
	}
	var err error
	if r.ReceiptID, err = r.ComputeID(); err != nil {
		g.t.Fatal(err)
	}
	env, err := receipt.Sign(&r, g.key)
	if err != nil {
		g.t.Fatal(err)
	}
	return env
}

func (g *corpusGen) makeBases() {
	cheap := sampling.Params{Epsilon: 0.25, K: 2, PoWBits: 8}
	supplied := g.suppliedTask()
	g.base("binding", prover.Options{Mode: protocol.ModeBinding})
	v1, err := workload.NewSyntheticTask(corpusTaskID, corpusSeed, corpusN, corpusFracBits, "1000", corpusDeadline)
	if err != nil {
		g.t.Fatal(err)
	}
	g.base("binding-v1-task", prover.Options{Mode: protocol.ModeBinding, Task: v1})
	g.base("binding-supplied", prover.Options{Mode: protocol.ModeBinding, Task: supplied, A: g.a, B: g.b})
	g.base("sampled", prover.Options{Mode: protocol.ModeSampled, Sampling: cheap})
	g.base("sampled-all", prover.Options{Mode: protocol.ModeSampled, Sampling: sampling.Params{Epsilon: 0.25, K: corpusN, PoWBits: 8}})
	g.base("sampled-supplied", prover.Options{Mode: protocol.ModeSampled, Sampling: cheap, Task: supplied, A: g.a, B: g.b})
	g.challengeBase()
	g.base("groth16", prover.Options{Mode: protocol.ModeGroth16})
	g.base("groth16-supplied", prover.Options{Mode: protocol.ModeGroth16, Task: supplied, A: g.a, B: g.b})
	g.base("plonk", prover.Options{Mode: protocol.ModeGroth16, System: protocol.Plonk})
	g.base("groth16-bls12-381", prover.Options{Mode: protocol.ModeGroth16, Task: g.task(protocol.BLS12381), Curve: protocol.BLS12381})

	g.keyFile(groth16VKFile, protocol.BN254, protocol.Groth16, corpusN)
	g.keyFile(plonkVKFile, protocol.BN254, protocol.Plonk, corpusN)
	g.keyFile(blsVKFile, protocol.BLS12381, protocol.Groth16, corpusN)
	id := keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, 2, corpusFracBits)
	if _, _, err := setup.LoadOrSetup(g.cache, id, prover.Compile(protocol.Freivalds, 2, corpusFracBits), nil); err != nil {
		g.t.Fatal(err)
	}
	g.keyFile(otherVKFile, protocol.BN254, protocol.Groth16, 2)
	g.policies()
}

// challengeBase makes the challenge-method receipt the two-step way: the
// node commits to its output root, then opens the rows corpusChallenge
// selects.
func (g *corpusGen) challengeBase() {
	c, err := prover.Commit(prover.Options{Task: g.task(protocol.BN254), NodeKey: g.key, Cache: g.cache, Executor: native.ExecutorCPUGo,
		Sampling: sampling.Params{Epsilon: 0.25, K: 2}})
	if err != nil {
		g.t.Fatal(err)
	}
	res, err := c.Open(corpusChallenge)
	if err != nil {
		g.t.Fatal(err)
	}
	g.root = c.Root()
	g.bases["sampled-challenge"] = g.normalize(res.Receipt)
}

// keyFile writes the cached verifying key of the corpus's circuit as a
// bare key file.
func (g *corpusGen) keyFile(path string, curve protocol.Curve, system protocol.System, n int) {
	set, err := g.cache.Load(keys.IDFor(curve, system, protocol.Freivalds, n, corpusFracBits))
	if err != nil {
		g.t.Fatal(err)
	}
	vk := set.VK
	if err := proofsystem.WriteVerifyingKeyFile(filepath.Join(g.dir, filepath.FromSlash(path)), vk); err != nil {
		g.t.Fatal(err)
	}
	g.fp[path] = "sha256:" + vk.FingerprintHex()
}

// policies writes the policy files: zk-dev-v1 requiring an established key,
// with the corpus's Groth16 key pinned to its circuit (or to another one).
func (g *corpusGen) policies() {
	for path, n := range map[string]int{pinnedPolicy: corpusN, pinnedOther: 8} {
		p := verifier.BuiltinPolicies["zk-dev-v1"]
		p.ID = strings.TrimSuffix(filepath.Base(path), ".json")
		p.Description = "zk-dev-v1, requiring a key established for the receipt's circuit; the corpus's Groth16 key is pinned to the freivalds-v5 circuit for n = " + fmt.Sprint(n)
		p.RequireEstablishedKey = true
		p.TrustedKeys = []verifier.TrustedKey{{Fingerprint: g.fp[groth16VKFile], Circuit: protocol.Freivalds.Name(), N: n, FracBits: corpusFracBits, Curve: "bn254", System: protocol.Groth16}}
		if err := p.Validate(); err != nil {
			g.t.Fatal(err)
		}
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			g.t.Fatal(err)
		}
		g.writeFile(path, append(data, '\n'))
	}
}

// edit changes the statement of base, recomputes receipt_id (unless mutate
// set one) and signs it with key (nil: keeps the old signature).
func (g *corpusGen) edit(base string, key ed25519.PrivateKey, mutate func(st *receipt.Statement)) *receipt.Envelope {
	env := g.bases[base]
	st, _, err := env.Statement()
	if err != nil {
		g.t.Fatal(err)
	}
	id := st.Predicate.ReceiptID
	mutate(st)
	if st.Predicate.ReceiptID == id {
		if st.Predicate.ReceiptID, err = st.Predicate.ComputeID(); err != nil {
			g.t.Fatal(err)
		}
	}
	payload, err := json.Marshal(st)
	if err != nil {
		g.t.Fatal(err)
	}
	out := *env
	out.Payload = base64.StdEncoding.EncodeToString(payload)
	if key != nil {
		return g.signPayload(key, payload)
	}
	return &out
}

// pred is edit on the predicate, re-signed by the node.
func (g *corpusGen) pred(base string, mutate func(r *receipt.Receipt)) *receipt.Envelope {
	return g.edit(base, g.key, func(st *receipt.Statement) { mutate(&st.Predicate); st.Subject = st.Predicate.Subjects() })
}

// splice replaces old by repl in base's payload bytes and signs the result
// with the node key, as a node can sign any bytes.
func (g *corpusGen) splice(base, old, repl string) *receipt.Envelope {
	_, raw, err := g.bases[base].Statement()
	if err != nil {
		g.t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(old)) {
		g.t.Fatalf("%s: payload lacks %s", base, old)
	}
	return g.signPayload(g.key, bytes.Replace(raw, []byte(old), []byte(repl), 1))
}

func (g *corpusGen) signPayload(key ed25519.PrivateKey, payload []byte) *receipt.Envelope {
	id := protocol.NodeID(key.Public().(ed25519.PublicKey))
	return &receipt.Envelope{
		PayloadType: receipt.PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures: []receipt.Signature{{
			KeyID: hex.EncodeToString(id[:]),
			Sig:   base64.StdEncoding.EncodeToString(ed25519.Sign(key, receipt.PAE(receipt.PayloadType, payload))),
		}},
	}
}

// envelopeJSON is an envelope as zkpoc prove writes it.
func (g *corpusGen) envelopeJSON(env *receipt.Envelope) []byte {
	data, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		g.t.Fatal(err)
	}
	return append(data, '\n')
}

func flipLastHex(s string) string {
	b := []byte(s)
	if b[len(b)-1] == '0' {
		b[len(b)-1] = '1'
	} else {
		b[len(b)-1] = '0'
	}
	return string(b)
}

// write verifies the case as its file will say, requires the intended
// verdict, and writes the file with every failed check the verifier named.
func (g *corpusGen) write(c genCase) {
	t := g.t
	body := c.raw
	if body == nil {
		body = g.envelopeJSON(c.env)
	}
	cc := &corpus.Case{Expect: c.want, Policy: c.g.policy, AcceptKeys: c.g.acceptKeys, Challenge: c.g.challenge, Root: c.g.root,
		A: c.g.files[0], B: c.g.files[1], Comment: c.comment, Body: body, Hold: c.hold}
	if c.g.key != "" {
		st, _, err := c.env.Statement()
		if err != nil || st.Predicate.Proof == nil {
			t.Fatalf("%s: a key is given for a receipt without a proof", c.name)
		}
		cc.Key = &corpus.Key{System: string(st.Predicate.Proof.System), Curve: string(st.Predicate.Proof.Curve), Path: c.g.key}
	}
	got, v, err := corpus.Run(g.dir, cc)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	reason := ""
	if v != nil {
		reason = v.PolicyDecision.Reason
	}
	if got.Expect != c.want || !slices.Equal(got.Hold, c.hold) {
		t.Fatalf("%s: verdict %s (failed %v, hold %v), want %s (hold %v): %s", c.name, got.Expect, got.Failed, got.Hold, c.want, c.hold, reason)
	}
	for _, m := range c.mustFail {
		if !slices.Contains(got.Failed, m) {
			t.Fatalf("%s: failed checks %v do not name %s", c.name, got.Failed, m)
		}
	}
	cc.Failed, cc.KeyNeeded = got.Failed, got.KeyNeeded
	data := cc.Marshal()
	g.writeFile(c.name, data)
	// The file as written must parse back to the same case.
	back, err := corpus.Parse(data)
	if err != nil {
		t.Fatalf("%s: the written file does not parse: %v", c.name, err)
	}
	if d := back.Diff(got); d != "" {
		t.Fatalf("%s: the written file says otherwise: %s", c.name, d)
	}
}
