package verifier

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gowebpki/jcs"

	"github.com/zkpoc/zkpoc/atomicfile"
	"github.com/zkpoc/zkpoc/internal/strictjson"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// Policy is a named, versioned rule for turning verified evidence into a
// decision: which modes may pass, whether a dev setup is enough, and how much
// sampling a sampled receipt needs.
type Policy struct {
	ID          string          `json:"id"`
	Description string          `json:"description"`
	Modes       []protocol.Mode `json:"modes"` // modes that may pass
	// RequireTrustedSetup holds (does not pass) a proof whose keys come from a
	// single-party dev setup or whose setup provenance is unknown.
	RequireTrustedSetup bool `json:"require_trusted_setup"`
	// For sampled receipts: at least MinSamples rows, an error bound at most
	// MaxErrorBound, stated for ε at most MaxEpsilon. Opening every row passes.
	MinSamples    int     `json:"min_samples,omitempty"`
	MaxErrorBound float64 `json:"max_error_bound,omitempty"`
	MaxEpsilon    float64 `json:"max_epsilon,omitempty"`
	// AttackerWorkLog2 is t: the bound of a proof-of-work sample is taken
	// against an attacker with 2^t SHA-256 evaluations, min(1, 2^(t−g)·δ),
	// and must be at most MaxErrorBound. Required when sampled receipts may
	// pass; the claim states it.
	AttackerWorkLog2 int `json:"attacker_work_log2,omitempty"`
	// RequireEstablishedKey holds a proof under a key that nothing showed
	// belongs to the receipt's circuit (KeyEstablished).
	RequireEstablishedKey bool `json:"require_established_key,omitempty"`
	// MinContributions is the least number of contributions per phase a
	// ceremony needs under RequireTrustedSetup (at least 1). A count is not
	// independence: one party can make every contribution, so the claim
	// states the assumption that one contributor per phase was honest.
	MinContributions int `json:"min_contributions,omitempty"`
	// TrustedKeys pins verifying keys to the circuit they belong to and,
	// optionally, to their setup provenance: the policy's author vouches
	// for both.
	TrustedKeys []TrustedKey `json:"trusted_keys,omitempty"`
	// TrustedTranscripts pins ceremony transcripts by digest
	// (keys.TranscriptRecord.Digest, "sha256:…", printed by zkpoc ceremony
	// verify): a key whose transcript record has a pinned digest is
	// established for the record's circuit with the record's provenance.
	TrustedTranscripts []string `json:"trusted_transcripts,omitempty"`
	// TrustedSRS lists the SHA-256 digests (hex) of KZG SRS files whose τ
	// the policy trusts nobody knows: under RequireTrustedSetup a PLONK key
	// passes only if it was set up over or re-derived from one of them.
	TrustedSRS []string `json:"trusted_srs,omitempty"`
}

// TrustedKey is one verifying key a policy pins.
type TrustedKey struct {
	Fingerprint string          `json:"fingerprint"` // hex SHA-256 of the key ("sha256:" optional)
	Circuit     string          `json:"circuit"`
	N           int             `json:"n"`
	FracBits    int             `json:"frac_bits"`
	Curve       protocol.Curve  `json:"curve"`
	System      protocol.System `json:"system"`
	// Provenance is the key's setup as the policy's author knows it, e.g.
	// "mpc(3+3 contributions, beacon …)"; "" pins the circuit only.
	Provenance string `json:"provenance,omitempty"`
}

func (t TrustedKey) id() keys.ID {
	return keys.ID{Circuit: t.Circuit, N: t.N, FracBits: t.FracBits, Curve: t.Curve, System: t.System}
}

func normHex(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "sha256:"))
}

// trustedKey is the pin for the key with fingerprint fp (hex), nil if none.
func (p Policy) trustedKey(fp string) *TrustedKey {
	for i, t := range p.TrustedKeys {
		if normHex(t.Fingerprint) == fp {
			return &p.TrustedKeys[i]
		}
	}
	return nil
}

func (p Policy) trustsTranscript(digest string) bool {
	return slices.ContainsFunc(p.TrustedTranscripts, func(t string) bool { return normHex(t) == normHex(digest) })
}

func (p Policy) trustsSRS(digest string) bool {
	return slices.ContainsFunc(p.TrustedSRS, func(t string) bool { return normHex(t) == normHex(digest) })
}

