package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// Red team of verifier.VerifySynthetic with real BN254 Groth16 proofs at
// n = 4 (keys through ZKPOC_TEST_KEYS): a malicious node edits the proof's
// points and framing, replays the proof for tasks that share its matrices,
// and proves with the freivalds-s2 key of another f. Each case fails if the
// attack works, except where the case says the acceptance is the
// documented trust boundary.

// encodeBN254 is gnark's compressed encoding of p.
func encodeBN254(t *testing.T, p *groth16bn254.Proof) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// editProof decodes proof, applies edit to a copy and re-encodes it.
func editProof(t *testing.T, proof []byte, edit func(p *groth16bn254.Proof)) []byte {
	t.Helper()
	p := *decodeBN254(t, proof)
	p.Commitments = append([]bn254.G1Affine(nil), p.Commitments...)
	edit(&p)
	return encodeBN254(t, &p)
}

// notOnCurveG1 is a compressed G1 encoding whose x has no y on the curve.
func notOnCurveG1(t *testing.T) []byte {
	t.Helper()
	for x := 1; x < 1000; x++ {
		b := make([]byte, 32)
		binary.BigEndian.PutUint64(b[24:], uint64(x))
		b[0] |= 0x80 // compressed, smallest y
		var q bn254.G1Affine
		if _, err := q.SetBytes(b); err != nil {
			return b
		}
	}
	t.Fatal("no x below 1000 without a curve point")
	return nil
}

// commitmentAt is the byte offset of the commitment points in gnark's
// compressed BN254 Groth16 proof: Ar (32), Bs (64), Krs (32), count (4).
const commitmentAt = 32 + 64 + 32 + 4

func TestRedteamS1ProofEdits(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 proofs")
	}
	fx := newS1Fixture(t, s1Cache(t), 4)
	honest := decodeBN254(t, fx.bytes)
	var gen bn254.G1Affine
	gen.ScalarMultiplicationBase(big.NewInt(1))

	withCount := func(c uint32, extra int) []byte {
		b := append([]byte(nil), fx.bytes[:commitmentAt-4]...)
		b = binary.BigEndian.AppendUint32(b, c)
		for i := 0; i < extra; i++ {
			b = append(b, fx.bytes[commitmentAt:commitmentAt+32]...)
		}
		return append(b, fx.bytes[len(fx.bytes)-32:]...) // the PoK
	}
	rawEnc := func() []byte {
		var buf bytes.Buffer
		if _, err := honest.WriteRawTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	offCurve := append([]byte(nil), fx.bytes...)
	copy(offCurve[commitmentAt:], notOnCurveG1(t))
	otherNode := fx.claim()
	otherNode.NodeKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)
	otherNode.PoE = protocol.PoE(fx.honest.Public.RequestID, otherNode.OutputDigest, protocol.NodeID(otherNode.NodeKey))
	malleated := editProof(t, fx.bytes, func(p *groth16bn254.Proof) { p.Ar.Neg(&p.Ar); p.Bs.Neg(&p.Bs) })

	for _, tc := range []struct {
		name  string
		proof []byte
		claim verifier.SyntheticClaim
		want  error // nil: verifies
	}{
		{"honest (control)", fx.bytes, fx.claim(), nil},
		{"π.D negated", editProof(t, fx.bytes, func(p *groth16bn254.Proof) { p.Commitments[0].Neg(&p.Commitments[0]) }), fx.claim(), verifier.ErrSyntheticRejected},
		{"π.D and its PoK negated", editProof(t, fx.bytes, func(p *groth16bn254.Proof) {
			p.Commitments[0].Neg(&p.Commitments[0])
			p.CommitmentPok.Neg(&p.CommitmentPok)
		}), fx.claim(), verifier.ErrSyntheticRejected},
		{"π.D = identity, PoK = identity (the PoK check alone passes)", editProof(t, fx.bytes, func(p *groth16bn254.Proof) {
			p.Commitments[0] = bn254.G1Affine{}
			p.CommitmentPok = bn254.G1Affine{}
		}), fx.claim(), verifier.ErrSyntheticRejected},
		{"π.D = identity, PoK kept", editProof(t, fx.bytes, func(p *groth16bn254.Proof) { p.Commitments[0] = bn254.G1Affine{} }), fx.claim(), verifier.ErrSyntheticRejected},
		{"π.D = generator, PoK = identity", editProof(t, fx.bytes, func(p *groth16bn254.Proof) {
			p.Commitments[0] = gen
			p.CommitmentPok = bn254.G1Affine{}
		}), fx.claim(), verifier.ErrSyntheticRejected},
		{"π.D = π.D + generator", editProof(t, fx.bytes, func(p *groth16bn254.Proof) { p.Commitments[0].Add(&p.Commitments[0], &gen) }), fx.claim(), verifier.ErrSyntheticRejected},
		{"π.D's x not on the curve", offCurve, fx.claim(), verifier.ErrSyntheticProof},
		{"uncompressed encoding", rawEnc, fx.claim(), verifier.ErrSyntheticProof},
		{"zero commitments", withCount(0, 0), fx.claim(), verifier.ErrSyntheticProof},
		{"two commitments (π.D twice)", withCount(2, 2), fx.claim(), verifier.ErrSyntheticProof},
		{"count 2, one point", withCount(2, 1), fx.claim(), verifier.ErrSyntheticProof},
		{"count 9 (past the framing bound)", withCount(9, 9), fx.claim(), verifier.ErrSyntheticProof},
		{"count 2^32 − 1", withCount(^uint32(0), 1), fx.claim(), verifier.ErrSyntheticProof},
		{"1 MiB of trailing bytes", append(append([]byte(nil), fx.bytes...), make([]byte, 1<<20)...), fx.claim(), verifier.ErrSyntheticProof},
		{"Krs = identity", editProof(t, fx.bytes, func(p *groth16bn254.Proof) { p.Krs = bn254.G1Affine{} }), fx.claim(), verifier.ErrSyntheticRejected},
		// Groth16 is malleable: (−Ar, −Bs) keeps e(Ar, Bs). The edited
		// bytes prove the SAME statement (same C', digest, node) — not a
		// forgery, but proof bytes are not unique: nothing may key on them.
		{"(−Ar, −Bs): malleated bytes, same claim (accepted: same statement)", malleated, fx.claim(), nil},
		{"(−Ar, −Bs) for another node", malleated, otherNode, verifier.ErrSyntheticRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := verifier.VerifySynthetic(fx.task, tc.proof, fx.vk, tc.claim)
			wantVerdict(t, err, tc.want)
		})
	}
}

