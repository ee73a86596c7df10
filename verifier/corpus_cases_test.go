package verifier_test

import (
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/internal/corpus"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/verifier"
)

// cases lists the corpus: for each base receipt the receipt as made, then
// what a node (or anyone who has the receipt) could change in it, and what
// the verifier is given or lacks.
func (g *corpusGen) cases() []genCase {
	dev := given{policy: "zk-dev-v1", key: groth16VKFile}
	loose := given{policy: "binding-v1"}
	files := [2]string{matrixAFile, matrixBFile}
	challenge := given{policy: "binding-v1", challenge: corpusChallenge, root: &g.root}
	pass := func(name, comment, base string, gv given) genCase {
		return genCase{name: name, comment: comment, env: g.bases[base], g: gv, want: verifier.Pass}
	}
	reject := func(name, comment string, env *receipt.Envelope, gv given, checks ...string) genCase {
		return genCase{name: name, comment: comment, env: env, g: gv, want: verifier.Reject, mustFail: checks}
	}
	hold := func(name, comment string, env *receipt.Envelope, gv given, codes ...string) genCase {
		return genCase{name: name, comment: comment, env: env, g: gv, want: verifier.Hold, hold: codes}
	}
	with := func(gv given, edit func(*given)) given { edit(&gv); return gv }
	sampledBox := func(base string, mutate func(s *receipt.Sampling)) *receipt.Envelope {
		return g.pred(base, func(r *receipt.Receipt) {
			s := *r.Sampling
			s.Indices = slices.Clone(s.Indices)
			s.Paths = slices.Clone(s.Paths)
			for i := range s.Paths {
				s.Paths[i] = slices.Clone(s.Paths[i])
			}
			mutate(&s)
			r.Sampling = &s
		})
	}
	proofBytes := func(base string, mutate func(b []byte) []byte) *receipt.Envelope {
		return g.pred(base, func(r *receipt.Receipt) {
			p := *r.Proof
			p.Bytes = mutate(slices.Clone(p.Bytes))
			r.Proof = &p
		})
	}
	publicInput := func(base string) *receipt.Envelope {
		return g.pred(base, func(r *receipt.Receipt) {
			p := *r.Proof
			p.PublicInputs = slices.Clone(p.PublicInputs)
			p.PublicInputs[1] = "1"
			r.Proof = &p
		})
	}
	b := g.bases
	b["groth16-setup-overstated"] = g.pred("groth16", func(r *receipt.Receipt) {
		p := *r.Proof
		p.SetupProvenance = "mpc(3+3 contributions, beacon " + strings.Repeat("ab", 32) + ")"
		r.Proof = &p
	})
	binding := b["binding"]

	var cs []genCase
	// Binding receipts: no evidence of correctness, only who bound which output.
	cs = append(cs,
		pass("binding-pass", "a binding receipt passes binding-v1 with a binding-only claim", "binding", loose),
		pass("binding-supplied-pass", "a binding receipt over supplied matrices, the files given and checked against the task's commitment", "binding-supplied", with(loose, func(g *given) { g.files = files })),
		pass("binding-supplied-no-files-pass", "a binding receipt over supplied matrices the verifier does not have: known by their commitment only", "binding-supplied", loose),
		reject("binding-supplied-wrong-files", "the supplied-matrix files given are not the ones the task commits to (a and b swapped)", b["binding-supplied"],
			with(loose, func(g *given) { g.files = [2]string{matrixBFile, matrixAFile} }), "input_commitment.files"),
		reject("binding-under-zk-dev", "claim bigger than the evidence: a binding receipt under a policy that needs a SNARK", binding, given{policy: "zk-dev-v1"}, "policy.mode"),
		reject("binding-result-tampered", "the output digest changed and the receipt re-signed by its node: the PoE no longer binds it", g.pred("binding", func(r *receipt.Receipt) { r.OutputDigest = flipLastHex(r.OutputDigest) }), loose, "poe"),
		reject("binding-result-tampered-not-resigned", "the output digest changed, the node's signature kept", g.edit("binding", nil, func(st *receipt.Statement) {
			st.Predicate.OutputDigest = flipLastHex(st.Predicate.OutputDigest)
			st.Subject = st.Predicate.Subjects()
		}), loose, "signature"),
		reject("binding-task-reward-tampered", "a task field (reward) changed and re-signed: request_id no longer hashes the task", g.pred("binding", func(r *receipt.Receipt) { r.Task.Reward = "1001" }), loose, "request_id"),
		reject("binding-task-seed-rederived", "the task's seed changed and request_id and PoE re-derived by the node: the inputs regenerated from the new seed are not the ones the task commits to", g.pred("binding", func(r *receipt.Receipt) {
			r.Task.Payload.Seed = flipLastHex(r.Task.Payload.Seed)
			rid, _ := r.Task.RequestID()
			od, _ := receipt.DecodeHex32("output_digest", r.OutputDigest)
			pub, _ := hex.DecodeString(r.Node.PublicKey)
			nid := protocol.NodeID(pub)
			poe := protocol.PoE(rid, od, nid)
			r.RequestID, r.PoE = hex.EncodeToString(rid[:]), hex.EncodeToString(poe[:])
		}), loose, "input_commitment.regenerate"),
		reject("binding-poe-wrong", "the PoE is not SHA-256 of request, output digest and node", g.pred("binding", func(r *receipt.Receipt) { r.PoE = flipLastHex(r.PoE) }), loose, "poe"),
		reject("binding-bad-signature", "one byte of the signature flipped", g.sigFlipped("binding"), loose, "signature"),
		reject("binding-signed-by-another-key", "the receipt signed by a key that is not the node's it names", g.edit("binding", g.other, func(*receipt.Statement) {}), loose, "signature"),
		reject("binding-noncanonical-payload", "the signed payload has whitespace the canonical encoding lacks", g.splice("binding", `{"_type"`, `{ "_type"`), loose, "envelope.payload"),
		reject("binding-duplicate-key", "the signed payload names output_digest twice: other JSON readers take the first, encoding/json the last", g.splice("binding",
			`"output_digest":"`+g.field("binding", "output_digest")+`"`,
			`"output_digest":"`+strings.Repeat("5a", 32)+`","output_digest":"`+g.field("binding", "output_digest")+`"`), loose, "envelope.payload"),
		reject("binding-case-folded-key", "the signed payload has a case-variant twin of output_digest, which encoding/json folds", g.splice("binding",
			`"output_digest":"`+g.field("binding", "output_digest")+`"`,
			`"output_digest":"`+strings.Repeat("5a", 32)+`","OUTPUT_DIGEST":"`+g.field("binding", "output_digest")+`"`), loose, "envelope.payload"),
		reject("binding-verdict-set", "the node wrote its own policy_decision into the signed receipt", g.pred("binding", func(r *receipt.Receipt) {
			r.PolicyDecision = &receipt.PolicyDecision{Status: "pass", Reason: "all checks pass", PolicyID: "zk-strict-v1"}
		}), loose, "policy_decision"),
		reject("binding-allowed-claim-set", "the node wrote its own allowed_claim into the signed receipt", g.pred("binding", func(r *receipt.Receipt) {
			c := "The output is correct."
			r.AllowedClaim = &c
		}), loose, "allowed_claim"),
		pass("binding-v1-task-pass", "a v1 task, whose payload carries no input commitment: request_id binds the inputs through the seed alone", "binding-v1-task", loose),
		reject("binding-blocked-claim-dropped", "claim bigger than the evidence: the node dropped a standard blocked claim from its receipt", g.pred("binding", func(r *receipt.Receipt) {
			r.BlockedClaims = slices.DeleteFunc(slices.Clone(r.BlockedClaims), func(c string) bool { return c == receipt.ProverBlockedClaims[0] })
		}), loose, "blocked_claims"),
		reject("binding-receipt-id-wrong", "receipt_id is not the digest of the receipt's content", g.pred("binding", func(r *receipt.Receipt) { r.ReceiptID = "rcpt_00000000000000000000000000000000" }), loose, "receipt_id"),
		reject("binding-sampling-box", "a binding receipt carrying a sampling box nothing would check, which a reader could take for evidence", g.pred("binding", func(r *receipt.Receipt) { r.Sampling = g.statement("sampled").Predicate.Sampling }), loose, "mode.evidence"),
		reject("binding-subject-wrong", "the in-toto subject's output digest is not the receipt's", g.edit("binding", g.key, func(st *receipt.Statement) {
			st.Subject = st.Predicate.Subjects()
			for k, d := range st.Subject[1].Digest {
				st.Subject[1].Digest[k] = flipLastHex(d)
			}
		}), loose, "statement.subject"),
		genCase{name: "envelope-duplicate-key", comment: "the envelope names payload twice: it does not decode, so there is no verdict", want: corpus.Malformed,
			raw: []byte(`{"payloadType":"` + receipt.PayloadType + `","payload":"e30=","payload":"` + binding.Payload + `","signatures":[{"keyid":"` + binding.Signatures[0].KeyID + `","sig":"` + binding.Signatures[0].Sig + "\"}]}\n")},
		genCase{name: "envelope-unknown-field", comment: "the envelope carries a field DSSE does not define: it does not decode", want: corpus.Malformed,
			raw: []byte(`{"payloadType":"` + receipt.PayloadType + `","payload":"` + binding.Payload + `","signatures":[{"keyid":"` + binding.Signatures[0].KeyID + `","sig":"` + binding.Signatures[0].Sig + `"}],"verdict":"pass"}` + "\n")},
	)

	// Sampled receipts: rows re-executed by the verifier.
	cs = append(cs,
		pass("sampled-pow-pass", "2 of 4 rows chosen by Fiat–Shamir behind an 8-bit proof of work (fiat-shamir-pow-sha256/v2) pass binding-v1, which takes any bound", "sampled", loose),
		pass("sampled-all-rows-pass", "every row opened and re-executed: passes sampled-v1 with no error bound", "sampled-all", given{policy: "sampled-v1"}),
		pass("sampled-challenge-pass", "rows chosen from the challenge this verifier issued after the node committed its root", "sampled-challenge", challenge),
		pass("sampled-supplied-pass", "a sampled receipt over supplied matrices, the files given: the rows are re-executed from them", "sampled-supplied", with(loose, func(g *given) { g.files = files })),
		reject("sampled-too-few-rows", "claim bigger than the evidence: 2 sampled rows under sampled-v1, which needs a 2^-20 bound", b["sampled"], given{policy: "sampled-v1"}, "policy.sampling"),
		reject("sampled-wrong-row", "a sampled row does not match the committed output (its audit path changed)", sampledBox("sampled", func(s *receipt.Sampling) { s.Paths[0][0] = flipLastHex(s.Paths[0][0]) }), loose, "sampling.rows_match"),
		reject("sampled-rows-chosen", "the node opened a row the proof of work did not select", sampledBox("sampled", func(s *receipt.Sampling) { s.Indices[0] = (s.Indices[0] + 1) % corpusN }), loose, "sampling.indices"),
		reject("sampled-grindable-v1", "the grindable fiat-shamir-sha256/v1 method is refused: the node could re-roll its root until the sample misses its wrong rows", sampledBox("sampled", func(s *receipt.Sampling) { s.Method = receipt.SamplingMethodFSv1 }), loose, "sampling.method"),
		reject("sampled-pow-nonce-wrong", "the proof-of-work nonce does not solve the stated difficulty", sampledBox("sampled", func(s *receipt.Sampling) { s.Nonce = "00000000deadbeef" }), loose, "sampling.pow"),
		reject("sampled-error-bound-understated", "the receipt states a smaller error bound than its sample gives", sampledBox("sampled", func(s *receipt.Sampling) { s.ErrorBound /= 2 }), loose, "sampling"),
		reject("sampled-pow-not-the-challenge", "the verifier issued a challenge, but the receipt's rows come from proof of work", b["sampled"], challenge, "sampling.challenge"),
		reject("sampled-challenge-other", "the receipt answers a challenge other than the one this verifier issued", b["sampled-challenge"], with(challenge, func(g *given) { g.challenge = []byte(strings.Repeat("\x01", 32)) }), "sampling.challenge"),
		reject("sampled-challenge-other-root", "the receipt's output root is not the one committed before the challenge", b["sampled-challenge"], with(challenge, func(g *given) { g.root = &[32]byte{1} }), "sampling.challenge"),
		hold("sampled-challenge-no-challenge", "a challenge-method receipt without the verifier's challenge and committed root: nothing shows the challenge came after the commitment", b["sampled-challenge"], loose, corpus.HoldChallengeNeeded),
		hold("sampled-supplied-no-files", "a sampled receipt over supplied matrices the verifier does not have: its rows cannot be re-executed", b["sampled-supplied"], loose, corpus.HoldInputsNeeded),
	)

	// SNARK receipts, with the verifying keys shipped beside the corpus.
	plonk := given{policy: "zk-dev-v1", key: plonkVKFile}
	cs = append(cs,
		pass("groth16-pass", "a Groth16 (BN254) receipt under its bare verifying key: passes zk-dev-v1, the claim saying the key's circuit was not established", "groth16", dev),
		pass("groth16-pinned-key-pass", "the key pinned to the receipt's circuit by the policy: established, so a policy requiring that passes", "groth16", with(dev, func(g *given) { g.policy = pinnedPolicy })),
		pass("groth16-accept-key-pass", "the verifier accepts only the receipt's key (accept_key)", "groth16", with(dev, func(gv *given) { gv.acceptKeys = []string{g.fp[groth16VKFile]} })),
		pass("groth16-supplied-pass", "a Groth16 receipt over supplied matrices, the files given", "groth16-supplied", with(dev, func(g *given) { g.files = files })),
		pass("groth16-supplied-no-files-pass", "a Groth16 receipt over supplied matrices the verifier does not have: the proof is checked against their commitment", "groth16-supplied", dev),
		pass("plonk-pass", "a PLONK (KZG, BN254) receipt under its bare verifying key", "plonk", plonk),
		pass("groth16-bls12-381-pass", "a Groth16 receipt on BLS12-381 under its bare verifying key", "groth16-bls12-381", with(dev, func(g *given) { g.key = blsVKFile })),
		reject("groth16-proof-flipped", "one byte of the proof flipped", proofBytes("groth16", func(p []byte) []byte { p[40] ^= 1; return p }), dev, "proof.verify"),
		reject("groth16-proof-truncated", "the proof cut to 50 bytes", proofBytes("groth16", func(p []byte) []byte { return p[:50] }), dev, "proof.verify"),
		reject("groth16-public-input-wrong", "a listed public input is not the one recomputed from the receipt", publicInput("groth16"), dev, "proof.public_inputs"),
		reject("groth16-result-tampered", "another output digest, with the PoE, public inputs, subjects and receipt_id re-derived and re-signed: only the proof can tell", g.retargetOutput("groth16"), dev, "proof.verify"),
		pass("groth16-setup-overstated-pinned-pass", "the receipt says its key came from a 3+3 ceremony; the policy pins the key to its circuit only: passes, the stated setup counting for nothing (the claim treats it as a dev setup)", "groth16-setup-overstated", with(dev, func(g *given) { g.policy = pinnedPolicy })),
		hold("groth16-setup-overstated-strict", "claim bigger than the evidence: a receipt stating a 3+3 ceremony does not satisfy zk-strict-v1 under a bare key", b["groth16-setup-overstated"], with(dev, func(g *given) { g.policy = "zk-strict-v1" }), corpus.HoldKeyNotEstablished, corpus.HoldSetupNotTrusted),
		reject("groth16-workload-digest-wrong", "workload_digest does not name the circuit and shape of the proof", g.pred("groth16", func(r *receipt.Receipt) { r.WorkloadDigest = "sha256:" + strings.Repeat("0", 64) }), dev, "workload_digest"),
		reject("groth16-key-not-accepted", "the verifier accepts only another key (accept_key)", b["groth16"], with(dev, func(g *given) { g.acceptKeys = []string{"sha256:" + strings.Repeat("0", 64)} }), "proof.key_accepted"),
		reject("groth16-pinned-other-circuit", "the policy pins the receipt's key to another circuit (n = 8)", b["groth16"], with(dev, func(g *given) { g.policy = pinnedOther }), "proof.key_circuit"),
		reject("plonk-proof-flipped", "one byte of the PLONK proof flipped", proofBytes("plonk", func(p []byte) []byte { p[len(p)/2] ^= 1; return p }), plonk, "proof.verify"),
		reject("plonk-public-input-wrong", "a listed public input of the PLONK receipt is not the one recomputed", publicInput("plonk"), plonk, "proof.public_inputs"),
		reject("groth16-bls12-381-proof-flipped", "one byte of the BLS12-381 proof flipped", proofBytes("groth16-bls12-381", func(p []byte) []byte { p[len(p)/2] ^= 1; return p }), with(dev, func(g *given) { g.key = blsVKFile }), "proof.verify"),
		hold("groth16-no-key", "no verifying key given (and no key cache): the proof cannot be checked", b["groth16"], given{policy: "zk-dev-v1"}, corpus.HoldKeyNeeded),
		hold("groth16-other-key", "the key given is not the receipt's (the n = 2 key): the receipt's key is missing", b["groth16"], with(dev, func(g *given) { g.key = otherVKFile }), corpus.HoldKeyNeeded),
		hold("plonk-no-key", "no PLONK verifying key given", b["plonk"], given{policy: "zk-dev-v1"}, corpus.HoldKeyNeeded),
		hold("groth16-strict-bare-key", "zk-strict-v1 and a bare key from a dev setup: neither its circuit nor its setup is vouched for", b["groth16"], with(dev, func(g *given) { g.policy = "zk-strict-v1" }), corpus.HoldKeyNotEstablished, corpus.HoldSetupNotTrusted),
	)
	return cs
}