// DefaultAttackerWorkLog2 is the attacker work the built-in policies state:
// 2^64 SHA-256 evaluations.
const DefaultAttackerWorkLog2 = 64

// BuiltinPolicies are the policies zkpoc ships, by id.
var BuiltinPolicies = map[string]Policy{
	"zk-strict-v1": {ID: "zk-strict-v1", Description: "a Groth16 or PLONK proof under a key established for the receipt's circuit (this machine's own or re-derived key, a ceremony transcript checked against the compiled circuit, or a policy pin), " +
		"from a setup this verifier verified or the policy pins: a multi-party ceremony with at least 2 contributions per phase — sound if at least one contributor per phase was honest; a contributor count is not independence, since one party can make every contribution, so pin the transcripts you trust (trusted_transcripts) — or, for PLONK, an SRS the policy trusts (trusted_srs)",
		Modes: []protocol.Mode{protocol.ModeGroth16, protocol.ModePlonk}, RequireTrustedSetup: true, RequireEstablishedKey: true, MinContributions: 2},
	"zk-dev-v1": {ID: "zk-dev-v1", Description: "a Groth16 proof; a dev setup passes with the forgery caveat in the claim",
		Modes: []protocol.Mode{protocol.ModeGroth16, protocol.ModePlonk}},
	"sampled-v1": {ID: "sampled-v1", Description: "a Groth16 proof, or sampled re-execution whose error bound at ε ≤ 5% is ≤ 2^-20 per verifier challenge, or against an attacker with 2^64 SHA-256 evaluations for proof-of-work sampling",
		Modes: []protocol.Mode{protocol.ModeGroth16, protocol.ModePlonk, protocol.ModeSampled}, MinSamples: 64, MaxErrorBound: 1.0 / (1 << 20), MaxEpsilon: 0.05, AttackerWorkLog2: DefaultAttackerWorkLog2},
	"binding-v1": {ID: "binding-v1", Description: "any evidence; a binding-only receipt passes with a binding-only claim",
		Modes: []protocol.Mode{protocol.ModeGroth16, protocol.ModePlonk, protocol.ModeSampled, protocol.ModeBinding}, MinSamples: 1, MaxErrorBound: 1, MaxEpsilon: 1, AttackerWorkLog2: DefaultAttackerWorkLog2},
}

