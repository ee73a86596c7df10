package verifier

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// checkProof verifies the Groth16 evidence against the statement recomputed
// from the task.
func (r *run) checkProof(v *Verdict, o Options, rc *receipt.Receipt, a, b []int16, pubv protocol.Public, digest [32]byte) {
	if rc.Proof == nil {
		r.skip("proof", "no proof box")
		return
	}
	method, err := protocol.ParseMethod(rc.Proof.Circuit)
	if !r.add("proof.circuit", err) {
		return
	}
	n, f := rc.Task.Payload.MatrixSize, rc.Task.Payload.FracBits
	r.add("workload_digest", expect("workload_digest", rc.WorkloadDigest, receipt.WorkloadDigest(method.Name(), n, f)))
	if n > protocol.MaxN {
		r.add("task.payload.matrix_size", fmt.Errorf("n = %d exceeds the circuit limit %d", n, protocol.MaxN))
		return
	}
	pubv.OutputDigest = digest
	r.add("proof.system", errors.Join(expect("proof.system", string(rc.Proof.System), string(rc.Mode)), expect("proof.curve", string(rc.Proof.Curve), string(ProofCurve(rc)))))
	r.add("proof.public_inputs", checkInputs(rc.Proof.PublicInputs, protocol.PublicInputStrings(pubv)))
	if len(o.AcceptKeys) > 0 {
		r.add("proof.key_accepted", acceptedKey(rc.Proof.KeyFingerprint, o.AcceptKeys))
	}
	if rc.Mode == protocol.ModePlonk {
		r.checkPlonkProof(v, o, rc, ProofCurve(rc), pubv)
		return
	}
	proof, perr := keys.ParseProofFor(ProofCurve(rc).ID(), rc.Proof.Bytes)
	vk, known, err := resolveKey(rc.Proof.KeyFingerprint, o)
	if !r.keyFound(v, o, rc, known, err, perr) {
		return
	}
	r.add("proof.verify", verifyProof(vk, proof, ProofCurve(rc), pubv))
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

// resolveKey finds the verifying key the proof names, and what is known
// about it (KeyEstablished).
func resolveKey(fp string, o Options) (groth16.VerifyingKey, *KeyEstablished, error) {
	return findKey(fp, "", o.VK, o, keys.FingerprintHex, keys.Cache.FindByFingerprint)
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

// findKey is the key lookup both proof systems share: a key given by the
// caller is used if it has the fingerprint the proof names (what is known
// about it is Options.KeyEstablished, which must be about that key, or
// nothing), and is otherwise the receipt's key missing (otherKeyGiven);
// without one the local cache is searched by fingerprint and its record
// says what this machine knows of the key. what names the system in errors
// ("" or "PLONK ").
func findKey[VK comparable](fp, what string, given VK, o Options,
	fingerprint func(VK) (string, error), find func(keys.Cache, string) (VK, keys.Meta, error)) (VK, *KeyEstablished, error) {
	var none VK
	want := strings.TrimPrefix(fp, "sha256:")
	if given != none {
		got, err := fingerprint(given)
		if err != nil {
			return none, nil, err
		}
		if got != want {
			return none, nil, otherKeyGiven{what, got}
		}
		k := o.KeyEstablished
		if k == nil {
			return given, &KeyEstablished{Fingerprint: got, How: givenKeyHow}, nil
		}
		if normHex(k.Fingerprint) != got {
			return none, nil, fmt.Errorf("what was established about the given %sverifying key is about key sha256:%s, not sha256:%s", what, short(normHex(k.Fingerprint)), got)
		}
		c := *k
		return given, &c, nil
	}
	if o.Cache == nil {
		return none, nil, fmt.Errorf("no verifying key given and no key cache to search: %w", keys.ErrNotFound)
	}
	vk, meta, err := find(*o.Cache, want)
	if errors.Is(err, keys.ErrNotFound) {
		if m, ok := cachedElsewhere(*o.Cache, want); ok {
			return none, nil, fmt.Errorf("%sverifying key %s: this verifier's cache holds it as a %s key for %s, not for a %sproof", what, short(fp), m.ID.System, describe(m.ID), what)
		}
	}
	if err != nil {
		return none, nil, fmt.Errorf("%sverifying key %s: %w", what, short(fp), err)
	}
	return vk, fromCache(meta), nil
}

// cachedElsewhere finds a cache entry with fingerprint fp of any system: a
// receipt relabelled to another proof system names a key the verifier has,
// which is a mismatch to reject, not a key to obtain.
func cachedElsewhere(c keys.Cache, fp string) (keys.Meta, bool) {
	metas, err := c.List()
	if err != nil {
		return keys.Meta{}, false
	}
	i := slices.IndexFunc(metas, func(m keys.Meta) bool { return strings.EqualFold(m.Fingerprint, fp) })
	if i < 0 {
		return keys.Meta{}, false
	}
	return metas[i], true
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
		"obtain the key bundle from the node or whoever set the key up (zkpoc keys export %s there), then zkpoc keys import BUNDLE here, or pass --key FILE", fp, lacks, fp))
}

// verifyProof verifies proof, decoded by keys.ParseProofFor, under vk.
func verifyProof(vk groth16.VerifyingKey, proof groth16.Proof, curve protocol.Curve, p protocol.Public) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("proof verification panicked: %v", r)
		}
	}()
	w, err := PublicWitness(curve, p)
	if err != nil {
		return err
	}
	if err := groth16.Verify(proof, vk, w, keys.VerifierOptions(protocol.Groth16)...); err != nil {
		return fmt.Errorf("groth16: %w", err)
	}
	return nil
}

// acceptedKey checks a proof's key fingerprint against the pinned ones.
func acceptedKey(fp string, accept []string) error {
	have := strings.ToLower(strings.TrimPrefix(fp, "sha256:"))
	for _, a := range accept {
		if strings.ToLower(strings.TrimPrefix(a, "sha256:")) == have {
			return nil
		}
	}
	return fmt.Errorf("key %s is not among the %d accepted verifying keys (--accept-key)", short(fp), len(accept))
}
