package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// s1Fixture is one synthetic task at one n with its honest freivalds-s2
// proof and keys.
type s1Fixture struct {
	n      int
	task   workload.ComputeTask
	a, b   []int16
	key    ed25519.PrivateKey
	honest *prover.SyntheticProof
	bytes  []byte
	set    *keys.Set
	vk     proofsystem.VerifyingKey
}

func s1Cache(t *testing.T) keys.Cache {
	t.Helper()
	if dir := os.Getenv("ZKPOC_TEST_KEYS"); dir != "" {
		return keys.Cache{Dir: dir}
	}
	return keys.Cache{Dir: t.TempDir()}
}

// v5Keys loads or sets up the freivalds-v5 keys at n = 4, f = 8 for the
// system and curve, the id and the compiled circuit drawn from the same
// parameters.
func v5Keys(t *testing.T, cache keys.Cache, system protocol.System, curve protocol.Curve) *keys.Set {
	t.Helper()
	id := keys.IDFor(curve, system, protocol.Freivalds, 4, 8)
	set, _, err := setup.LoadOrSetup(cache, id, prover.CompileFor(system, curve, protocol.Freivalds, 4, 8), nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func s1Task(t *testing.T, n int, seedByte byte) (workload.ComputeTask, []int16, []int16) {
	t.Helper()
	task, err := workload.NewSyntheticTask(fmt.Sprintf("5e1a7e57-0000-4000-8000-%012x", n<<8|int(seedByte)), [32]byte{seedByte, 1}, n, 8, "1000", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := protocol.Matrices(task, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return task, a, b
}

func newS1Fixture(t *testing.T, cache keys.Cache, n int) *s1Fixture {
	t.Helper()
	task, a, b := s1Task(t, n, byte(n))
	fx := &s1Fixture{n: n, task: task, a: a, b: b, key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))}
	c := s1Product(t, a, b, n)
	var err error
	if fx.honest, err = prover.ProveSynthetic(task, fx.key, cache, c, nil); err != nil {
		t.Fatalf("n=%d: honest proof: %v", n, err)
	}
	fx.bytes = proofBytes(t, fx.honest.Proof)
	if fx.set, err = cache.Load(keys.SyntheticIDFor(n, 8)); err != nil {
		t.Fatal(err)
	}
	fx.vk = fx.set.VK
	return fx
}

func s1Product(t *testing.T, a, b []int16, n int) []int64 {
	t.Helper()
	c, err := native.Executors()[0].Multiply(a, b, n, 8)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func proofBytes(t *testing.T, p proofsystem.Proof) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (fx *s1Fixture) claim() verifier.SyntheticClaim {
	return verifier.SyntheticClaim{OutputDigest: fx.honest.Public.OutputDigest, PoE: fx.honest.Public.PoE, NodeKey: fx.key.Public().(ed25519.PublicKey)}
}

// forge proves, with the fixture's keys and gnark directly, the
// freivalds-s2 witness for C' = floor(A'·B/2^f), A' the task's A with
// A'[0] changed: a valid witness of the circuit (which does not know A or
// B) whose s is the prover's own uᵀ·A'·B·v, not the verifier's. It returns
// the proof, its claim and the prover's s.
func (fx *s1Fixture) forge(t *testing.T) ([]byte, verifier.SyntheticClaim, *big.Int) {
	t.Helper()
	n := fx.n
	a2 := append([]int16(nil), fx.a...)
	a2[0] ^= 0x55
	c2 := s1Product(t, a2, fx.b, n)
	pub, err := prover.SyntheticPublic(fx.task, fx.key.Public().(ed25519.PublicKey), c2)
	if err != nil {
		t.Fatal(err)
	}
	// the pre-solve's placeholder s is s at r = 0 (at n = 1 it is checked, see ProveSynthetic)
	s0, err := protocol.SyntheticCheck(protocol.BN254, big.NewInt(0), a2, fx.b, n)
	if err != nil {
		t.Fatal(err)
	}
	assignment, err := circuits.AssignSynthetic(n, 8, a2, fx.b, c2, pub, s0)
	if err != nil {
		t.Fatal(err)
	}
	pk := fx.set.PK.(groth16.ProvingKey)
	mask, err := circuits.NewSyntheticMask()
	if err != nil {
		t.Fatal(err)
	}
	r, err := circuits.SyntheticChallengeGroth16(fx.set.CCS, pk, assignment, mask)
	if err != nil {
		t.Fatal(err)
	}
	if assignment.S, err = protocol.SyntheticCheck(protocol.BN254, r, a2, fx.b, n); err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(assignment, protocol.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	p, err := groth16.Prove(fx.set.CCS, pk, w, mask.ProverOptions()...)
	if err != nil {
		t.Fatalf("the forged witness should be provable (the circuit does not know A, B): %v", err)
	}
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	claim := verifier.SyntheticClaim{OutputDigest: pub.OutputDigest, PoE: pub.PoE, NodeKey: fx.key.Public().(ed25519.PublicKey)}
	// the forgery is real: gnark accepts it against the prover's own s
	pw, err := witness.New(protocol.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	in := protocol.SyntheticPublicInputs(pub, assignment.S.(*big.Int))
	values := make(chan any, len(in))
	for _, x := range in {
		values <- x
	}
	close(values)
	if err := pw.Fill(len(in), 0, values); err != nil {
		t.Fatal(err)
	}
	if err := groth16.Verify(p, fx.set.VK.Gnark().(groth16.VerifyingKey), pw); err != nil {
		t.Fatalf("the forged proof should verify against the prover's s (else the test shows nothing): %v", err)
	}
	return buf.Bytes(), claim, assignment.S.(*big.Int)
}

// withCommitment is the proof encoded with its commitment point replaced
// by from's, and with it from's proof of knowledge of it if pok.
func withCommitment(t *testing.T, proof []byte, from []byte, pok bool) []byte {
	t.Helper()
	p := decodeBN254(t, proof)
	q := decodeBN254(t, from)
	p.Commitments = append(p.Commitments[:0:0], q.Commitments...)
	if pok {
		p.CommitmentPok = q.CommitmentPok
	}
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeBN254(t *testing.T, data []byte) *groth16bn254.Proof {
	t.Helper()
	p, err := proofsystem.ParseProof(data, protocol.Groth16, protocol.BN254)
	if err != nil {
		t.Fatal(err)
	}
	return p.Gnark().(*groth16bn254.Proof)
}

// TestVerifySynthetic runs the freivalds-s2 wiring end to end at n = 4 and
// 8 (real BN254 Groth16, dev keys through the key cache): the honest proof
// of prover.ProveSynthetic verifies under verifier.VerifySynthetic, and each
// way a proof, key or claim can be wrong is rejected with the error naming
// it: a wrong C' proved with the prover's own s (accepted by gnark against
// that s, rejected here where s is the verifier's); the proof for another
// task's matrices (with that task's PoE, and with its own); truncated and
// garbage bytes; the commitment point swapped for another proof's, alone
// (gnark's proof of knowledge fails) and with its proof of knowledge (r
// moves, the pairing fails), from the forgery and from another honest
// proof of the same task; a supplied task; freivalds-v5's
// key and the freivalds-s2 key of the other n; another node, another
// digest, a non-canonical digest; no key.
func TestVerifySynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setups and proofs")
	}
	cache := s1Cache(t)
	v5 := v5Keys(t, cache, protocol.Groth16, protocol.BN254)
	fixtures := map[int]*s1Fixture{}
	for _, n := range []int{4, 8} {
		fixtures[n] = newS1Fixture(t, cache, n)
	}
	for _, n := range []int{4, 8} {
		fx, otherN := fixtures[n], fixtures[12-n]
		forged, forgedClaim, _ := fx.forge(t)
		again, err := prover.ProveSynthetic(fx.task, fx.key, cache, s1Product(t, fx.a, fx.b, n), nil)
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := s1Task(t, n, byte(n)+100)
		otherReq, err := other.RequestID()
		if err != nil {
			t.Fatal(err)
		}
		otherClaim := fx.claim()
		otherClaim.PoE = protocol.PoE(otherReq, otherClaim.OutputDigest, protocol.NodeID(otherClaim.NodeKey))
		otherNode := fx.claim()
		otherNode.NodeKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, 32)).Public().(ed25519.PublicKey)
		otherNode.PoE = protocol.PoE(fx.honest.Public.RequestID, otherNode.OutputDigest, protocol.NodeID(otherNode.NodeKey))
		otherDigest := fx.claim()
		otherDigest.OutputDigest = forgedClaim.OutputDigest
		nonCanonical := fx.claim()
		for i := range nonCanonical.OutputDigest {
			nonCanonical.OutputDigest[i] = 0xff
		}
		supplied, err := workload.NewSuppliedTask("5e1a7e57-0000-4000-8000-ffffffffffff", [32]byte{1}, n, 8, "1000", 1795000000)
		if err != nil {
			t.Fatal(err)
		}
		garbage := bytes.Repeat([]byte{0xa5}, len(fx.bytes))

		for _, tc := range []struct {
			name  string
			task  workload.ComputeTask
			proof []byte
			vk    proofsystem.VerifyingKey
			claim verifier.SyntheticClaim
			want  error // nil: verifies
		}{
			{"honest", fx.task, fx.bytes, fx.vk, fx.claim(), nil},
			{"honest again (another mask)", fx.task, proofBytes(t, again.Proof), fx.vk, fx.claim(), nil},
			{"wrong C' with the prover's s", fx.task, forged, fx.vk, forgedClaim, verifier.ErrSyntheticRejected},
			{"another task's matrices, its PoE", other, fx.bytes, fx.vk, otherClaim, verifier.ErrSyntheticRejected},
			{"another task, this task's PoE", other, fx.bytes, fx.vk, fx.claim(), verifier.ErrSyntheticClaim},
			{"truncated by one byte", fx.task, fx.bytes[:len(fx.bytes)-1], fx.vk, fx.claim(), verifier.ErrSyntheticProof},
			{"truncated to half", fx.task, fx.bytes[:len(fx.bytes)/2], fx.vk, fx.claim(), verifier.ErrSyntheticProof},
			{"empty", fx.task, nil, fx.vk, fx.claim(), verifier.ErrSyntheticProof},
			{"garbage", fx.task, garbage, fx.vk, fx.claim(), verifier.ErrSyntheticProof},
			{"one byte appended", fx.task, append(append([]byte(nil), fx.bytes...), 0), fx.vk, fx.claim(), verifier.ErrSyntheticProof},
			{"commitment of the forgery", fx.task, withCommitment(t, fx.bytes, forged, false), fx.vk, fx.claim(), verifier.ErrSyntheticRejected},
			{"commitment and its PoK of the forgery", fx.task, withCommitment(t, fx.bytes, forged, true), fx.vk, fx.claim(), verifier.ErrSyntheticRejected},
			{"commitment of another honest proof", fx.task, withCommitment(t, fx.bytes, proofBytes(t, again.Proof), false), fx.vk, fx.claim(), verifier.ErrSyntheticRejected},
			{"commitment and its PoK of another honest proof", fx.task, withCommitment(t, fx.bytes, proofBytes(t, again.Proof), true), fx.vk, fx.claim(), verifier.ErrSyntheticRejected},
			{"freivalds-v5 key", fx.task, fx.bytes, v5.VK, fx.claim(), verifier.ErrSyntheticRejected},
			{"freivalds-s2 key of the other n", fx.task, fx.bytes, otherN.vk, fx.claim(), verifier.ErrSyntheticRejected},
			{"a supplied task", supplied, fx.bytes, fx.vk, fx.claim(), verifier.ErrSyntheticTask},
			{"no key", fx.task, fx.bytes, nil, fx.claim(), verifier.ErrSyntheticKey},
			{"another node", fx.task, fx.bytes, fx.vk, otherNode, verifier.ErrSyntheticRejected},
			{"another digest, the honest PoE", fx.task, fx.bytes, fx.vk, otherDigest, verifier.ErrSyntheticClaim},
			{"non-canonical digest", fx.task, fx.bytes, fx.vk, nonCanonical, verifier.ErrSyntheticClaim},
			{"truncated node key", fx.task, fx.bytes, fx.vk, verifier.SyntheticClaim{OutputDigest: fx.claim().OutputDigest, PoE: fx.claim().PoE, NodeKey: fx.claim().NodeKey[:31]}, verifier.ErrSyntheticClaim},
		} {
			t.Run(fmt.Sprintf("n=%d/%s", n, tc.name), func(t *testing.T) {
				err := verifier.VerifySynthetic(tc.task, tc.proof, tc.vk, tc.claim)
				switch {
				case tc.want == nil && err != nil:
					t.Fatalf("rejected: %v", err)
				case tc.want != nil && !errors.Is(err, tc.want):
					t.Fatalf("got %v, want an error wrapping %q", err, tc.want)
				}
			})
		}
	}
}