// TestRedteamS1SharedMatrices: tasks that regenerate the SAME A and B as
// the proved one (same seed and n: another task_id, another f, another
// reward) have the same s at every r, so only request_id — committed, and
// bound to the public PoE — separates them. The honest proof replayed for
// each, with that task's PoE for this node and digest, is rejected.
func TestRedteamS1SharedMatrices(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 proofs")
	}
	fx := newS1Fixture(t, s1Cache(t), 4)
	seed := [32]byte{4, 1} // s1Task's seed for n = 4
	mk := func(id string, f int, reward string) workload.ComputeTask {
		task, err := workload.NewSyntheticTask(id, seed, 4, f, reward, 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		a, b, err := protocol.Matrices(task, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slicesEqual(a, fx.a) || !slicesEqual(b, fx.b) {
			t.Fatal("the replay task does not share the matrices (test broken)")
		}
		return task
	}
	for _, tc := range []struct {
		name string
		task workload.ComputeTask
	}{
		{"another task_id", mk("5e1a7e57-0000-4000-8000-0000deadbeef", 8, "1000")},
		{"another f", mk(fx.task.TaskID, 0, "1000")},
		{"another reward", mk(fx.task.TaskID, 8, "1001")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := tc.task.RequestID()
			if err != nil {
				t.Fatal(err)
			}
			if req == fx.honest.Public.RequestID {
				t.Fatal("same request_id (test broken)")
			}
			claim := fx.claim()
			claim.PoE = protocol.PoE(req, claim.OutputDigest, protocol.NodeID(claim.NodeKey))
			if err := verifier.VerifySynthetic(tc.task, fx.bytes, fx.vk, claim); !errors.Is(err, verifier.ErrSyntheticRejected) {
				t.Fatalf("replay: got %v, want %v", err, verifier.ErrSyntheticRejected)
			}
		})
	}
}

func slicesEqual(a, b []int16) bool { return bytes.Equal(int16Bytes(a), int16Bytes(b)) }

