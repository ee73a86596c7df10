package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"

	"github.com/zkpoc/zkpoc/chain"
	"github.com/zkpoc/zkpoc/chain/registry"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/network/onchain"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// Red team of freivalds-s2 receipts (verifier.Verify, chain export), a
// malicious node editing and re-signing its own receipt (reseal) with real
// BN254 Groth16 proofs at n = 4, keys through ZKPOC_TEST_KEYS. Every case
// fails if its attack works: a verdict that passes with an allowed claim
// that the output is the correct product when it is not (or when the
// evidence does not show it), or a chain export of an s1 proof.

// s1rt is one honest freivalds-s2 receipt and what its node holds.
type s1rt struct {
	cache keys.Cache
	key   ed25519.PrivateKey
	task  workload.ComputeTask
	res   *prover.Result
	set   *keys.Set // freivalds-s2, n = 4, f = 8
}

func newS1RT(t *testing.T, id string, seed byte) *s1rt {
	t.Helper()
	cache := s1Cache(t)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	task, err := protocol.NewSyntheticTask(protocol.BN254, id, [32]byte{0x5e, seed}, 4, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	res := s1Receipt(t, cache, task, key)
	set, err := cache.Load(keys.SyntheticIDFor(4, 8))
	if err != nil {
		t.Fatal(err)
	}
	return &s1rt{cache: cache, key: key, task: task, res: res, set: set}
}

// claimsProduct is the attack's success: a pass whose claim states that
// the output digest is the correct product.
func claimsProduct(v *verifier.Verdict) bool {
	return v.PolicyDecision.Status == verifier.Pass && strings.Contains(v.AllowedClaim, "is the correct fixed-point product")
}

// rebindS1 recomputes what a node editing its receipt recomputes so that
// only the proof can tell: job_id, request_id, input_commitment (the one the
// verifier will compute from the edited task), the PoE, and the public
// inputs, s included — s as the verifier will derive it from the proof's
// commitment and the edited task's regenerated A and B.
func rebindS1(t *testing.T, r *receipt.Receipt) {
	t.Helper()
	reqID, err := r.Task.RequestID()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := hex.DecodeString(r.Node.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	d, err := receipt.DecodeHex32("output_digest", r.OutputDigest)
	if err != nil {
		t.Fatal(err)
	}
	poe := protocol.PoE(reqID, d, protocol.NodeID(pub))
	r.JobID, r.RequestID, r.PoE = r.Task.TaskID, hexOf(reqID), hexOf(poe)
	s := new(big.Int)
	if !r.Task.Supplied() {
		n := r.Task.Payload.MatrixSize
		a, b, err := protocol.Matrices(r.Task, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ic, err := protocol.InputCommitmentOn(protocol.BN254, a, b, n, r.Task.Payload.FracBits)
		if err != nil {
			t.Fatal(err)
		}
		r.InputCommitment = hexOf(ic)
		if p, err := proofOf(r.Proof.Bytes); err == nil {
			rr, err := protocol.SyntheticChallenge(protocol.BN254, p.Commitments[0].Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if s, err = protocol.SyntheticCheck(protocol.BN254, rr, a, b, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	r.Proof.PublicInputs = protocol.SyntheticPublicInputStrings(protocol.Public{OutputDigest: d, PoE: poe}, s)
}

// proofOf decodes a BN254 Groth16 proof with exactly one commitment.
func proofOf(b []byte) (*groth16bn254.Proof, error) {
	var p groth16bn254.Proof
	if _, err := p.ReadFrom(bytes.NewReader(b)); err != nil {
		return nil, err
	}
	if len(p.Commitments) != 1 {
		return nil, errors.New("not one commitment")
	}
	return &p, nil
}

// s1Want is what a case expects: a reject naming checks, or a hold (never
// a pass), or a pass whose claim must not state the product; same marks an
// edit that leaves the statement the honest one (a pass is then true).
type s1Want struct {
	status string
	checks []string
	same   bool
}

func rejectOn(checks ...string) s1Want { return s1Want{status: verifier.Reject, checks: checks} }

var holdNotPass = s1Want{status: verifier.Hold}

func checkS1Verdict(t *testing.T, name string, v *verifier.Verdict, w s1Want) {
	t.Helper()
	t.Logf("%s: %s, failed %v", name, v.PolicyDecision.Status, v.Failed())
	if claimsProduct(v) && !w.same {
		t.Fatalf("ATTACK WORKS: %s passes with the claim %q", name, v.AllowedClaim)
	}
	switch w.status {
	case verifier.Reject:
		wantReject(t, name, v, w.checks...)
	case verifier.Hold:
		if v.PolicyDecision.Status != verifier.Hold {
			t.Errorf("%s: status %s (failed %v), want hold", name, v.PolicyDecision.Status, v.Failed())
		}
	case verifier.Pass:
		if v.PolicyDecision.Status != verifier.Pass {
			t.Errorf("%s: status %s (failed %v), want a pass with a weaker claim", name, v.PolicyDecision.Status, v.Failed())
		}
	}
}

// TestRedteamS1ReceiptEdits: the node edits fields of its honest s1
// receipt and re-signs it: the public inputs (non-canonical forms, its own
// s, order, count), the proof bytes (commitment point, framing), the
// labels (circuit, system, curve, mode, workload digest), the key and
// provenance, the input commitment and the output digest.
func TestRedteamS1ReceiptEdits(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	fx := newS1RT(t, "5e1a7e57-5300-4000-8000-000000000004", 0x53)
	opts := verifier.Options{Cache: fx.cache}
	if v := verifier.Verify(fx.res.Envelope, opts); v.PolicyDecision.Status != verifier.Pass || !claimsProduct(v) {
		t.Fatalf("honest s1 receipt (control): %s, failed %v", v.PolicyDecision.Status, v.Failed())
	}
	rc := fx.res.Receipt
	in := slices.Clone(rc.Proof.PublicInputs)
	bi := func(i int) *big.Int { x, _ := new(big.Int).SetString(in[i], 10); return x }
	p := protocol.BN254.ScalarField()
	honest := decodeBN254(t, rc.Proof.Bytes)
	var gen bn254.G1Affine
	gen.ScalarMultiplicationBase(big.NewInt(1))
	edit := func(e func(p *groth16bn254.Proof)) []byte { return editProof(t, rc.Proof.Bytes, e) }
	withCount := func(c uint32, extra int) []byte {
		b := append([]byte(nil), rc.Proof.Bytes[:commitmentAt-4]...)
		b = binary.BigEndian.AppendUint32(b, c)
		for i := 0; i < extra; i++ {
			b = append(b, rc.Proof.Bytes[commitmentAt:commitmentAt+32]...)
		}
		return append(b, rc.Proof.Bytes[len(rc.Proof.Bytes)-32:]...)
	}
	var raw bytes.Buffer
	if _, err := honest.WriteRawTo(&raw); err != nil {
		t.Fatal(err)
	}
	bls := v5Keys(t, fx.cache, protocol.Groth16, protocol.BLS12381)
	v5 := v5Keys(t, fx.cache, protocol.Groth16, protocol.BN254)
	f0, _, err := setup.LoadOrSetup(fx.cache, keys.SyntheticIDFor(4, 0), prover.CompileSynthetic(4, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	setInput := func(i int, x *big.Int) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) { r.Proof.PublicInputs[i] = x.String() }
	}
	setProof := func(b []byte) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) { r.Proof.Bytes = b }
	}
	// A proof edit with s relisted as the verifier will derive it.
	setProofRebound := func(b []byte) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) { r.Proof.Bytes = b; rebindS1(t, r) }
	}
	setKey := func(fp string) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) { r.Proof.KeyFingerprint = fp }
	}

	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		want   s1Want
	}{
		// public inputs
		{"s − p listed", setInput(1, new(big.Int).Sub(bi(1), p)), rejectOn("proof.public_inputs")},
		{"s with a leading zero", func(r *receipt.Receipt) { r.Proof.PublicInputs[1] = "0" + in[1] }, rejectOn("proof.public_inputs")},
		{"s with a plus sign", func(r *receipt.Receipt) { r.Proof.PublicInputs[1] = "+" + in[1] }, rejectOn("proof.public_inputs")},
		{"s in hex", func(r *receipt.Receipt) { r.Proof.PublicInputs[1] = "0x" + bi(1).Text(16) }, rejectOn("proof.public_inputs")},
		{"s = 0", setInput(1, big.NewInt(0)), rejectOn("proof.public_inputs")},
		{"output digest + p listed", setInput(0, new(big.Int).Add(bi(0), p)), rejectOn("proof.public_inputs")},
		{"PoE hi + p listed", setInput(2, new(big.Int).Add(bi(2), p)), rejectOn("proof.public_inputs")},
		{"PoE halves swapped", func(r *receipt.Receipt) {
			r.Proof.PublicInputs[2], r.Proof.PublicInputs[3] = in[3], in[2]
		}, rejectOn("proof.public_inputs")},
		{"digest and s swapped", func(r *receipt.Receipt) {
			r.Proof.PublicInputs[0], r.Proof.PublicInputs[1] = in[1], in[0]
		}, rejectOn("proof.public_inputs")},
		{"a fifth public input", func(r *receipt.Receipt) { r.Proof.PublicInputs = append(r.Proof.PublicInputs, "0") }, rejectOn("proof.public_inputs")},
		{"three public inputs", func(r *receipt.Receipt) { r.Proof.PublicInputs = r.Proof.PublicInputs[:3] }, rejectOn("proof.public_inputs")},
		{"no public inputs", func(r *receipt.Receipt) { r.Proof.PublicInputs = nil }, rejectOn()},
		{"v5's layout (input commitment first)", func(r *receipt.Receipt) {
			ic, _ := receipt.DecodeHex32("input_commitment", r.InputCommitment)
			r.Proof.PublicInputs = []string{new(big.Int).SetBytes(ic[:]).String(), in[0], in[2], in[3]}
		}, rejectOn("proof.public_inputs")},

		// the commitment point, s relisted as the verifier derives it
		{"π.D + G, s relisted", setProofRebound(edit(func(p *groth16bn254.Proof) { p.Commitments[0].Add(&p.Commitments[0], &gen) })), rejectOn("proof.verify")},
		{"π.D negated with its PoK, s relisted", setProofRebound(edit(func(p *groth16bn254.Proof) {
			p.Commitments[0].Neg(&p.Commitments[0])
			p.CommitmentPok.Neg(&p.CommitmentPok)
		})), rejectOn("proof.verify")},
		{"π.D = PoK = identity, s relisted", setProofRebound(edit(func(p *groth16bn254.Proof) {
			p.Commitments[0], p.CommitmentPok = bn254.G1Affine{}, bn254.G1Affine{}
		})), rejectOn("proof.verify")},
		{"Krs = Krs + G", setProof(edit(func(p *groth16bn254.Proof) { p.Krs.Add(&p.Krs, &gen) })), rejectOn("proof.verify")},
		// framing
		{"empty proof bytes", setProof(nil), rejectOn()},
		{"one proof byte", setProof([]byte{0x80}), rejectOn("proof.verify")},
		{"truncated by one byte", setProof(rc.Proof.Bytes[:len(rc.Proof.Bytes)-1]), rejectOn("proof.verify")},
		{"zero commitments", setProof(withCount(0, 0)), rejectOn("proof.verify")},
		{"two commitments", setProof(withCount(2, 2)), rejectOn("proof.verify")},
		{"count 2^32 − 1, one point", setProof(withCount(^uint32(0), 1)), rejectOn("proof.verify")},
		{"1 MiB trailing", setProof(append(slices.Clone(rc.Proof.Bytes), make([]byte, 1<<20)...)), rejectOn("proof.verify")},
		{"uncompressed encoding", setProof(raw.Bytes()), rejectOn("proof.verify")},

		// labels
		{"circuit FREIVALDS-S1", func(r *receipt.Receipt) { r.Proof.Circuit = "FREIVALDS-S1" }, rejectOn("proof.circuit")},
		{"circuit with a trailing space", func(r *receipt.Receipt) { r.Proof.Circuit += " " }, rejectOn("proof.circuit")},
		{"circuit naive-v5, workload digest to match", func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = protocol.Naive.Name(), receipt.WorkloadDigest(protocol.Naive.Name(), 4, 8)
		}, rejectOn("proof.key_circuit")},
		{"workload digest of freivalds-v5", func(r *receipt.Receipt) { r.WorkloadDigest = receipt.WorkloadDigest(protocol.Freivalds.Name(), 4, 8) }, rejectOn("workload_digest")},
		{"workload digest of another f", func(r *receipt.Receipt) { r.WorkloadDigest = receipt.WorkloadDigest(protocol.SyntheticCircuitID, 4, 0) }, rejectOn("workload_digest")},
		{"proof.system plonk, mode groth16", func(r *receipt.Receipt) { r.Proof.System = protocol.Plonk }, rejectOn("proof.system")},
		{"curve bls12-381", func(r *receipt.Receipt) { r.Proof.Curve = protocol.BLS12381 }, rejectOn("proof.curve")},
		{"curve BN254 (upper case)", func(r *receipt.Receipt) { r.Proof.Curve = "BN254" }, rejectOn()},
		{"curve empty", func(r *receipt.Receipt) { r.Proof.Curve = "" }, rejectOn()},
		{"mode sampled, proof box kept", func(r *receipt.Receipt) { r.Mode = protocol.ModeSampled }, rejectOn()},
		{"mode binding, proof box kept", func(r *receipt.Receipt) { r.Mode = protocol.ModeBinding }, rejectOn()},

		// keys and provenance
		{"key: freivalds-v5 n=4 f=8 (same shape, 4 inputs)", setKey("sha256:" + v5.Meta.Fingerprint), rejectOn("proof.key_circuit", "proof.verify")},
		{"key: freivalds-v5 BLS12-381", setKey("sha256:" + bls.Meta.Fingerprint), rejectOn("proof.key_circuit", "proof.verify")},
		{"key: freivalds-s2 f = 0", setKey("sha256:" + f0.Meta.Fingerprint), rejectOn("proof.key_circuit", "proof.verify")},
		{"key: unknown fingerprint", setKey("sha256:" + strings.Repeat("ab", 32)), holdNotPass},
		{"key: upper-case fingerprint (same key)", setKey("sha256:" + strings.ToUpper(fx.set.Meta.Fingerprint)), s1Want{same: true}},
		{"key: malformed fingerprint", setKey("sha256:zz"), s1Want{}},
		{"setup provenance edited", func(r *receipt.Receipt) { r.Proof.SetupProvenance = "mpc(3+3 contributions, beacon 00)" }, rejectOn("proof.setup_provenance")},

		// commitments and digests
		{"input_commitment edited", func(r *receipt.Receipt) { r.InputCommitment = strings.Repeat("0", 63) + "1" }, rejectOn("input_commitment")},
		{"output digest ≥ p, PoE and inputs rebound", func(r *receipt.Receipt) {
			r.OutputDigest = strings.Repeat("f", 64)
			rebindS1(t, r)
		}, rejectOn("output_digest")},
		{"output digest + 1, PoE and inputs rebound", func(r *receipt.Receipt) {
			d, _ := receipt.DecodeHex32("output_digest", r.OutputDigest)
			d[31] ^= 1
			r.OutputDigest = hexOf(d)
			rebindS1(t, r)
		}, rejectOn("proof.verify")},
		{"output digest algorithm edited", func(r *receipt.Receipt) { r.OutputDigestAlg = receipt.DigestMerkleRows }, rejectOn("output_digest_algorithm")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(reseal(t, fx.res.Envelope, fx.key, tc.mutate), opts)
			checkS1Verdict(t, tc.name, v, tc.want)
		})
	}

	// Groth16's malleability: (−Ar, −Bs) is other bytes for the same
	// statement. It may pass (the claim is then true: the same C', node and
	// request); what must not happen is a pass for another statement.
	t.Run("malleated (−Ar, −Bs): same statement", func(t *testing.T) {
		env := reseal(t, fx.res.Envelope, fx.key, setProof(edit(func(p *groth16bn254.Proof) { p.Ar.Neg(&p.Ar); p.Bs.Neg(&p.Bs) })))
		v := verifier.Verify(env, opts)
		t.Logf("malleated: %s", v.PolicyDecision.Status)
		if claimsProduct(v) && !strings.Contains(v.AllowedClaim, rc.OutputDigest) {
			t.Fatalf("malleated proof passes for another digest: %s", v.AllowedClaim)
		}
	})
}

