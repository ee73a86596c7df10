// Package verifier checks a zkpoc receipt offline — signature, identities,
// commitments recomputed from the task, PoE and the SNARK — and writes the
// verdict: a policy decision and the allowed claim the evidence supports.
package verifier

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/frontend"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/receipt"
)

// Decision statuses.
const (
	Pass   = "pass"
	Reject = "reject"
	Hold   = "hold"
)

// Name identifies this verifier in verdicts.
const Name = "zkpoc-verifier/v1"

// Verdict is what a verifier concludes about one receipt: the policy decision
// with every check it ran, and the claim the evidence allows. It is a
// document of its own, naming the receipt by its receipt_id: the receipt the
// node signed is never amended (its policy_decision and allowed_claim stay
// null; a receipt that carries either is rejected).
type Verdict struct {
	ReceiptID      string                 `json:"receipt_id"`
	Verifier       string                 `json:"verifier"`
	PolicyDecision receipt.PolicyDecision `json:"policy_decision"`
	AllowedClaim   string                 `json:"allowed_claim"`
	BlockedClaims  []string               `json:"blocked_claims"`
	// KeyNeeded is the fingerprint ("sha256:…") of the verifying key the
	// proof names when this verifier does not have it: the proof could not
	// be checked, and the verdict holds unless something else failed.
	KeyNeeded string `json:"key_needed,omitempty"`

	provenance string // setup provenance vouched for by the key's source, "" if unknown
	inputs     string // where the verifier's A and B came from, for the claim
}

// Failed lists the names of the checks that failed.
func (v *Verdict) Failed() []string {
	var out []string
	for _, c := range v.PolicyDecision.Checks {
		if c.Status == "fail" {
			out = append(out, c.Name)
		}
	}
	return out
}

// identityChecks establish who made a receipt: the signature over the
// payload under the public key the receipt names, and node_id = SHA-256 of
// that key.
var identityChecks = []string{"signature", "node.node_id"}