func int16Bytes(xs []int16) []byte {
	out := make([]byte, 0, 2*len(xs))
	for _, x := range xs {
		out = binary.BigEndian.AppendUint16(out, uint16(x))
	}
	return out
}

// TestRedteamS1KeyOfAnotherF is the trust boundary VerifySynthetic's doc
// names ("the shape checks here do not tell a key for another (n, f)"),
// made concrete: s = uᵀ·A·B·v does not depend on f, so a node that proves
// with the freivalds-s2 key for (n, f' ≠ f) — here f' = 0, C₀ = A·B
// unscaled, for the f = 8 task's request_id — gets nil from
// VerifySynthetic for a digest that is not the digest of floor(A·B/2^8).
// (Another n fails by itself: u_i = r^(n·i) moves with n; TestVerifySynthetic
// has that case.) The test asserts the acceptance, so that a fix that binds
// f into the statement or into VerifySynthetic must revisit it; until then
// every caller must choose vk by keys.SyntheticIDFor(task n, task f) from a
// trusted source (its fingerprint), never from the node's word.
func TestRedteamS1KeyOfAnotherF(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup and proofs")
	}
	const n, f0 = 4, 0
	cache := s1Cache(t)
	fx := newS1Fixture(t, cache, n)
	set, _, err := setup.LoadOrSetup(cache, keys.SyntheticIDFor(n, f0), prover.CompileSynthetic(n, f0), nil)
	if err != nil {
		t.Fatal(err)
	}
	c0, err := native.Executors()[0].Multiply(fx.a, fx.b, n, f0)
	if err != nil {
		t.Fatal(err)
	}
	pub := fx.honest.Public // this task's request_id and this node
	if pub.OutputDigest, err = protocol.OutputDigestOn(protocol.BN254, c0, n, f0); err != nil {
		t.Fatal(err)
	}
	pub.PoE = protocol.PoE(pub.RequestID, pub.OutputDigest, pub.NodeID)
	p, _ := proveS1At(t, set, fx.a, fx.b, c0, pub, f0)
	proof := encodeBN254(t, p)
	claim := verifier.SyntheticClaim{OutputDigest: pub.OutputDigest, PoE: pub.PoE, NodeKey: fx.claim().NodeKey}
	if claim.OutputDigest == fx.honest.Public.OutputDigest {
		t.Fatal("f = 0 digest equals the f = 8 one (test broken)")
	}
	// with the task's own key: rejected
	if err := verifier.VerifySynthetic(fx.task, proof, fx.vk, claim); !errors.Is(err, verifier.ErrSyntheticRejected) {
		t.Errorf("f = 0 proof under the task's f = 8 key: got %v, want %v", err, verifier.ErrSyntheticRejected)
	}
	// with the f = 0 key: accepted — the documented trust in vk's identity
	err = verifier.VerifySynthetic(fx.task, proof, set.VK, claim)
	if err != nil {
		t.Fatalf("expected the documented gap (another f's key is accepted); got %v — if VerifySynthetic now binds f, turn this case into a rejection", err)
	}
	t.Logf("VerifySynthetic(task n=4 f=8, key %s) = nil for digest %x of A·B unscaled: the caller must pin the key", keys.SyntheticIDFor(n, f0), claim.OutputDigest[:8])
}