// TestRedteamS1ReceiptWrongProduct: the node proves a wrong C' (the product
// of another A) with s of its own choosing — the prover's uᵀ·A'·B·v, with
// which gnark accepts the proof — and signs it as its answer, listing its
// s, or the verifier's s at its commitment.
func TestRedteamS1ReceiptWrongProduct(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	fx := newS1RT(t, "5e1a7e57-5400-4000-8000-000000000004", 0x54)
	a, b, err := protocol.Matrices(fx.task, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a2 := slices.Clone(a)
	a2[5] ^= 0x1234
	c2 := s1Product(t, a2, b, 4)
	var pub protocol.Public
	pub.NodeID = protocol.NodeID(fx.key.Public().(ed25519.PublicKey))
	if pub.RequestID, err = fx.task.RequestID(); err != nil {
		t.Fatal(err)
	}
	if pub.OutputDigest, err = protocol.OutputDigestOn(protocol.BN254, c2, 4, 8); err != nil {
		t.Fatal(err)
	}
	pub.PoE = protocol.PoE(pub.RequestID, pub.OutputDigest, pub.NodeID)
	proof, s2 := proveS1At(t, fx.set, a2, b, c2, pub, 8)
	pb := encodeBN254(t, proof)
	forged := func(relist bool) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) {
			r.OutputDigest, r.PoE = hexOf(pub.OutputDigest), hexOf(pub.PoE)
			r.Proof.Bytes = pb
			r.Proof.PublicInputs = protocol.SyntheticPublicInputStrings(pub, s2)
			if relist {
				rebindS1(t, r) // s as the verifier derives it from A, B
			}
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		opts   verifier.Options
		want   s1Want
	}{
		{"node's s listed", forged(false), verifier.Options{Cache: fx.cache}, rejectOn("proof.public_inputs", "proof.verify")},
		{"verifier's s listed", forged(true), verifier.Options{Cache: fx.cache}, rejectOn("proof.verify")},
		{"verifier's s listed, key given as a file", forged(true), verifier.Options{VK: fx.set.VK}, rejectOn("proof.verify")},
		{"verifier's s listed, key pinned", forged(true), verifier.Options{Cache: fx.cache, AcceptKeys: []string{fx.res.Receipt.Proof.KeyFingerprint}}, rejectOn("proof.verify")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(reseal(t, fx.res.Envelope, fx.key, tc.mutate), tc.opts)
			checkS1Verdict(t, tc.name, v, tc.want)
		})
	}
}