// PolicyIDs lists the built-in policy ids, sorted.
func PolicyIDs() []string {
	ids := make([]string, 0, len(BuiltinPolicies))
	for id := range BuiltinPolicies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// MaxPolicyBytes bounds a policy file.
const MaxPolicyBytes = 64 << 10

// ErrPolicy is wrapped by policy lookup and validation errors.
var ErrPolicy = errors.New("invalid policy")

// LookupPolicy returns a built-in policy by id, or loads a policy file when
// ref names one (a path containing "/" or ending in ".json").
func LookupPolicy(ref string) (Policy, error) {
	if p, ok := BuiltinPolicies[ref]; ok {
		return p, nil
	}
	if !strings.Contains(ref, "/") && !strings.HasSuffix(ref, ".json") {
		return Policy{}, fmt.Errorf("%w: no built-in policy %q (have %s; or give a .json file)", ErrPolicy, ref, strings.Join(PolicyIDs(), ", "))
	}
	data, err := atomicfile.ReadLimited(ref, MaxPolicyBytes)
	if err != nil {
		return Policy{}, fmt.Errorf("policy: %w", err)
	}
	var p Policy
	if err := strictjson.Unmarshal(data, &p); err != nil {
		return Policy{}, fmt.Errorf("%w: %s: %v", ErrPolicy, ref, err)
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("%s: %w", ref, err)
	}
	return p, nil
}

// Validate reports every problem with a policy at once.
func (p Policy) Validate() error {
	var errs []error
	if p.ID == "" {
		errs = append(errs, errors.New("id is required"))
	}
	if len(p.Modes) == 0 {
		errs = append(errs, errors.New("modes: at least one mode"))
	}
	for _, m := range p.Modes {
		if !m.SNARK() && m != protocol.ModeSampled && m != protocol.ModeBinding {
			errs = append(errs, fmt.Errorf("modes: unknown mode %q", m))
		}
	}
	if p.MinContributions < 0 || p.MinContributions > 1<<12 {
		errs = append(errs, errors.New("min_contributions must be in [0, 4096]"))
	}
	for i, t := range p.TrustedKeys {
		if b, err := hex.DecodeString(normHex(t.Fingerprint)); err != nil || len(b) != sha256.Size {
			errs = append(errs, fmt.Errorf("trusted_keys[%d].fingerprint: want 64 hex digits", i))
		}
		if err := t.id().Validate(); err != nil {
			errs = append(errs, fmt.Errorf("trusted_keys[%d]: %w", i, err))
		}
	}
	for name, list := range map[string][]string{"trusted_transcripts": p.TrustedTranscripts, "trusted_srs": p.TrustedSRS} {
		for i, d := range list {
			if b, err := hex.DecodeString(normHex(d)); err != nil || len(b) != sha256.Size {
				errs = append(errs, fmt.Errorf("%s[%d]: want a SHA-256 digest (64 hex digits, \"sha256:\" optional)", name, i))
			}
		}
	}
	if slices.Contains(p.Modes, protocol.ModeSampled) {
		if p.MinSamples < 1 {
			errs = append(errs, errors.New("min_samples must be ≥ 1 when sampled receipts may pass"))
		}
		if !(p.MaxErrorBound > 0 && p.MaxErrorBound <= 1) {
			errs = append(errs, errors.New("max_error_bound must be in (0, 1]"))
		}
		if !(p.MaxEpsilon > 0 && p.MaxEpsilon <= 1) {
			errs = append(errs, errors.New("max_epsilon must be in (0, 1]"))
		}
		if p.AttackerWorkLog2 < 1 || p.AttackerWorkLog2 > 256 {
			errs = append(errs, errors.New("attacker_work_log2 must be in [1, 256] when sampled receipts may pass (the bound of proof-of-work sampling is stated against 2^t SHA-256 evaluations)"))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrPolicy, errors.Join(errs...))
	}
	return nil
}

// Digest is SHA-256 of the policy's canonical (RFC 8785) JSON, cited in verdicts.
func (p Policy) Digest() string {
	raw, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		return ""
	}
	d := sha256.Sum256(c)
	return "sha256:" + hex.EncodeToString(d[:])
}

func (o Options) policy() Policy {
	if o.Policy != nil {
		return *o.Policy
	}
	return BuiltinPolicies[protocol.DefaultPolicyID]
}

// applyPolicy adds the policy's own checks to a receipt whose evidence all
// verified: a mode it does not accept, or too little sampling, is a failure;
// a proof it would accept only under an established key or a trusted setup
// is held.
func (r *run) applyPolicy(p Policy, rc *receipt.Receipt, provenance string) {
	if !slices.Contains(p.Modes, rc.Mode) {
		r.add("policy.mode", fmt.Errorf("policy %s does not accept %s receipts (accepts %s)", p.ID, rc.Mode, joinModes(p.Modes)))
		return
	}
	r.add("policy.mode", nil)
	switch rc.Mode {
	case protocol.ModeGroth16, protocol.ModePlonk:
		if r.noKey || r.key == nil {
			return // held already: nothing about the key is known
		}
		if p.RequireEstablishedKey && !r.key.established() {
			r.holdAlso(fmt.Sprintf("policy %s requires a key established for the receipt's circuit; key %s's circuit was not established (it was %s): "+
				"import its bundle with the SRS it was made with (PLONK: the key is re-derived) or with the ceremony transcript and beacon (Groth16), or pin it in the policy (trusted_keys, trusted_transcripts)",
				p.ID, rc.Proof.KeyFingerprint, r.key.How))
		}
		if p.RequireTrustedSetup {
			if gap := r.trustedSetupGap(p, rc, provenance); gap != "" {
				r.holdAlso(fmt.Sprintf("policy %s requires keys from a setup it can vouch for (a multi-party ceremony with at least %d contributions per phase whose transcript this verifier verified or the policy pins, or for PLONK an SRS in trusted_srs); %s",
					p.ID, max(1, p.MinContributions), gap))
			}
		}
	case protocol.ModeSampled:
		r.applySamplingPolicy(p)
	}
}

// joinModes lists modes comma-separated.
func joinModes(modes []protocol.Mode) string {
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}