// Attributable reports whether the receipt is the signed statement of the
// node it names (nil) — what makes it evidence for or against that node,
// whatever else failed — or which identity checks failed or did not run.
func (v *Verdict) Attributable() error {
	var bad []string
	for _, name := range identityChecks {
		i := slices.IndexFunc(v.PolicyDecision.Checks, func(c receipt.Check) bool { return c.Name == name })
		switch {
		case i < 0:
			bad = append(bad, name+" not checked")
		case v.PolicyDecision.Checks[i].Status != "pass":
			c := v.PolicyDecision.Checks[i]
			bad = append(bad, fmt.Sprintf("%s %s: %s", name, c.Status, c.Detail))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("identity not established: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Options says which key and policy to verify under.
type Options struct {
	// VK verifies the proof when set (a key of the receipt's proof system:
	// proofsystem.ReadVerifyingKey); otherwise it is looked up in Cache by
	// the receipt's key fingerprint.
	VK    proofsystem.VerifyingKey
	Cache *keys.Cache
	// KeyEstablished is what the caller established about VK
	// (package keytrust: a key bundle checked by re-deriving the key or
	// verifying its ceremony transcript against the compiled circuit). Its
	// fingerprint must be the given key's. Without it a given key's circuit
	// is not established and the claim says so.
	KeyEstablished *KeyEstablished
	Policy         *Policy // BuiltinPolicies[DefaultPolicy] unless set
	// AcceptKeys pins the verifying keys a proof may use (fingerprints,
	// "sha256:"-prefixed or bare hex); empty accepts any key the verifier finds.
	AcceptKeys []string
	// A and B are a supplied task's matrices when the verifier has the files
	// (n×n, row-major); they must match the task's input commitment. Without
	// them a supplied task's proof still verifies against the commitment, and
	// a sampled receipt is held (its rows cannot be re-executed).
	A, B []int16
	// SampleChallenge is the challenge this verifier issued for a
	// challenge-method sampled receipt, with the root committed before it;
	// without it such a receipt is held.
	SampleChallenge *SampleChallenge
}

type run struct {
	checks  []receipt.Check
	hold    string          // why the policy holds evidence that verified, "" if it does not
	sampled *sampleFacts    // a sampled receipt's recomputed bound
	noKey   bool            // the proof's verifying key is not available: it was not checked
	key     *KeyEstablished // what is known about the proof's key, once found
}

func (r *run) add(name string, err error) bool {
	c := receipt.Check{Name: name, Status: "pass"}
	if err != nil {
		c.Status, c.Detail = "fail", err.Error()
	}
	r.checks = append(r.checks, c)
	return err == nil
}

func (r *run) skip(name, why string) {
	r.checks = append(r.checks, receipt.Check{Name: name, Status: "skip", Detail: why})
}

// Verify checks the envelope and returns a verdict. It never returns nil:
// a receipt that fails any check still gets a verdict naming what failed.
func Verify(env *receipt.Envelope, o Options) *Verdict {
	var r run
	v := &Verdict{Verifier: Name}
	st, _, err := env.Statement()
	if !r.add("envelope.payload", err) {
		return r.finish(v, o, nil)
	}
	rc := &st.Predicate
	v.ReceiptID = rc.ReceiptID
	r.add("envelope.payload_type", expect("payloadType", env.PayloadType, receipt.PayloadType))
	r.add("statement.type", errors.Join(
		expect("_type", st.Type, receipt.StatementType),
		expect("predicateType", st.PredicateType, receipt.PredicateType),
		expect("predicate.version", rc.Version, receipt.Version)))
	r.add("receipt.fields", rc.Validate())
	// The verdict is this verifier's to write: a node that signs one of its
	// own (or drops a standard blocked claim) is refused, naming the field.
	r.add("policy_decision", rc.CheckPolicyDecision())
	r.add("allowed_claim", rc.CheckAllowedClaim())
	r.add("blocked_claims", rc.CheckBlockedClaims())

	// Identity and signature.
	pub, err := hex.DecodeString(rc.Node.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		r.add("node.public_key", fmt.Errorf("node.public_key: want %d bytes of hex", ed25519.PublicKeySize))
		r.skip("signature", "no usable public key")
	} else {
		r.add("signature", env.VerifySignature(pub))
		id := receipt.NodeID(pub)
		r.add("node.node_id", expect("node.node_id", rc.Node.NodeID, hex.EncodeToString(id[:])))
	}

	// Task and request binding.
	taskOK := r.add("task", rc.Task.Validate())
	var reqID [32]byte
	if taskOK {
		reqID, err = rc.Task.RequestID()
		r.add("request_id", errors.Join(err, expect("request_id", rc.RequestID, hex.EncodeToString(reqID[:]))))
		r.add("job_id", expect("job_id", rc.JobID, rc.Task.TaskID))
	} else {
		r.skip("request_id", "task is invalid")
	}
	if id, err := rc.ComputeID(); err != nil || id != rc.ReceiptID {
		r.add("receipt_id", fmt.Errorf("receipt_id %q does not match the receipt's content (want %q)", rc.ReceiptID, id))
	} else {
		r.add("receipt_id", nil)
	}
	r.add("statement.subject", checkSubjects(st, rc))
	if !taskOK {
		r.skip("input_commitment", "task is invalid")
		return r.finish(v, o, rc)
	}

	// The output digest, in the form the mode uses, and the PoE over it.
	nodeID := receipt.NodeID(pub)
	var digest [32]byte
	switch rc.Mode {
	case receipt.ModeGroth16, receipt.ModePlonk:
		r.add("output_digest_algorithm", expect("output_digest_algorithm", rc.OutputDigestAlg, prover.OutputDigestAlgorithm(ProofCurve(rc))))
		od, err := parseFieldOn(ProofCurve(rc), "output_digest", rc.OutputDigest)
		if r.add("output_digest", err) {
			od.FillBytes(digest[:])
		}
	case receipt.ModeSampled, receipt.ModeBinding:
		r.add("output_digest_algorithm", expect("output_digest_algorithm", rc.OutputDigestAlg, receipt.DigestMerkleRows))
		digest, err = receipt.DecodeHex32("output_digest", rc.OutputDigest)
		r.add("output_digest", err)
	default:
		r.add("mode", fmt.Errorf("unknown mode %q (want groth16, plonk, sampled or binding)", short(rc.Mode)))
		return r.finish(v, o, rc)
	}
	r.add("mode", nil)
	r.add("mode.evidence", checkEvidence(rc))
	poe := receipt.PoE(reqID, digest, nodeID)
	r.add("poe", expect("poe", rc.PoE, hex.EncodeToString(poe[:])))

	// What follows costs the verifier time and memory that grow with n
	// (n = 4096: seconds and gigabytes): run it only for a receipt that is
	// the signed statement of the task it names.
	if bad := r.failedAmong(costGate); len(bad) > 0 {
		r.skipCostly(rc.Mode, fmt.Sprintf("not run: %s failed, so the receipt is not its node's signed statement of the task it names; the inputs are not regenerated nor the evidence re-checked for it",
			strings.Join(bad, ", ")))
		return r.finish(v, o, rc)
	}

	// The inputs: regenerated from the seed, or the supplied files; without
	// the files, a supplied task is known by its commitment alone.
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	a, b, ic, ok := r.inputs(v, rc, o)
	if !ok {
		return r.finish(v, o, rc)
	}
	r.add("input_commitment", expect("input_commitment", rc.InputCommitment, hex.EncodeToString(ic[:])))

	switch rc.Mode {
	case receipt.ModeGroth16, receipt.ModePlonk:
		r.checkProof(v, o, rc, a, b, circuits.Public{RequestID: reqID, NodeID: nodeID, InputCommitment: ic, PoE: poe}, digest)
	case receipt.ModeSampled:
		r.add("workload_digest", expect("workload_digest", rc.WorkloadDigest, receipt.WorkloadDigest("none", n, f)))
		r.checkSampling(rc, o, a, b, digest, reqID, nodeID)
	case receipt.ModeBinding:
		r.add("workload_digest", expect("workload_digest", rc.WorkloadDigest, receipt.WorkloadDigest("none", n, f)))
	}
	return r.finish(v, o, rc)
}

// checkEvidence refuses an evidence box that is not the mode's: a proof box
// outside the SNARK modes, a sampling box outside sampled mode (a binding
// receipt carries neither). Nothing would check it, yet a reader of the
// receipt could take it for evidence. A missing box is receipt.fields'.
func checkEvidence(rc *receipt.Receipt) error {
	var errs []error
	if rc.Proof != nil && !receipt.SNARKMode(rc.Mode) {
		errs = append(errs, fmt.Errorf("proof: a %s receipt carries no proof box (only groth16 and plonk receipts do)", rc.Mode))
	}
	if rc.Sampling != nil && rc.Mode != receipt.ModeSampled {
		errs = append(errs, fmt.Errorf("sampling: a %s receipt carries no sampling box (only sampled receipts do)", rc.Mode))
	}
	return errors.Join(errs...)
}

// costGate are the checks that must pass before Verify does anything whose
// cost grows with the task: the signature and identity (who made the
// receipt), the task, request_id and receipt_id (what it is about).
var costGate = []string{"node.public_key", "signature", "node.node_id", "task", "request_id", "receipt_id"}

// failedAmong lists, in order, the failed checks among names (all failed
// checks when names is nil).
func (r *run) failedAmong(names []string) []string {
	var out []string
	for _, c := range r.checks {
		if c.Status == "fail" && (names == nil || slices.Contains(names, c.Name)) {
			out = append(out, c.Name)
		}
	}
	return out
}

// skipCostly records the checks whose cost grows with the task as skipped:
// regenerating (or reading) the inputs for the input commitment, and the
// mode's evidence — verifying the proof, re-executing the sampled rows.
func (r *run) skipCostly(mode, why string) {
	r.skip("input_commitment", why)
	switch mode {
	case receipt.ModeGroth16, receipt.ModePlonk:
		r.skip("proof.verify", why)
	case receipt.ModeSampled:
		r.skip("sampling.rows_match", why)
	}
}

// inputs obtains the task's A and B and their commitment: regenerated from
// the seed of a synthetic task (checked against the commitment its payload
// carries, if any), or the files given for a supplied one. A supplied task
// without files yields nil matrices and the commitment the task names (bound
// by request_id). A SNARK receipt's curve must be that of the commitment the
// task carries.
func (r *run) inputs(v *Verdict, rc *receipt.Receipt, o Options) (a, b []int16, ic [32]byte, ok bool) {
	t := rc.Task
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	curve := circuits.BN254 // sampled and binding receipts commit on BN254
	if receipt.SNARKMode(rc.Mode) {
		curve = ProofCurve(rc)
	}
	if tc, bound, err := prover.TaskCurve(t); err != nil || bound && receipt.SNARKMode(rc.Mode) && curve != tc {
		if err == nil {
			err = fmt.Errorf("the task binds its inputs with %s (payload.input_commitment_algorithm); a %s proof cannot carry that commitment", t.CommitmentAlgorithm(), curve)
		}
		r.add("proof.curve", err)
		return nil, nil, ic, false
	}
	if t.Supplied() && o.A == nil && o.B == nil {
		x, err := parseField("task.payload.input_commitment", t.Payload.InputCommitment)
		if err != nil {
			r.add("input_commitment.files", err)
			return nil, nil, ic, false
		}
		r.skip("input_commitment.files", "supplied inputs not given: the matrices are known by their commitment only")
		x.FillBytes(ic[:])
		v.inputs = "supplied as files the verifier did not see"
		return nil, nil, ic, true
	}
	name := "input_commitment.regenerate"
	v.inputs = "derived from seed " + t.Payload.Seed
	if t.Supplied() {
		name = "input_commitment.files"
		v.inputs = "supplied as files the verifier checked against that commitment"
	}
	a, b, err := prover.Inputs(t, o.A, o.B)
	if !r.add(name, err) {
		return nil, nil, ic, false
	}
	if !t.BindsInputs() {
		r.skip("task.payload.input_commitment", "a v1 task: its payload carries no input commitment, so request_id binds the inputs through the seed alone (regenerated here); chain export refuses its receipts")
	}
	ic, _ = circuits.InputCommitmentOn(curve, a, b, n, f)
	return a, b, ic, true
}

// checkProof verifies the SNARK evidence (either system) against the statement recomputed
// from the task.
func (r *run) checkProof(v *Verdict, o Options, rc *receipt.Receipt, a, b []int16, pubv circuits.Public, digest [32]byte) {
	if rc.Proof == nil {
		r.skip("proof", "no proof box")
		return
	}
	method, err := circuits.ParseMethod(rc.Proof.Circuit)
	if !r.add("proof.circuit", err) {
		return
	}
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	r.add("workload_digest", expect("workload_digest", rc.WorkloadDigest, receipt.WorkloadDigest(method.Name(), n, f)))
	if n > circuits.MaxN {
		r.add("task.payload.matrix_size", fmt.Errorf("n = %d exceeds the circuit limit %d", n, circuits.MaxN))
		return
	}
	pubv.OutputDigest = digest
	r.add("proof.system", errors.Join(expect("proof.system", rc.Proof.System, rc.Mode), expect("proof.curve", rc.Proof.Curve, string(ProofCurve(rc)))))
	r.add("proof.public_inputs", checkInputs(rc.Proof.PublicInputs, prover.PublicInputs(pubv)))
	if len(o.AcceptKeys) > 0 {
		r.add("proof.key_accepted", acceptedKey(rc.Proof.KeyFingerprint, o.AcceptKeys))
	}
	system := proofsystem.Groth16
	if rc.Mode == receipt.ModePlonk {
		system = proofsystem.PLONK
	}
	proof, perr := proofsystem.ParseProof(rc.Proof.Bytes, system, ProofCurve(rc).ID())
	vk, known, err := resolveKey(rc.Proof.KeyFingerprint, system, o)
	if !r.keyFound(v, o, rc, known, err, perr) {
		return
	}
	r.add("proof.verify", verifyProof(vk, proof, ProofCurve(rc), method, n, f, pubv))
}

func expect(field, have, want string) error {
	if have != want {
		return fmt.Errorf("%s is %q, recomputed %q", field, short(have), short(want))
	}
	return nil
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// checkSubjects requires the statement's subjects to be exactly the
// receipt's (receipt.Subjects): one of each name, with the receipt's digest
// under its algorithm, and no others.
func checkSubjects(st *receipt.Statement, rc *receipt.Receipt) error {
	want := rc.Subjects()
	if len(st.Subject) > 2*len(want) { // a hostile list: one error, not one per subject
		return fmt.Errorf("statement.subject: %d subjects listed, want exactly %d (input_commitment, output_digest)", len(st.Subject), len(want))
	}
	var errs []error
	seen := make(map[string]bool, len(want))
	for i, s := range st.Subject {
		j := slices.IndexFunc(want, func(w receipt.Subject) bool { return w.Name == s.Name })
		switch {
		case j < 0:
			errs = append(errs, fmt.Errorf("subject[%d]: name %q is not one of the receipt's subjects (input_commitment, output_digest)", i, short(s.Name)))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("subject[%d]: %q is listed more than once", i, s.Name))
		case !maps.Equal(s.Digest, want[j].Digest):
			errs = append(errs, fmt.Errorf("subject[%d]: the %s digest does not match the receipt's %s", i, s.Name, s.Name))
		}
		if j >= 0 {
			seen[s.Name] = true
		}
	}
	for _, w := range want {
		if !seen[w.Name] {
			errs = append(errs, fmt.Errorf("statement.subject: no %q subject", w.Name))
		}
	}
	return errors.Join(errs...)
}

// ProofCurve is the curve of a receipt's SNARK: the one its proof names when
// zkpoc knows it, BN254 otherwise (a proof naming an unknown curve then fails
// the proof.curve check).
func ProofCurve(rc *receipt.Receipt) circuits.Curve {
	if receipt.SNARKMode(rc.Mode) && rc.Proof != nil {
		if c, err := circuits.ParseCurve(rc.Proof.Curve); err == nil {
			return c
		}
	}
	return circuits.BN254
}

// groth16Label names the proof system in a Groth16 claim, with the curve
// when it is not the default.
func groth16Label(rc *receipt.Receipt) string {
	if c := ProofCurve(rc); c != circuits.BN254 {
		return "Groth16 (" + strings.ToUpper(string(c)) + ")"
	}
	return "Groth16"
}

// parseField decodes 32-byte hex into a canonical BN254 scalar (< p).
func parseField(field, s string) (*big.Int, error) { return parseFieldOn(circuits.BN254, field, s) }

// parseFieldOn decodes 32-byte hex into a canonical scalar of the curve (< r).
func parseFieldOn(curve circuits.Curve, field, s string) (*big.Int, error) {
	b, err := receipt.DecodeHex32(field, s)
	if err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(b[:])
	if x.Cmp(curve.ScalarField()) >= 0 {
		return nil, fmt.Errorf("%s is not a canonical %s scalar (≥ the modulus)", field, curve)
	}
	return x, nil
}

func checkInputs(have, want []string) error {
	if !slices.Equal(have, want) {
		for i := range want {
			if i >= len(have) || have[i] != want[i] {
				return fmt.Errorf("public input %d differs from the value recomputed from the receipt (%d listed, %d expected)", i, len(have), len(want))
			}
		}
		return fmt.Errorf("%d public inputs listed, %d expected", len(have), len(want))
	}
	return nil
}

// resolveKey finds the verifying key of system the proof names, and what
// is known about it (KeyEstablished).
func resolveKey(fp, system string, o Options) (proofsystem.VerifyingKey, *KeyEstablished, error) {
	if o.VK != nil && o.VK.System() != system {
		if system == proofsystem.PLONK {
			return nil, nil, errors.New("the proof is a PLONK proof but the verifying key given is a Groth16 key")
		}
		o.VK = nil // a PLONK key given for a Groth16 proof is ignored, as it always was: the cache is searched
	}
	return findKey(fp, system, o)
}

// otherKeyGiven is the lookup's error when the key the caller gave is not
// the one the proof names: the verifier lacks the receipt's key, which is
// no evidence against the receipt (it wraps keys.ErrNotFound, so the
// verdict holds); Options.AcceptKeys refuses receipts under other keys.
type otherKeyGiven struct{ what, fp string }

func (e otherKeyGiven) Error() string {
	return fmt.Sprintf("the given %sverifying key is sha256:%s, not the receipt's", e.what, e.fp)
}

func (e otherKeyGiven) Unwrap() error { return keys.ErrNotFound }

// findKey is the key lookup: a key given by the caller is used if it has
// the fingerprint the proof names (what is known about it is
// Options.KeyEstablished, which must be about that key, or nothing), and
// is otherwise the receipt's key missing (otherKeyGiven); without one the
// local cache is searched by fingerprint and its record says what this
// machine knows of the key, which must be a key of system.
func findKey(fp, system string, o Options) (proofsystem.VerifyingKey, *KeyEstablished, error) {
	what := ""
	if system == proofsystem.PLONK {
		what = "PLONK "
	}
	want := strings.TrimPrefix(fp, "sha256:")
	if given := o.VK; given != nil {
		got := given.FingerprintHex()
		if got != want {
			return nil, nil, otherKeyGiven{what, got}
		}
		k := o.KeyEstablished
		if k == nil {
			return given, &KeyEstablished{Fingerprint: got, How: givenKeyHow}, nil
		}
		if normHex(k.Fingerprint) != got {
			return nil, nil, fmt.Errorf("what was established about the given %sverifying key is about key sha256:%s, not sha256:%s", what, short(normHex(k.Fingerprint)), got)
		}
		c := *k
		return given, &c, nil
	}
	if o.Cache == nil {
		return nil, nil, fmt.Errorf("no verifying key given and no key cache to search: %w", keys.ErrNotFound)
	}
	vk, meta, err := o.Cache.FindByFingerprint(want)
	if err == nil && meta.ID.System != system {
		// A receipt relabelled to another proof system names a key the
		// verifier has: a mismatch to reject, not a key to obtain.
		return nil, nil, fmt.Errorf("%sverifying key %s: this verifier's cache holds it as a %s key for %s, not for a %sproof", what, short(fp), meta.ID.System, describe(meta.ID), what)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%sverifying key %s: %w", what, short(fp), err)
	}
	return vk, fromCache(meta), nil
}

// keyFound records the outcome of the key lookup (err) and, when the key
// was found, what is known about it (useKey); false when the proof is not
// to be verified: there is no key, or its bytes did not decode (perr,
// from decoding them on the receipt's curve and system before the lookup).
// Bytes that are not a proof are wrong under every key, so proof.verify
// fails for them even when the key is missing.
func (r *run) keyFound(v *Verdict, o Options, rc *receipt.Receipt, known *KeyEstablished, err, perr error) bool {
	found := false
	if errors.Is(err, keys.ErrNotFound) {
		r.missingKey(v, rc.Proof.KeyFingerprint, err)
	} else if found = r.add("proof.key", err); found {
		r.useKey(v, o.policy(), rc, known)
	}
	switch {
	case perr != nil:
		r.add("proof.verify", fmt.Errorf("the proof bytes are not a %s %s proof, under any key: %w", ProofCurve(rc), rc.Mode, perr))
	case !found:
		r.skip("proof.verify", "no verifying key")
	}
	return found && perr == nil
}

// missingKey records that the verifying key the proof names is not
// available here: the proof could not be checked, which is no evidence
// against the receipt, so the verdict holds (unless another check failed)
// and says which key is needed and how to obtain it.
func (r *run) missingKey(v *Verdict, fp string, err error) {
	fp = "sha256:" + strings.TrimPrefix(fp, "sha256:")
	v.KeyNeeded, r.noKey = fp, true
	r.skip("proof.key", err.Error())
	lacks := "is not in this verifier's key cache"
	if g := (otherKeyGiven{}); errors.As(err, &g) {
		lacks = "was not given (" + g.Error() + ")"
	}
	r.holdAlso(fmt.Sprintf("the proof's verifying key %s %s, so the proof was not checked: "+
		"obtain the key bundle from the node or whoever set the key up (zkpoc keys export %s there), then zkpoc keys import BUNDLE here, or give the verifier the key file", fp, lacks, fp))
}

// verifyProof verifies proof, decoded by proofsystem.ParseProof, under vk
// for the public witness recomputed from the receipt.
func verifyProof(vk proofsystem.VerifyingKey, proof proofsystem.Proof, curve circuits.Curve, m circuits.Method, n, f int, p circuits.Public) error {
	w, err := publicWitness(curve, m, n, f, p)
	if err != nil {
		return err
	}
	return vk.Verify(proof, w)
}

// acceptedKey checks a proof's key fingerprint against the pinned ones.
func acceptedKey(fp string, accept []string) error {
	have := strings.ToLower(strings.TrimPrefix(fp, "sha256:"))
	for _, a := range accept {
		if strings.ToLower(strings.TrimPrefix(a, "sha256:")) == have {
			return nil
		}
	}
	return fmt.Errorf("key %s is not among the %d accepted verifying keys", short(fp), len(accept))
}

// publicWitness is the public part of the statement the verifier recomputed.
func publicWitness(curve circuits.Curve, m circuits.Method, n, f int, p circuits.Public) (witness.Witness, error) {
	assignment, err := circuits.PublicAssignment(m, n, f, p)
	if err != nil {
		return nil, err
	}
	return frontend.NewWitness(assignment, curve.ScalarField(), frontend.PublicOnly())
}

func (r *run) finish(v *Verdict, o Options, rc *receipt.Receipt) *Verdict {
	pol := o.policy()
	v.PolicyDecision.PolicyID = pol.ID
	v.PolicyDecision.PolicyDigest = pol.Digest()
	if rc != nil && len(r.failed()) == 0 {
		r.applyPolicy(pol, rc, v.provenance)
	}
	v.PolicyDecision.Checks = r.checks
	failed := v.Failed()
	v.BlockedClaims = append([]string(nil), receipt.ProverBlockedClaims...)
	switch {
	case len(failed) > 0:
		v.PolicyDecision.Status = Reject
		v.PolicyDecision.Reason = "failed checks: " + strings.Join(failed, ", ")
		v.AllowedClaim = fmt.Sprintf("The verifier path ran on receipt %q under policy %s and rejected it (%s). Nothing about its output may be claimed.",
			short(v.ReceiptID), pol.ID, strings.Join(failed, ", "))
		v.BlockedClaims = append(v.BlockedClaims, "This node computed this output correctly.")
	case r.hold != "":
		v.PolicyDecision.Status = Hold
		v.PolicyDecision.Reason = r.hold
		v.AllowedClaim = fmt.Sprintf("The checks that ran on receipt %q pass, but policy %s holds it: %s. Until the hold is lifted, claim only that node %s bound output digest %s to request %s.",
			short(v.ReceiptID), pol.ID, r.hold, rc.Node.NodeID, rc.OutputDigest, rc.RequestID)
		v.BlockedClaims = append(v.BlockedClaims, "This receipt passed policy "+pol.ID+".")
	default:
		v.PolicyDecision.Status = Pass
		v.PolicyDecision.Reason = r.passReason(rc)
		v.AllowedClaim, v.BlockedClaims = r.claim(pol, rc, v.provenance, v.inputs, v.BlockedClaims)
	}
	if rc != nil {
		v.BlockedClaims = appendNew(v.BlockedClaims, rc.NodeExtraClaims())
	}
	return v
}

// appendNew appends the claims of extra that blocked lacks: claims a node
// blocked itself stay blocked, whatever the verdict.
func appendNew(blocked, extra []string) []string {
	have := make(map[string]bool, len(blocked))
	for _, c := range blocked {
		have[c] = true
	}
	for _, c := range extra {
		if !have[c] {
			have[c] = true
			blocked = append(blocked, c)
		}
	}
	return blocked
}

func (r *run) failed() []string { return r.failedAmong(nil) }

func (r *run) passReason(rc *receipt.Receipt) string {
	switch rc.Mode {
	case receipt.ModePlonk, receipt.ModeGroth16:
		s := fmt.Sprintf("signature, identities, commitments, PoE and the %s proof all verify", map[bool]string{true: "PLONK", false: "Groth16"}[rc.Mode == receipt.ModePlonk])
		if !r.key.established() {
			s += ", under a key whose circuit was not established"
		}
		return s
	case receipt.ModeSampled:
		return fmt.Sprintf("signature, identities, input commitment and PoE verify; %d sampled rows re-executed and matched", rc.Sampling.K)
	}
	return "signature, identities, input commitment and PoE verify (binding only)"
}

// claim is the strongest statement the evidence in a passing receipt
// supports, narrowed by its mode and, for a proof, by what is known about
// its key: its circuit (established or not) and its setup provenance.
func (r *run) claim(pol Policy, rc *receipt.Receipt, provenance, inputs string, blocked []string) (string, []string) {
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	switch rc.Mode {
	case receipt.ModeSampled:
		return sampledClaim(rc, r.sampled, inputs, blocked)
	case receipt.ModeBinding:
		return fmt.Sprintf("Node %s returned output digest %s (the Merkle root of its output rows) for request %s. Nothing is claimed about the output's correctness.",
				rc.Node.NodeID, rc.OutputDigest, rc.RequestID),
			append(blocked, "The output is correct.", "Any part of the output was checked.")
	}
	system := groth16Label(rc)
	if rc.Mode == receipt.ModePlonk {
		system = "PLONK (KZG, " + strings.ToUpper(string(ProofCurve(rc))) + ")"
	}
	if !r.key.established() {
		return r.unestablishedClaim(rc, system, blocked)
	}
	s := fmt.Sprintf("Output digest %s is the correct fixed-point product floor(A·B / 2^%d) of the %d×%d int16 matrices committed as %s (%s), returned by node %s for request %s — under %s key %s, established for circuit %s: %s",
		rc.OutputDigest, f, n, n, rc.InputCommitment, inputs, rc.Node.NodeID, rc.RequestID, system, rc.Proof.KeyFingerprint, describe(r.key.Circuit), r.key.How)
	setup, blocked := r.setupClause(pol, rc, provenance, blocked)
	return s + setup, append(blocked,
		"This proof shows which hardware ran the job or how fast.",
		"The node's public key identifies a real-world operator.")
}