// TestRedteamS1ReceiptTransplant: the honest proof (or receipt) signed for
// something else — a task sharing its seed (so its A, B, and s at every r,
// are the same) under another id, f or n, a v1 task with the same seed,
// another node — with every field the verifier recomputes recomputed, s
// included.
func TestRedteamS1ReceiptTransplant(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	fx := newS1RT(t, "5e1a7e57-5500-4000-8000-000000000004", 0x55)
	opts := verifier.Options{Cache: fx.cache}
	seed := [32]byte{0x5e, 0x55}
	bound := func(id string, n, f int) workload.ComputeTask {
		task, err := protocol.NewSyntheticTask(protocol.BN254, id, seed, n, f, "1000", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	v1, err := workload.NewSyntheticTask(fx.task.TaskID, seed, 4, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	reward := fx.task
	reward.Reward = "2000"
	retask := func(task workload.ComputeTask) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) {
			r.Task = task
			r.WorkloadDigest = receipt.WorkloadDigest(r.Proof.Circuit, task.Payload.MatrixSize, task.Payload.FracBits)
			rebindS1(t, r)
		}
	}
	// Another honest s1 receipt, of another task and node: its proof and
	// digest transplanted into this receipt.
	fx2 := newS1RT(t, "5e1a7e57-5500-4000-8000-000000000005", 0x57)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x56}, 32))
	otherPub := other.Public().(ed25519.PublicKey)
	otherID := protocol.NodeID(otherPub)

	for _, tc := range []struct {
		name   string
		key    ed25519.PrivateKey
		mutate func(r *receipt.Receipt)
		want   s1Want
	}{
		{"same seed, another task_id", fx.key, retask(bound("5e1a7e57-5500-4000-8000-0000000000aa", 4, 8)), rejectOn("proof.verify")},
		{"same task, another reward", fx.key, retask(reward), rejectOn("proof.verify")},
		{"same seed, v1 task (no input commitment)", fx.key, retask(v1), rejectOn("proof.verify")},
		{"same seed, f = 0", fx.key, retask(bound("5e1a7e57-5500-4000-8000-0000000000ab", 4, 0)), rejectOn("proof.key_circuit", "proof.verify")},
		{"same seed, n = 8", fx.key, retask(bound("5e1a7e57-5500-4000-8000-0000000000ac", 8, 8)), rejectOn("proof.key_circuit", "proof.verify")},
		{"same seed, n = 2", fx.key, retask(bound("5e1a7e57-5500-4000-8000-0000000000ad", 2, 8)), rejectOn("proof.key_circuit", "proof.verify")},
		{"same seed, task bound on BLS12-381", fx.key, func(r *receipt.Receipt) {
			task, err := protocol.NewSyntheticTask(protocol.BLS12381, "5e1a7e57-5500-4000-8000-0000000000ae", seed, 4, 8, "1000", 1795000000)
			if err != nil {
				t.Fatal(err)
			}
			retask(task)(r)
		}, rejectOn("proof.curve")},
		{"task crafted with a payload.input_commitment not its seed's", fx.key, func(r *receipt.Receipt) {
			task := fx.task
			task.Payload.InputCommitment = fx2.task.Payload.InputCommitment
			retask(task)(r)
			r.InputCommitment = task.Payload.InputCommitment
		}, rejectOn("input_commitment.regenerate")},
		{"another node signs the proof", other, func(r *receipt.Receipt) {
			r.Node = receipt.Node{PublicKey: hex.EncodeToString(otherPub), NodeID: hexOf(otherID)}
			rebindS1(t, r)
		}, rejectOn("proof.verify")},
		{"another task's proof and digest", fx.key, func(r *receipt.Receipt) {
			r.Proof.Bytes, r.OutputDigest = fx2.res.Receipt.Proof.Bytes, fx2.res.Receipt.OutputDigest
			rebindS1(t, r)
		}, rejectOn("proof.verify")},
		{"this proof, another task's digest", fx.key, func(r *receipt.Receipt) {
			r.OutputDigest = fx2.res.Receipt.OutputDigest
			rebindS1(t, r)
		}, rejectOn("proof.verify")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(reseal(t, fx.res.Envelope, tc.key, tc.mutate), opts)
			checkS1Verdict(t, tc.name, v, tc.want)
		})
	}

	// The n = 8 relabel with the key given as a bare file: the key's circuit
	// is not established, so the claim must not state the product.
	t.Run("same seed, n = 8, key as a file", func(t *testing.T) {
		env := reseal(t, fx.res.Envelope, fx.key, retask(bound("5e1a7e57-5500-4000-8000-0000000000ac", 8, 8)))
		v := verifier.Verify(env, verifier.Options{VK: fx.set.VK})
		checkS1Verdict(t, "n = 8, key as a file", v, s1Want{})
	})
}

