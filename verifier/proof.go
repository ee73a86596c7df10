package verifier

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// checkProof verifies the SNARK evidence (either system) against the statement recomputed
// from the task.
func (r *run) checkProof(v *Verdict, o Options, rc *receipt.Receipt, a, b []int16, pubv protocol.Public, digest [32]byte) {
	if rc.Proof == nil {
		r.skip("proof", "no proof box")
		return
	}
	system := protocol.Groth16
	if rc.Mode == protocol.ModePlonk {
		system = protocol.Plonk
	}
	method, err := protocol.ParseMethod(rc.Proof.Circuit)
	if err == nil {
		err = method.Supports(system, ProofCurve(rc), rc.Task.Supplied())
	}
	if !r.add("proof.circuit", err) {
		return
	}
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	r.add("workload_digest", expect("workload_digest", rc.WorkloadDigest, receipt.WorkloadDigest(method.Name(), n, f)))
	pubv.OutputDigest = digest // n ≤ protocol.MaxN: Verify refused larger SNARK tasks before regenerating their inputs
	r.add("proof.system", errors.Join(expect("proof.system", string(rc.Proof.System), string(rc.Mode)), expect("proof.curve", string(rc.Proof.Curve), string(ProofCurve(rc)))))
	var st statement
	if method == protocol.Synthetic {
		st = syntheticStatement(rc, a, b, pubv)
	} else {
		st = matmulStatement(rc, system, pubv)
	}
	if st.inputs == nil {
		r.skip("proof.public_inputs", st.why)
	} else {
		r.add("proof.public_inputs", checkInputs(rc.Proof.PublicInputs, st.inputs))
	}
	if len(o.AcceptKeys) > 0 {
		r.add("proof.key_accepted", acceptedKey(rc.Proof.KeyFingerprint, o.AcceptKeys))
	}
	vk, known, err := resolveKey(rc.Proof.KeyFingerprint, system, o)
	if !r.keyFound(v, o, rc, known, err, st.perr) {
		return
	}
	r.add("proof.verify", st.verify(vk))
}

// statement is what a proof is checked against: the public inputs the
// verifier computed (nil, with why, when they could not be), the error of
// decoding the proof bytes, and the verification under a key.
type statement struct {
	inputs []string
	why    string
	perr   error
	verify func(proofsystem.VerifyingKey) error
}

// matmulStatement is a MatMul method's: every public input recomputed from
// the receipt and the task (protocol.PublicInputs).
func matmulStatement(rc *receipt.Receipt, system protocol.System, pubv protocol.Public) statement {
	proof, perr := proofsystem.ParseProof(rc.Proof.Bytes, system, ProofCurve(rc))
	return statement{inputs: protocol.PublicInputStrings(pubv), perr: perr, verify: func(vk proofsystem.VerifyingKey) error {
		return verifyProof(vk, proof, ProofCurve(rc), pubv)
	}}
}

// syntheticStatement is freivalds-s2's (VerifySynthetic, whose argument
// this is): s = uᵀ·A·B·v at the r the proof's commitment yields, computed
// here from the A and B the verifier regenerated from the task's seed (a
// and b), never read from the receipt; the output digest and PoE are the
// receipt's, checked against the task and node by the caller (pubv). The
// key must have freivalds-s2's shape; that it is the key for this task's
// (n, f) is useKey's check of what established it (proof.key_circuit).
func syntheticStatement(rc *receipt.Receipt, a, b []int16, pubv protocol.Public) statement {
	proof, perr := syntheticProof(rc.Proof.Bytes)
	st := statement{perr: perr}
	if perr != nil {
		st.why = "the proof bytes do not decode, so there is no commitment to derive r and s from"
		return st
	}
	r, err := protocol.SyntheticChallenge(protocol.BN254, proof.Commitments[0].Marshal())
	var s *big.Int
	if err == nil {
		s, err = protocol.SyntheticCheck(protocol.BN254, r, a, b, rc.Task.Payload.MatrixSize)
	}
	if err != nil {
		st.perr = fmt.Errorf("s = uᵀ·A·B·v at the proof's challenge: %w", err)
		st.why = st.perr.Error()
		return st
	}
	st.inputs = protocol.SyntheticPublicInputStrings(pubv, s)
	st.verify = func(vk proofsystem.VerifyingKey) error {
		gvk, err := syntheticKey(vk)
		if err != nil {
			return fmt.Errorf("not a %s verifying key: %w", protocol.SyntheticCircuitID, err)
		}
		w, err := publicWitnessOf(protocol.BN254, protocol.SyntheticPublicInputs(pubv, s))
		if err != nil {
			return err
		}
		return verifyGroth16(proof, gvk, w)
	}
	return st
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
func resolveKey(fp string, system protocol.System, o Options) (proofsystem.VerifyingKey, *KeyEstablished, error) {
	if o.VK != nil && o.VK.System() != system {
		if system == protocol.Plonk {
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
func findKey(fp string, system protocol.System, o Options) (proofsystem.VerifyingKey, *KeyEstablished, error) {
	what := ""
	if system == protocol.Plonk {
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
	if o.Cache.Dir == "" {
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
	r.holdAlso(HoldKeyNeeded, fmt.Sprintf("the proof's verifying key %s %s, so the proof was not checked: "+
		"obtain the key bundle from the node or whoever set the key up (zkpoc keys export %s there), then zkpoc keys import BUNDLE here, or give the verifier the key file", fp, lacks, fp))
}

// verifyProof verifies proof, decoded by proofsystem.ParseProof, under vk
// for the public witness recomputed from the receipt.
func verifyProof(vk proofsystem.VerifyingKey, proof proofsystem.Proof, curve protocol.Curve, p protocol.Public) error {
	w, err := PublicWitness(curve, p)
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
