package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/internal/testfixture"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// plusModulus returns the 32-byte hex of x + r (x as 32-byte hex), a
// non-canonical encoding of the same field element when it fits.
func plusModulus(t *testing.T, curve protocol.Curve, h string) string {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	x := new(big.Int).Add(new(big.Int).SetBytes(b), curve.ScalarField())
	if x.BitLen() > 256 {
		t.Fatalf("x + r does not fit 32 bytes")
	}
	var out [32]byte
	x.FillBytes(out[:])
	return hex.EncodeToString(out[:])
}

// repoe recomputes the PoE over whatever output_digest bytes the receipt
// now states, and the receipt_id: a node's consistent re-signing.
func repoe(t *testing.T, r *receipt.Receipt) {
	t.Helper()
	req, _ := receipt.DecodeHex32("request_id", r.RequestID)
	od, err := receipt.DecodeHex32("output_digest", r.OutputDigest)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := hex.DecodeString(r.Node.PublicKey)
	poe := protocol.PoE(req, od, protocol.NodeID(ed25519.PublicKey(pub)))
	r.PoE = hex.EncodeToString(poe[:])
	var e error
	if r.ReceiptID, e = r.ComputeID(); e != nil {
		t.Fatal(e)
	}
}

// TestRedteamGroth16Relabels: a node holding one valid BN254 Groth16 proof
// for n = 4, f = 8 tries to make it say something else, re-signing a
// consistent receipt each time. Every attempt is refused naming the check.
func TestRedteamGroth16Relabels(t *testing.T) {
	f := getFixture(t)
	re := func(mutate func(st *receipt.Statement)) *receipt.Envelope { return resign(t, f.env, f.key, mutate) }
	pred := func(fn func(r *receipt.Receipt)) func(st *receipt.Statement) {
		return func(st *receipt.Statement) { fn(&st.Predicate); repoe(t, &st.Predicate) }
	}
	// a task for the same seed at another size or f, bound on BN254, every
	// derived field recomputed: the receipt is consistent but the proof is for n = 4, f = 8
	resized := func(n, fb int) func(st *receipt.Statement) {
		return func(st *receipt.Statement) {
			r := &st.Predicate
			seed, _ := r.Task.SeedBytes()
			task, err := protocol.NewSyntheticTask(protocol.BN254, r.Task.TaskID, seed, n, fb, r.Task.Reward, r.Task.Deadline)
			if err != nil {
				t.Fatal(err)
			}
			r.Task = task
			rid, _ := task.RequestID()
			r.RequestID = hex.EncodeToString(rid[:])
			a, b, _ := protocol.Inputs(task, nil, nil)
			ic, _ := protocol.InputCommitment(a, b, n, fb)
			r.InputCommitment = hex.EncodeToString(ic[:])
			st.Subject[0].Digest = map[string]string{receipt.DigestAlgorithm: r.InputCommitment}
			r.WorkloadDigest = receipt.WorkloadDigest(r.Proof.Circuit, n, fb)
			repoe(t, r)
			pub := protocol.PublicInputStrings(protocol.Public{InputCommitment: ic, OutputDigest: [32]byte(mustHex(t, r.OutputDigest)), PoE: [32]byte(mustHex(t, r.PoE))})
			r.Proof.PublicInputs = pub
			repoe(t, r)
		}
	}
	// Another node M takes B's proof and makes it its own: its key, its PoE,
	// the public inputs listed to match, signed by M.
	thief := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x51}, 32))
	stolen := resign(t, f.env, thief, func(st *receipt.Statement) {
		r := &st.Predicate
		rebind(t, st, thief, r.OutputDigest)
		ic, od, poe := [32]byte(mustHex(t, r.InputCommitment)), [32]byte(mustHex(t, r.OutputDigest)), [32]byte(mustHex(t, r.PoE))
		r.Proof.PublicInputs = protocol.PublicInputStrings(protocol.Public{InputCommitment: ic, OutputDigest: od, PoE: poe})
		repoe(t, r)
	})
	if v := verifier.Verify(stolen, verifier.Options{Cache: f.cache, Policy: policy(t, "binding-v1")}); v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "proof.verify") {
		t.Errorf("a proof stolen by another node: status %s, failed %v; want reject naming proof.verify", v.PolicyDecision.Status, v.Failed())
	}
	for _, tc := range []struct {
		name   string
		mutate func(st *receipt.Statement)
		want   string
	}{
		{"output_digest + p (same field element), PoE over those bytes", pred(func(r *receipt.Receipt) {
			r.OutputDigest = plusModulus(t, protocol.BN254, r.OutputDigest)
		}), "output_digest"},
		{"input_commitment + p", pred(func(r *receipt.Receipt) {
			r.InputCommitment = plusModulus(t, protocol.BN254, r.InputCommitment)
		}), "input_commitment"},
		{"public input + p (decimal)", pred(func(r *receipt.Receipt) {
			x, _ := new(big.Int).SetString(r.Proof.PublicInputs[1], 10)
			r.Proof.PublicInputs[1] = x.Add(x, protocol.BN254.ScalarField()).String()
		}), "proof.public_inputs"},
		{"public input with a leading zero", pred(func(r *receipt.Receipt) { r.Proof.PublicInputs[0] = "0" + r.Proof.PublicInputs[0] }), "proof.public_inputs"},
		{"a fifth public input", pred(func(r *receipt.Receipt) { r.Proof.PublicInputs = append(r.Proof.PublicInputs, "0") }), "proof.public_inputs"},
		{"mode and system relabelled plonk", pred(func(r *receipt.Receipt) { r.Mode, r.Proof.System = protocol.ModePlonk, "plonk" }), "proof.key"},
		{"curve relabelled bls12-381", pred(func(r *receipt.Receipt) { r.Proof.Curve = protocol.BLS12381 }), "proof.curve"},
		{"mode sampled, proof kept", pred(func(r *receipt.Receipt) { r.Mode = protocol.ModeSampled }), "receipt.fields"},
		{"task says n = 2 (everything recomputed), proof for n = 4", resized(2, 8), "proof.verify"},
		{"task says f = 0 (everything recomputed), proof for f = 8", resized(4, 0), "proof.verify"},
		{"task says f = 16 (everything recomputed), proof for f = 8", resized(4, 16), "proof.verify"},
		{"commitment stripped from the proof", pred(func(r *receipt.Receipt) {
			b := slices.Clone(r.Proof.Bytes)
			// Ar ‖ Bs ‖ Krs ‖ u32 count ‖ commitments ‖ PoK: claim 0 commitments, drop one point
			b[32+64+32+3] = 0
			r.Proof.Bytes = append(b[:32+64+32+4], b[len(b)-32:]...)
		}), "proof.verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifier.Verify(re(tc.mutate), verifier.Options{Cache: f.cache, Policy: policy(t, "binding-v1")})
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want) {
				t.Errorf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.want)
			}
		})
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("hex %q", s)
	}
	return b
}