// TestRedteamS1ReceiptKeys: v5 proofs and keys smuggled in as s1 and the
// reverse; the key given as a file; the strict policy.
func TestRedteamS1ReceiptKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	fx := newS1RT(t, "5e1a7e57-5600-4000-8000-000000000004", 0x58)
	v5res, err := prover.Run(context.Background(), prover.Options{Task: fx.task, NodeKey: fx.key, Cache: fx.cache, Mode: protocol.ModeGroth16})
	if err != nil {
		t.Fatal(err)
	}
	v5set, err := fx.cache.Load(keys.IDFor(protocol.BN254, protocol.Groth16, protocol.Freivalds, 4, 8))
	if err != nil {
		t.Fatal(err)
	}
	s1, v5 := protocol.SyntheticCircuitID, protocol.Freivalds.Name()
	cacheOpts := verifier.Options{Cache: fx.cache}
	strict := verifier.BuiltinPolicies["zk-strict-v1"]
	for _, tc := range []struct {
		name   string
		env    *receipt.Envelope
		mutate func(r *receipt.Receipt)
		opts   verifier.Options
		want   s1Want
	}{
		{"v5 proof labelled s1, s relisted", v5res.Envelope, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = s1, receipt.WorkloadDigest(s1, 4, 8)
			rebindS1(t, r)
		}, cacheOpts, rejectOn("proof.key_circuit", "proof.verify")},
		{"v5 proof labelled s1, key as a file", v5res.Envelope, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = s1, receipt.WorkloadDigest(s1, 4, 8)
			rebindS1(t, r)
		}, verifier.Options{VK: v5set.VK}, rejectOn("proof.verify")},
		{"v5 proof labelled s1 under the s1 key's fingerprint", v5res.Envelope, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = s1, receipt.WorkloadDigest(s1, 4, 8)
			r.Proof.KeyFingerprint = fx.res.Receipt.Proof.KeyFingerprint
			rebindS1(t, r)
		}, cacheOpts, rejectOn("proof.verify")},
		{"s1 proof labelled v5, v5 inputs listed", fx.res.Envelope, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = v5, receipt.WorkloadDigest(v5, 4, 8)
			r.Proof.PublicInputs = slices.Clone(v5res.Receipt.Proof.PublicInputs)
		}, cacheOpts, rejectOn("proof.key_circuit", "proof.verify")},
		{"s1 proof labelled v5, key as a file", fx.res.Envelope, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = v5, receipt.WorkloadDigest(v5, 4, 8)
			r.Proof.PublicInputs = slices.Clone(v5res.Receipt.Proof.PublicInputs)
		}, verifier.Options{VK: fx.set.VK}, rejectOn("proof.verify")},
		{"s1 proof labelled v5 under the v5 key's fingerprint", fx.res.Envelope, func(r *receipt.Receipt) {
			r.Proof.Circuit, r.WorkloadDigest = v5, receipt.WorkloadDigest(v5, 4, 8)
			r.Proof.KeyFingerprint, r.Proof.SetupProvenance = v5res.Receipt.Proof.KeyFingerprint, v5res.Receipt.Proof.SetupProvenance
			r.Proof.PublicInputs = slices.Clone(v5res.Receipt.Proof.PublicInputs)
		}, cacheOpts, rejectOn("proof.verify")},
		{"s1 honest, v5 key given as the file", fx.res.Envelope, func(r *receipt.Receipt) {}, verifier.Options{VK: v5set.VK}, holdNotPass},
		{"s1 honest, key as a file (not established): no product claim", fx.res.Envelope, func(r *receipt.Receipt) {}, verifier.Options{VK: fx.set.VK}, s1Want{status: verifier.Pass}},
		{"s1 honest, key as a file, strict policy", fx.res.Envelope, func(r *receipt.Receipt) {}, verifier.Options{VK: fx.set.VK, Policy: &strict}, holdNotPass},
		{"s1 honest, pinned to the v5 key only", fx.res.Envelope, func(r *receipt.Receipt) {}, verifier.Options{Cache: fx.cache, AcceptKeys: []string{v5res.Receipt.Proof.KeyFingerprint}}, rejectOn("proof.key_accepted")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(reseal(t, tc.env, fx.key, tc.mutate), tc.opts)
			checkS1Verdict(t, tc.name, v, tc.want)
		})
	}
}