// statement decodes base's statement.
func (g *corpusGen) statement(base string) *receipt.Statement {
	st, _, err := g.bases[base].Statement()
	if err != nil {
		g.t.Fatal(err)
	}
	return st
}

// field returns a string field of base's predicate, by JSON name.
func (g *corpusGen) field(base, name string) string {
	st, _, err := g.bases[base].Statement()
	if err != nil {
		g.t.Fatal(err)
	}
	switch name {
	case "output_digest":
		return st.Predicate.OutputDigest
	}
	g.t.Fatalf("field %s", name)
	return ""
}

func (g *corpusGen) sigFlipped(base string) *receipt.Envelope {
	e := *g.bases[base]
	e.Signatures = slices.Clone(e.Signatures)
	sig, _ := base64.StdEncoding.DecodeString(e.Signatures[0].Sig)
	sig[0] ^= 1
	e.Signatures[0].Sig = base64.StdEncoding.EncodeToString(sig)
	return &e
}

// retargetOutput is a node claiming another output under its proof: every
// value derived from the output digest is recomputed and the receipt
// re-signed, so only the proof fails.
func (g *corpusGen) retargetOutput(base string) *receipt.Envelope {
	return g.pred(base, func(r *receipt.Receipt) {
		r.OutputDigest = flipLastHex(r.OutputDigest)
		var pub protocol.Public
		pub.RequestID, _ = receipt.DecodeHex32("request_id", r.RequestID)
		pub.InputCommitment, _ = receipt.DecodeHex32("input_commitment", r.InputCommitment)
		pub.OutputDigest, _ = receipt.DecodeHex32("output_digest", r.OutputDigest)
		pk, _ := hex.DecodeString(r.Node.PublicKey)
		pub.NodeID = protocol.NodeID(pk)
		pub.PoE = protocol.PoE(pub.RequestID, pub.OutputDigest, pub.NodeID)
		r.PoE = hex.EncodeToString(pub.PoE[:])
		p := *r.Proof
		p.PublicInputs = protocol.PublicInputStrings(pub)
		r.Proof = &p
	})
}