// TestRedteamEnvelopeTricks: DSSE games on a valid Groth16 receipt.
func TestRedteamEnvelopeTricks(t *testing.T) {
	f := getFixture(t)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x52}, 32))
	_, raw, err := f.env.Statement()
	if err != nil {
		t.Fatal(err)
	}
	otherSig := signRaw(other, raw).Signatures[0]
	for _, tc := range []struct {
		name   string
		mutate func(e *receipt.Envelope)
		want   string // "" : must still pass (same signed bytes)
	}{
		{"a second, valid copy of the signature", func(e *receipt.Envelope) { e.Signatures = append(e.Signatures, e.Signatures[0]) }, "signature"},
		{"a second signature by another key", func(e *receipt.Envelope) { e.Signatures = append(e.Signatures, otherSig) }, "signature"},
		{"only another key's signature, its keyid", func(e *receipt.Envelope) { e.Signatures = []receipt.Signature{otherSig} }, "signature"},
		{"keyid in upper case", func(e *receipt.Envelope) { e.Signatures[0].KeyID = strings.ToUpper(e.Signatures[0].KeyID) }, "signature"},
		{"payloadType re-signed as application/json", func(e *receipt.Envelope) {
			e.PayloadType = "application/json"
			e.Signatures[0].Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(f.key, receipt.PAE(e.PayloadType, raw)))
		}, "envelope.payload_type"},
		// Not a wrong pass, but envelope malleability by anyone: the payload's
		// base64 may carry line breaks (encoding/base64 skips \r and \n),
		// so byte-identical receipts have many envelope encodings.
		{"payload base64 with line breaks (no key needed)", func(e *receipt.Envelope) { e.Payload = e.Payload[:8] + "\r\n" + e.Payload[8:] }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := *f.env
			e.Signatures = slices.Clone(f.env.Signatures)
			tc.mutate(&e)
			v := verifier.Verify(&e, verifier.Options{Cache: f.cache})
			if tc.want == "" {
				t.Logf("%s: %s (the same signed bytes)", tc.name, v.PolicyDecision.Status)
				return
			}
			if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want) {
				t.Errorf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.want)
			}
		})
	}
}