// TestRedteamS1ReceiptChain: nothing on the chain path takes an s1 proof:
// calldata and zk_compute_proof export, ComputeResult (with and without a
// signed worker address, for a block), the registry's submission and the
// coordinator's Eligible. An s1 proof relabelled freivalds-v5 passes the
// chain's binding checks (which do not verify proofs), but the freivalds-v5
// key a registry verifier embeds rejects it, and so does Verify.
func TestRedteamS1ReceiptChain(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	fx := newS1RT(t, "5e1a7e57-5700-4000-8000-000000000004", 0x59)
	const evm = "0x00000000000000000000000000000000000000a1"
	signed := reseal(t, fx.res.Envelope, fx.key, func(r *receipt.Receipt) { r.Node.WorkerAddress = evm })
	poster := &onchain.Poster{Circuit: protocol.Freivalds.Name(), MaxReward: big.NewInt(1 << 62)}
	for _, env := range []struct {
		name string
		env  *receipt.Envelope
	}{{"honest", fx.res.Envelope}, {"worker address signed", signed}} {
		st, _, err := env.env.Statement()
		if err != nil {
			t.Fatal(err)
		}
		r := &st.Predicate
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"calldata", chain.CheckExportable(r, chain.ExportCalldata)},
			{"zk_compute_proof", chain.CheckExportable(r, chain.ExportComputeProof)},
			{"CheckReceipt", chain.CheckReceipt(r)},
			{"ComputeProofFromReceipt", func() error { _, err := chain.ComputeProofFromReceipt(r); return err }()},
			{"EncodeComputeProof", func() error { _, err := chain.EncodeComputeProof(r); return err }()},
			{"FromReceipt", func() error { _, err := chain.FromReceipt(env.env, ""); return err }()},
			{"FromReceipt with an address", func() error { _, err := chain.FromReceipt(env.env, evm); return err }()},
			{"FromReceiptForBlock", func() error { _, err := chain.FromReceiptForBlock(env.env, evm, [32]byte{1}); return err }()},
			{"registry.SubmitArgsFromReceipt", func() error { _, _, err := registry.SubmitArgsFromReceipt(env.env, [20]byte{0xa1}); return err }()},
			{"onchain Eligible", func() error { _, err := poster.Eligible(fx.task, env.env); return err }()},
		} {
			if tc.err == nil {
				t.Errorf("ATTACK WORKS: %s s1 receipt: %s accepts it", env.name, tc.name)
			}
		}
		if err := chain.CheckExportable(r, chain.ExportCalldata); !errors.Is(err, chain.ErrNotExportable) {
			t.Errorf("%s: calldata export: %v, want ErrNotExportable", env.name, err)
		}
	}

	// The s1 proof relabelled freivalds-v5 with v5-layout public inputs
	// bound to the task (input_commitment, output_digest, PoE).
	relabelled := reseal(t, signed, fx.key, func(r *receipt.Receipt) {
		v5 := protocol.Freivalds.Name()
		r.Proof.Circuit, r.WorkloadDigest = v5, receipt.WorkloadDigest(v5, 4, 8)
		ic, _ := receipt.DecodeHex32("input_commitment", r.InputCommitment)
		d, _ := receipt.DecodeHex32("output_digest", r.OutputDigest)
		poe, _ := receipt.DecodeHex32("poe", r.PoE)
		r.Proof.PublicInputs = protocol.PublicInputStrings(protocol.Public{InputCommitment: ic, OutputDigest: d, PoE: poe})
	})
	st, _, err := relabelled.Statement()
	if err != nil {
		t.Fatal(err)
	}
	rr := &st.Predicate
	exported := chain.CheckExportable(rr, chain.ExportComputeProof)
	t.Logf("s1 proof relabelled freivalds-v5: chain export check: %v (it does not verify proofs)", exported)
	v5set := v5Keys(t, fx.cache, protocol.Groth16, protocol.BN254)
	proof, err := proofsystem.ParseProof(rr.Proof.Bytes, protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	ic, _ := receipt.DecodeHex32("input_commitment", rr.InputCommitment)
	d, _ := receipt.DecodeHex32("output_digest", rr.OutputDigest)
	poe, _ := receipt.DecodeHex32("poe", rr.PoE)
	w, err := verifier.PublicWitness(protocol.BN254, protocol.Public{InputCommitment: ic, OutputDigest: d, PoE: poe})
	if err != nil {
		t.Fatal(err)
	}
	if err := v5set.VK.Verify(proof, w); err == nil {
		t.Error("ATTACK WORKS: the freivalds-v5 key accepts the s1 proof on the exported v5 public inputs")
	}
	checkS1Verdict(t, "s1 proof relabelled v5, cache", verifier.Verify(relabelled, verifier.Options{Cache: fx.cache}), rejectOn("proof.key_circuit", "proof.verify"))
	// the v5 key given as the file: it is not the key the receipt names (held)
	checkS1Verdict(t, "s1 proof relabelled v5, v5 key as a file", verifier.Verify(relabelled, verifier.Options{VK: v5set.VK}), holdNotPass)
	// and naming the v5 key too: the v5 key rejects the proof
	named := reseal(t, relabelled, fx.key, func(r *receipt.Receipt) {
		r.Proof.KeyFingerprint, r.Proof.SetupProvenance = "sha256:"+v5set.Meta.Fingerprint, v5set.Meta.Provenance
	})
	for _, o := range []verifier.Options{{Cache: fx.cache}, {VK: v5set.VK}} {
		checkS1Verdict(t, "s1 proof relabelled v5 naming the v5 key", verifier.Verify(named, o), rejectOn("proof.verify"))
	}

	// The second line of defence, the registry's own checks (_checkSubmit,
	// chain.Binding.Check): an s1 proof's public inputs (output digest, s,
	// PoE) are refused as a v5 layout — input[0] is not the task's input
	// commitment, and PoE ≠ SHA-256(request_id ‖ input[1] ‖ node_id) — so a
	// node submitting directly to a registry, past offChain, is refused too.
	b, err := chain.ReceiptBinding(fx.res.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	var pub [][32]byte
	for _, x := range fx.res.Receipt.Proof.PublicInputs {
		v, _ := new(big.Int).SetString(x, 10)
		var e [32]byte
		v.FillBytes(e[:])
		pub = append(pub, e)
	}
	if err := b.Check(pub); err == nil {
		t.Error("ATTACK WORKS: the registry's binding checks accept an s1 proof's public inputs")
	}
}

// TestRedteamS1ReceiptAuto: ModeAuto with AutoSynthetic takes freivalds-s2
// only for a receipt not headed for the chain; the receipt it makes passes
// Verify and is refused by every chain path, and the one made with a worker
// address is freivalds-v5.
func TestRedteamS1ReceiptAuto(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	cache := s1Cache(t)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x5a}, 32))
	task, err := protocol.NewSyntheticTask(protocol.BN254, "5e1a7e57-5a00-4000-8000-000000000004", [32]byte{0x5e, 0x5a}, 4, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	est := func(m protocol.Method) prover.Estimate {
		return prover.EstimateCost(m, 4, 8, cache.Has(keys.IDFor(protocol.BN254, protocol.Groth16, m, 4, 8)), prover.DefaultCoefficients)
	}
	v5, s1 := est(protocol.Freivalds), est(protocol.Synthetic)
	if s1.PeakMemory >= v5.PeakMemory {
		t.Skipf("s1 estimate %d ≥ v5's %d: no budget between them", s1.PeakMemory, v5.PeakMemory)
	}
	between := prover.Budget{Time: time.Hour, Memory: (s1.PeakMemory + v5.PeakMemory) / 2}
	const evm = "0x00000000000000000000000000000000000000a2"
	run := func(worker string) *prover.Result {
		res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, AutoSynthetic: true, Budget: between, WorkerAddress: worker})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	off := run("")
	if off.Receipt.Proof == nil || off.Receipt.Proof.Circuit != protocol.SyntheticCircuitID {
		t.Fatalf("auto without a worker address: %s receipt, proof %+v; want freivalds-s2", off.Receipt.Mode, off.Receipt.Proof)
	}
	if off.Receipt.Node.WorkerAddress != "" {
		t.Errorf("auto s1 receipt signs worker address %q", off.Receipt.Node.WorkerAddress)
	}
	if v := verifier.Verify(off.Envelope, verifier.Options{Cache: cache}); !claimsProduct(v) {
		t.Errorf("auto s1 receipt: %s (failed %v)", v.PolicyDecision.Status, v.Failed())
	}
	if _, err := chain.FromReceipt(off.Envelope, evm); err == nil {
		t.Error("ATTACK WORKS: chain.FromReceipt takes the auto s1 receipt with an address given")
	}
	if err := chain.CheckExportable(off.Receipt, chain.ExportComputeProof); !errors.Is(err, chain.ErrNotExportable) {
		t.Errorf("auto s1 receipt export: %v, want ErrNotExportable", err)
	}
	if _, err := (&onchain.Poster{Circuit: protocol.Freivalds.Name(), MaxReward: big.NewInt(1 << 62)}).Eligible(task, off.Envelope); err == nil {
		t.Error("ATTACK WORKS: Eligible takes the auto s1 receipt")
	}
	on := run(evm)
	if on.Receipt.Proof != nil && on.Receipt.Proof.Circuit == protocol.SyntheticCircuitID {
		t.Fatalf("ATTACK WORKS: auto with a worker address made a freivalds-s2 receipt")
	}
	t.Logf("auto with a worker address: mode %s", on.Receipt.Mode)
}

