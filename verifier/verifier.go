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

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// Decision statuses.
const (
	Pass   = "pass"
	Reject = "reject"
	Hold   = "hold"
)

// Hold codes (Verdict.HoldCodes): what a held verdict waits for.
const (
	HoldKeyNeeded         = "key_needed"          // the proof's verifying key is not available here
	HoldKeyNotEstablished = "key_not_established" // the policy requires a key established for the receipt's circuit
	HoldSetupNotTrusted   = "setup_not_trusted"   // the policy requires a setup it can vouch for
	HoldInputsNeeded      = "inputs_needed"       // a supplied task's matrices are needed to re-execute sampled rows
	HoldChallengeNeeded   = "challenge_needed"    // a challenge-method sample needs the verifier's own challenge and root
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
	// HoldCodes name what a held verdict waits for, sorted (the Hold*
	// constants); nil unless the status is Hold.
	HoldCodes []string `json:"hold_codes,omitempty"`

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
	VK proofsystem.VerifyingKey
	// Cache is the key cache searched by fingerprint (the zero Cache: none).
	Cache keys.Cache
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
	// RowProduct, when set, computes rows idx of C' = floor(A·B / 2^f)
	// (row idx[t] at [t·n, (t+1)·n)) for the re-execution of a sampled
	// receipt's rows: the CLI passes package native's MultiplyRows (an
	// exact float64 FMA kernel, about 10× faster at n = 4096); nil uses the
	// reference workload.MultiplyRow. Whichever computes them, one row is
	// also recomputed with the reference and a disagreement fails
	// sampling.rows_match, so a faulty executor cannot pass a wrong row
	// unnoticed on every row it computes.
	RowProduct func(A, B []int16, n, fracBits int, idx []int) ([]int64, error)
}

type run struct {
	checks    []receipt.Check
	hold      string          // why the policy holds evidence that verified, "" if it does not
	holdCodes []string        // the codes of hold's reasons
	sampled   *sampleFacts    // a sampled receipt's recomputed bound
	noKey     bool            // the proof's verifying key is not available: it was not checked
	key       *KeyEstablished // what is known about the proof's key, once found
	rows      *pendingRows    // sampled rows started before the input commitment was checked
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
	if env == nil {
		r.add("envelope.payload", errors.New("no envelope"))
		return r.finish(v, o, nil)
	}
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
		id := protocol.NodeID(pub)
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
	nodeID := protocol.NodeID(pub)
	var digest [32]byte
	switch rc.Mode {
	case protocol.ModeGroth16, protocol.ModePlonk:
		r.add("output_digest_algorithm", expect("output_digest_algorithm", rc.OutputDigestAlg, protocol.OutputDigestAlgorithm(ProofCurve(rc))))
		od, err := parseFieldOn(ProofCurve(rc), "output_digest", rc.OutputDigest)
		if r.add("output_digest", err) {
			od.FillBytes(digest[:])
		}
	case protocol.ModeSampled, protocol.ModeBinding:
		r.add("output_digest_algorithm", expect("output_digest_algorithm", rc.OutputDigestAlg, receipt.DigestMerkleRows))
		digest, err = receipt.DecodeHex32("output_digest", rc.OutputDigest)
		r.add("output_digest", err)
	default:
		r.add("mode", fmt.Errorf("unknown mode %q (want groth16, plonk, sampled or binding)", short(string(rc.Mode))))
		return r.finish(v, o, rc)
	}
	r.add("mode", nil)
	r.add("mode.evidence", checkEvidence(rc))
	poe := protocol.PoE(reqID, digest, nodeID)
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
	if rc.Mode.SNARK() && n > protocol.MaxN { // no circuit has it: refused before the inputs are regenerated (seconds at n = 4096)
		r.add("task.payload.matrix_size", fmt.Errorf("n = %d exceeds the circuit limit %d", n, protocol.MaxN))
		r.skip("input_commitment", "no SNARK proves n above the circuit limit")
		return r.finish(v, o, rc)
	}
	a, b, ic, ok := r.inputs(v, rc, o)
	if !ok {
		return r.finish(v, o, rc)
	}
	r.add("input_commitment", expect("input_commitment", rc.InputCommitment, hex.EncodeToString(ic[:])))

	switch rc.Mode {
	case protocol.ModeGroth16, protocol.ModePlonk:
		r.checkProof(v, o, rc, a, b, protocol.Public{RequestID: reqID, NodeID: nodeID, InputCommitment: ic, PoE: poe}, digest)
	case protocol.ModeSampled:
		r.add("workload_digest", expect("workload_digest", rc.WorkloadDigest, receipt.WorkloadDigest("none", n, f)))
		r.checkSampling(rc, o, a, b, digest, reqID, nodeID)
	case protocol.ModeBinding:
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
	if rc.Proof != nil && !rc.Mode.SNARK() {
		errs = append(errs, fmt.Errorf("proof: a %s receipt carries no proof box (only groth16 and plonk receipts do)", rc.Mode))
	}
	if rc.Sampling != nil && rc.Mode != protocol.ModeSampled {
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
func (r *run) skipCostly(mode protocol.Mode, why string) {
	r.skip("input_commitment", why)
	switch mode {
	case protocol.ModeGroth16, protocol.ModePlonk:
		r.skip("proof.verify", why)
	case protocol.ModeSampled:
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
	curve := protocol.BN254 // sampled and binding receipts commit on BN254
	if rc.Mode.SNARK() {
		curve = ProofCurve(rc)
	}
	if tc, bound, err := protocol.TaskCurve(t); err != nil || bound && rc.Mode.SNARK() && curve != tc {
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
	a, b, err := protocol.Matrices(t, o.A, o.B)
	var checked protocol.Commitment
	if err == nil {
		r.startRows(rc, o, a, b) // while the commitment is hashed: used only if it passes
		checked, err = protocol.CheckInputs(t, a, b)
	}
	if !r.add(name, err) {
		return nil, nil, ic, false
	}
	if !t.BindsInputs() {
		r.skip("task.payload.input_commitment", "a v1 task: its payload carries no input commitment, so request_id binds the inputs through the seed alone (regenerated here); chain export refuses its receipts")
	}
	// The commitment over curve of the matrices just regenerated or read
	// (reused when InputsCommitted hashed them over curve already): the
	// receipt's input_commitment is compared with it.
	ic, _ = checked.On(curve, a, b, n, f)
	return a, b, ic, true
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
func ProofCurve(rc *receipt.Receipt) protocol.Curve {
	if rc.Mode.SNARK() && rc.Proof != nil {
		if c, err := protocol.ParseCurve(string(rc.Proof.Curve)); err == nil {
			return c
		}
	}
	return protocol.BN254
}

// parseField decodes 32-byte hex into a canonical BN254 scalar (< p).
func parseField(field, s string) (*big.Int, error) { return parseFieldOn(protocol.BN254, field, s) }

// parseFieldOn decodes 32-byte hex into a canonical scalar of the curve (< r).
func parseFieldOn(curve protocol.Curve, field, s string) (*big.Int, error) {
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