// TestRedteamS1HostileInputs: tasks and keys a hostile caller or node can
// hand VerifySynthetic — out-of-range n and f, n past the circuit limit,
// n = MaxN with a proof of n = 4 (the verifier regenerates 2·1024² entries
// and rejects), Bs replaced by a G2 point outside the subgroup, keys of
// the wrong system or shape — each yields the named error, never a panic.
func TestRedteamS1HostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 proofs")
	}
	cache := s1Cache(t)
	fx := newS1Fixture(t, cache, 4)
	task := func(n, f int) workload.ComputeTask {
		tk := fx.task
		tk.Payload.MatrixSize, tk.Payload.FracBits = n, f
		return tk
	}
	var x bn254.E2
	x.A0.SetUint64(7)
	x.A1.SetUint64(3)
	notG2Jac := bn254.GeneratePointNotInG2(x)
	var notG2 bn254.G2Affine
	notG2.FromJacobian(&notG2Jac)
	if notG2.IsInSubGroup() || !notG2.IsOnCurve() {
		t.Fatal("the point is not on the curve outside the subgroup (test broken)")
	}
	// the claim with the task's own PoE, so that the checks past the claim run
	claimFor := func(tk workload.ComputeTask) verifier.SyntheticClaim {
		c := fx.claim()
		if req, err := tk.RequestID(); err == nil {
			c.PoE = protocol.PoE(req, c.OutputDigest, protocol.NodeID(c.NodeKey))
		}
		return c
	}
	badBs := editProof(t, fx.bytes, func(p *groth16bn254.Proof) { p.Bs = notG2 })
	v5 := v5Keys(t, cache, protocol.Groth16, protocol.BN254)
	v5plonk := v5Keys(t, cache, protocol.Plonk, protocol.BN254)
	for _, tc := range []struct {
		name  string
		task  workload.ComputeTask
		proof []byte
		vk    proofsystem.VerifyingKey
		want  error
	}{
		{"n = 0", task(0, 8), fx.bytes, fx.vk, verifier.ErrSyntheticTask},
		{"n = MaxN + 1", task(protocol.MaxN+1, 8), fx.bytes, fx.vk, verifier.ErrSyntheticTask},
		{"n = MaxMatrixSize + 1", task(workload.MaxMatrixSize+1, 8), fx.bytes, fx.vk, verifier.ErrSyntheticTask},
		{"n = MaxN, the n = 4 proof", task(protocol.MaxN, 8), fx.bytes, fx.vk, verifier.ErrSyntheticRejected},
		{"f = −1", task(4, -1), fx.bytes, fx.vk, verifier.ErrSyntheticTask},
		{"f = MaxFracBits + 1", task(4, workload.MaxFracBits+1), fx.bytes, fx.vk, verifier.ErrSyntheticTask},
		{"f = 16 (another task, its PoE)", task(4, 16), fx.bytes, fx.vk, verifier.ErrSyntheticRejected},
		{"Bs outside G2's subgroup", fx.task, badBs, fx.vk, verifier.ErrSyntheticProof},
		{"freivalds-v5 PLONK key", fx.task, fx.bytes, v5plonk.VK, verifier.ErrSyntheticKey},
		{"freivalds-v5 Groth16 key (same shape: 4 public, one commitment)", fx.task, fx.bytes, v5.VK, verifier.ErrSyntheticRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return verifier.VerifySynthetic(tc.task, tc.proof, tc.vk, claimFor(tc.task))
			}()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want an error wrapping %q", err, tc.want)
			}
		})
	}
}

// TestRedteamS1OddN: real Groth16 at n = 1 (u = v = (1): the identity is
// 2^f·C' + R = a·b exactly, whatever r is) and n = 3 (not a power of two):
// the honest proof verifies, a wrong C' proved with the prover's own s is
// rejected, the n = 3 proof is rejected under the n = 1 key and vice versa.
func TestRedteamS1OddN(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setups and proofs")
	}
	cache := s1Cache(t)
	fxs := map[int]*s1Fixture{}
	for _, n := range []int{1, 3} {
		fxs[n] = newS1Fixture(t, cache, n)
	}
	for _, n := range []int{1, 3} {
		fx, other := fxs[n], fxs[4-n]
		forged, forgedClaim, _ := fx.forge(t)
		for _, tc := range []struct {
			name  string
			proof []byte
			vk    proofsystem.VerifyingKey
			claim verifier.SyntheticClaim
			want  error
		}{
			{"honest", fx.bytes, fx.vk, fx.claim(), nil},
			{"wrong C' with the prover's s", forged, fx.vk, forgedClaim, verifier.ErrSyntheticRejected},
			{"the other n's key", fx.bytes, other.vk, fx.claim(), verifier.ErrSyntheticRejected},
		} {
			t.Run(fmt.Sprintf("n=%d/%s", n, tc.name), func(t *testing.T) {
				err := verifier.VerifySynthetic(fx.task, tc.proof, tc.vk, tc.claim)
				wantVerdict(t, err, tc.want)
			})
		}
	}
}

// wantVerdict fails t unless err is nil for want nil, or wraps want.
func wantVerdict(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("rejected: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("got %v, want an error wrapping %q", err, want)
	}
}