// TestRedteamS1ReceiptHostile: crafted s1 receipts meant to crash or stall
// the verifier: n at MaxN and above with the n = 4 proof, long public-input
// lists, hostile commitment counts. Each must be refused (the time each
// took is logged; a hang is go test's timeout).
func TestRedteamS1ReceiptHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs; n = 1024 regeneration")
	}
	fx := newS1RT(t, "5e1a7e57-5b00-4000-8000-000000000004", 0x5b)
	opts := verifier.Options{Cache: fx.cache}
	v1At := func(id string, n int) workload.ComputeTask {
		task, err := workload.NewSyntheticTask(id, [32]byte{0x5e, 0x5b}, n, 8, "1000", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	retask := func(task workload.ComputeTask) func(r *receipt.Receipt) {
		return func(r *receipt.Receipt) {
			r.Task = task
			r.WorkloadDigest = receipt.WorkloadDigest(r.Proof.Circuit, task.Payload.MatrixSize, task.Payload.FracBits)
			rebindS1(t, r)
		}
	}
	many := make([]string, 100000)
	for i := range many {
		many[i] = "1"
	}
	for _, tc := range []struct {
		name   string
		mutate func(r *receipt.Receipt)
		want   s1Want
	}{
		{"n = MaxN with the n = 4 proof", retask(v1At("5e1a7e57-5b00-4000-8000-0000000000a1", protocol.MaxN)), rejectOn("proof.key_circuit", "proof.verify")},
		{"n = MaxN + 1", retask(v1At("5e1a7e57-5b00-4000-8000-0000000000a2", protocol.MaxN+1)), rejectOn("task.payload.matrix_size")},
		{"n = workload.MaxMatrixSize", retask(v1At("5e1a7e57-5b00-4000-8000-0000000000a3", workload.MaxMatrixSize)), rejectOn("task.payload.matrix_size")},
		{"100000 public inputs", func(r *receipt.Receipt) { r.Proof.PublicInputs = many }, rejectOn("proof.public_inputs")},
		{"a 60 kB public input", func(r *receipt.Receipt) { r.Proof.PublicInputs[1] = strings.Repeat("9", 60000) }, rejectOn("proof.public_inputs")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := reseal(t, fx.res.Envelope, fx.key, tc.mutate)
			start := time.Now()
			v := verifier.Verify(env, opts)
			took := time.Since(start)
			t.Logf("%s: %s in %s", tc.name, v.PolicyDecision.Status, took.Round(time.Millisecond))
			checkS1Verdict(t, tc.name, v, tc.want)
		})
	}
}