// TestRedteamGroth16ReceiptCarriesSamplingBox: the mirror of the sampled
// case: a Groth16 receipt could carry an unchecked sampling box (claiming,
// to anyone reading the receipt, that rows were re-executed). Now refused,
// naming mode.evidence.
func TestRedteamGroth16ReceiptCarriesSamplingBox(t *testing.T) {
	f := getFixture(t)
	env := resign(t, f.env, f.key, func(st *receipt.Statement) {
		r := &st.Predicate
		r.Sampling = &receipt.Sampling{Method: receipt.SamplingMethodChallenge, Rows: 4, K: 4, Epsilon: 0.05, ErrorBound: 0,
			Challenge: strings.Repeat("11", 32), Indices: []int{0, 1, 2, 3}, Paths: [][]string{{}, {}, {}, {}}}
		repoe(t, r)
	})
	if v := verifier.Verify(env, verifier.Options{Cache: f.cache}); v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), "mode.evidence") {
		t.Errorf("a groth16 receipt with an unchecked sampling box: %s %v; want reject naming mode.evidence", v.PolicyDecision.Status, v.Failed())
	}
}

// TestRedteamKeyCircuitChecked (item 4): the circuit the cached key was
// generated for is compared with the receipt's (proof.key_circuit): a
// receipt that relabels its circuit "naive-v5" (workload_digest recomputed)
// does not pass under the freivalds-v5 key — nor would a receipt labelled
// freivalds-v5 under a cached freivalds-v4 key, unsound at n = 512, f = 8
// and n = 1024, f = 2…9.
func TestRedteamKeyCircuitChecked(t *testing.T) {
	f := getFixture(t)
	env := resign(t, f.env, f.key, func(st *receipt.Statement) {
		r := &st.Predicate
		r.Proof.Circuit = protocol.Naive.Name()
		r.WorkloadDigest = receipt.WorkloadDigest(r.Proof.Circuit, 4, 8)
		repoe(t, r)
	})
	if v := verifier.Verify(env, verifier.Options{Cache: f.cache}); v.PolicyDecision.Status == verifier.Pass {
		t.Errorf("a receipt naming circuit %s passed under a %s key", protocol.Naive.Name(), protocol.Freivalds.Name())
	}
}

// TestRedteamBLS12381Relabels: on BLS12-381, Groth16 (and PLONK with
// ZKPOC_REDTEAM_SLOW=1; it passed when this was written): the proof
// relabelled to the other system or to BN254, and the output digest + r
// (r_BLS ≈ 2^254.9 so x + r still fits 32 bytes), are refused.
func TestRedteamBLS12381Relabels(t *testing.T) {
	if testing.Short() {
		t.Skip("proves on BLS12-381")
	}
	cache, err := testfixture.KeyCache()
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x38}, 32))
	task, err := workload.NewSyntheticTask("9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", workload.DeriveSeed([32]byte{3, 8, 1}, "cpc1qblsworker"), 2, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	systems := []protocol.System{protocol.Groth16}
	if os.Getenv("ZKPOC_REDTEAM_SLOW") != "" {
		systems = append(systems, protocol.Plonk) // ~45 s on 2 cores: loading the PLONK keys and proving
	}
	for _, system := range systems {
		res, err := prover.Run(context.Background(), prover.Options{Task: task, NodeKey: key, Cache: cache, System: system, Curve: protocol.BLS12381})
		if err != nil {
			t.Fatal(err)
		}
		otherSystem := map[protocol.System]protocol.System{protocol.Groth16: protocol.Plonk, protocol.Plonk: protocol.Groth16}[system]
		for _, tc := range []struct {
			name   string
			mutate func(r *receipt.Receipt)
			want   string
		}{
			{"relabelled " + string(otherSystem), func(r *receipt.Receipt) { r.Mode, r.Proof.System = protocol.SNARKMode(otherSystem), otherSystem }, "proof.key"},
			{"relabelled bn254 (v1 task)", func(r *receipt.Receipt) {
				r.Proof.Curve, r.OutputDigestAlg = protocol.BN254, protocol.OutputDigestAlgorithm(protocol.BN254)
			}, "input_commitment"},
			{"output_digest + r", func(r *receipt.Receipt) { r.OutputDigest = plusModulus(t, protocol.BLS12381, r.OutputDigest) }, "output_digest"},
		} {
			t.Run(string(system)+"/"+tc.name, func(t *testing.T) {
				env := resign(t, res.Envelope, key, func(st *receipt.Statement) {
					tc.mutate(&st.Predicate)
					repoe(t, &st.Predicate)
					r := &st.Predicate
					st.Subject[0].Digest = map[string]string{r.InputSubjectAlgorithm(): r.InputCommitment}
					st.Subject[1].Digest = map[string]string{receipt.SubjectAlgorithm(r.OutputDigestAlg): r.OutputDigest}
					repoe(t, r)
				})
				v := verifier.Verify(env, verifier.Options{Cache: cache, Policy: policy(t, "binding-v1")})
				if v.PolicyDecision.Status != verifier.Reject || !slices.Contains(v.Failed(), tc.want) {
					t.Errorf("status %s, failed %v; want reject naming %s", v.PolicyDecision.Status, v.Failed(), tc.want)
				}
			})
		}
	}
}
