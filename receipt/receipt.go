// Package receipt defines the zkpoc compute receipt (seed 000's fields plus
// the task, node, PoE and proof boxes), its canonical encoding, the
// proof-of-execution binding and the node's DSSE signature over it.
package receipt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gowebpki/jcs"

	"github.com/zkpoc/zkpoc/hardware"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/workload"
)

// Version identifies this receipt schema.
const Version = "zkpoc/receipt/v1"

// Receipt is the signed predicate: what ran, what came out, and the evidence
// for it, each kind of evidence in its own box. The node signs
// policy_decision and allowed_claim as null: a verdict is a verifier's, and
// a verifier writes it in a document of its own (verifier.Verdict), never
// into what the node signed. CheckUnjudged refuses a receipt that has them.
type Receipt struct {
	Version            string               `json:"version"`
	ReceiptID          string               `json:"receipt_id"`
	JobID              string               `json:"job_id"`
	Mode               protocol.Mode        `json:"mode"`
	WorkloadDigest     string               `json:"workload_digest"`
	InputCommitment    string               `json:"input_commitment"`
	OutputDigest       string               `json:"output_digest"`
	OutputDigestAlg    string               `json:"output_digest_algorithm"`
	RequestID          string               `json:"request_id"`
	PoE                string               `json:"poe"`
	Task               workload.ComputeTask `json:"task"`
	Node               Node                 `json:"node"`
	RuntimeMeasurement *RuntimeMeasurement  `json:"runtime_measurement"`
	BenchmarkResult    *BenchmarkResult     `json:"benchmark_result"`
	AttestationResult  *AttestationResult   `json:"attestation_result"`
	Proof              *Proof               `json:"proof"`
	Sampling           *Sampling            `json:"sampling"`
	CostEstimate       *CostEstimate        `json:"cost_estimate"`
	VerifierPolicyID   string               `json:"verifier_policy_id"`
	PolicyDecision     *PolicyDecision      `json:"policy_decision"`
	AllowedClaim       *string              `json:"allowed_claim"`
	BlockedClaims      []string             `json:"blocked_claims"`
}

// Node identifies who ran the job: node_id = SHA-256(public key).
//
// WorkerAddress, when set, is the chain address (seed 002's worker_address,
// "cpc1…") under which the node submits this result: the node signs it with
// the rest of the receipt, and receipt_id covers it, so a ComputeResult built
// from the receipt must name it (chain.FromReceipt). It is omitted when
// empty, so receipts made before it existed keep their receipt_id.
type Node struct {
	PublicKey     string `json:"public_key"` // Ed25519, 32 bytes hex
	NodeID        string `json:"node_id"`    // hex
	WorkerAddress string `json:"worker_address,omitempty"`
}

// RuntimeMeasurement describes the native execution: capacity context only.
// LogicalCores is the CPU package's count as cpuid reports it, which a VM or
// container may see only part of; UsableCPUs is what the process could use
// (affinity and cgroup quota, hardware.ProcessCPUs; 0 in receipts made before
// it was recorded); Goroutines is GOMAXPROCS.
type RuntimeMeasurement struct {
	Type          string             `json:"type"`
	Executor      string             `json:"executor"`
	CPU           string             `json:"cpu"`
	LogicalCores  int                `json:"logical_cores"`
	UsableCPUs    int                `json:"usable_cpus,omitempty"`
	Goroutines    int                `json:"goroutines"`
	NativeSeconds float64            `json:"native_seconds"`
	Hardware      *hardware.Hardware `json:"hardware,omitempty"` // the probe: CPU features, caches, GPUs
	ClaimLimit    string             `json:"claim_limit"`
}

// BenchmarkResult records what proving cost on this host: capacity context only.
type BenchmarkResult struct {
	ID           string  `json:"id"`
	Constraints  int     `json:"constraints"`
	ProveSeconds float64 `json:"prove_seconds"`
	SetupCached  bool    `json:"setup_cached"`
	ClaimLimit   string  `json:"claim_limit"`
}

// AttestationResult records runtime attestation evidence, or its absence.
type AttestationResult struct {
	Status     string `json:"status"` // "none" when no TEE or hardware attestation was collected
	Verifier   string `json:"verifier,omitempty"`
	Evidence   string `json:"evidence_digest,omitempty"`
	ClaimLimit string `json:"claim_limit"`
}

// Proof is the SNARK evidence box.
type Proof struct {
	System          protocol.System `json:"system"` // "groth16" or "plonk", the receipt's mode
	Curve           protocol.Curve  `json:"curve"`  // "bn254" or "bls12-381"
	Circuit         string          `json:"circuit"`
	KeyFingerprint  string          `json:"key_fingerprint"` // "sha256:<hex of serialized VK>"
	SetupProvenance string          `json:"setup_provenance"`
	Bytes           []byte          `json:"bytes"`         // gnark's compressed proof encoding, base64 in JSON
	PublicInputs    []string        `json:"public_inputs"` // decimal field elements, in circuit order
}

// Output digest algorithms. A groth16 receipt's output digest is the
// circuit's Poseidon2 digest; sampled and binding receipts commit to the
// output rows in an RFC 6962 SHA-256 Merkle tree instead, so that single
// rows can be opened.
const (
	// (protocol.OutputDigestAlgorithm names a SNARK receipt's.)
	DigestMerkleRows = "sha256-rfc6962-rows/v1"
	CostModelVersion = "zkpoc-cost/v1"
)

// Sampling methods (package sampling documents each derivation and its
// soundness argument).
const (
	// SamplingMethodPoW: Fiat–Shamir over the committed root hardened by a
	// proof of work of pow_bits bits; the bound is stated against an
	// attacker's total SHA-256 work.
	SamplingMethodPoW = "fiat-shamir-pow-sha256/v2"
	// SamplingMethodChallenge: rows from a challenge issued after the root
	// was committed (by the verifier, a coordinator or a later public
	// beacon); a verifier relies on it only when it knows the challenge.
	SamplingMethodChallenge = "challenge-sha256/v2"
	// SamplingMethodFSv1 drew the rows from values the prover controls, so
	// a node could re-roll its root until the sample missed its wrong rows.
	// Verifiers refuse it.
	SamplingMethodFSv1 = "fiat-shamir-sha256/v1"
)

// Sampling is the evidence box of a sampled receipt: the Merkle root of the
// output rows (the output digest), the k rows opened, their audit paths, and
// where the randomness that chose them came from: a proof-of-work nonce
// (pow_bits, nonce) or a challenge. A verifier recomputes those rows, checks
// them against the root, and recomputes the error bound itself.
type Sampling struct {
	Method  string  `json:"method"`
	Rows    int     `json:"rows"`    // leaves in the tree: n
	K       int     `json:"k"`       // rows sampled
	Epsilon float64 `json:"epsilon"` // the wrong-row fraction the bound is stated for
	// ErrorBound is the per-attempt probability C(n−w, k)/C(n, k), w = ⌈ε·n⌉,
	// that an output with ≥ ε of its rows wrong passes (0 when k > n − w).
	ErrorBound float64 `json:"error_bound"`
	PoWBits    int     `json:"pow_bits,omitempty"`  // SamplingMethodPoW: g, leading zero bits of SHA-256(c ‖ nonce)
	Nonce      string  `json:"nonce,omitempty"`     // SamplingMethodPoW: 8 bytes, hex
	Challenge  string  `json:"challenge,omitempty"` // SamplingMethodChallenge: hex
	Indices    []int   `json:"indices"`
	// Paths: per sampled row, its sibling hashes (hex), leaf side first.
	Paths [][]string `json:"paths"`
}

// CostEstimate records what the prover expected proving to cost, the budget
// it had and the mode it chose as a result, with the reason in plain words.
type CostEstimate struct {
	Model             string  `json:"model"`
	Coefficients      string  `json:"coefficients"` // "defaults" or where calibrated ones came from
	Constraints       int     `json:"constraints"`
	ProveSeconds      float64 `json:"prove_seconds"`
	SetupSeconds      float64 `json:"setup_seconds"` // 0 when keys were cached
	PeakMemoryBytes   int64   `json:"peak_memory_bytes"`
	BudgetSeconds     float64 `json:"budget_seconds"`
	BudgetMemoryBytes int64   `json:"budget_memory_bytes"`
	Decision          string  `json:"decision"` // the mode chosen
	Reason            string  `json:"reason"`
}

// PolicyDecision is a verifier's: pass, reject or hold, and why. It appears
// in a verifier's verdict; in a signed receipt it must be null.
type PolicyDecision struct {
	Status       string  `json:"status"`
	Reason       string  `json:"reason"`
	PolicyID     string  `json:"policy_id"`
	PolicyDigest string  `json:"policy_digest,omitempty"`
	Checks       []Check `json:"checks"`
}

// Check is one verification step and its outcome.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // pass, fail, skip
	Detail string `json:"detail,omitempty"`
}

// ProverBlockedClaims are the claims no zkpoc receipt supports, whatever its
// evidence. Every receipt's blocked_claims lists them all; a node may add
// claims of its own (CheckBlockedClaims).
var ProverBlockedClaims = []string{
	"This benchmark proves this job completed.",
	"This runtime measurement proves the node is faster than others.",
	"This receipt proves the output is useful beyond the fixed-point product it names.",
	"This receipt proves anything about jobs other than the one request it names.",
}

// WorkloadDigest names the exact computation: the fixed-point semantics of
// DESIGN.md v1, the circuit, n and f.
func WorkloadDigest(circuit string, n, fracBits int) string {
	s := fmt.Sprintf("zkpoc/workload/v1;challenge=%s;semantics=floor(A*B/2^f),int16,int64-acc;circuit=%s;n=%d;f=%d",
		workload.ChallengeMatMul, circuit, n, fracBits)
	d := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(d[:])
}

// ComputeID returns the receipt_id: SHA-256 of the canonical (RFC 8785)
// encoding of the receipt with receipt_id cleared. It covers everything else
// the node signs, policy_decision and allowed_claim included (null in every
// valid receipt, so they add nothing to an honest receipt's id).
func (r Receipt) ComputeID() (string, error) {
	r.ReceiptID = ""
	raw, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("receipt id: %w", err)
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		return "", fmt.Errorf("receipt id: canonical json: %w", err)
	}
	d := sha256.Sum256(c)
	return "rcpt_" + hex.EncodeToString(d[:16]), nil
}

// ErrMissingFields is wrapped by Validate when required fields are absent.
var ErrMissingFields = errors.New("receipt is missing required fields")

// Validate reports every missing or malformed required field at once.
func (r *Receipt) Validate() error {
	var missing []string
	need := func(cond bool, name string) {
		if !cond {
			missing = append(missing, name)
		}
	}
	need(r.Version != "", "version")
	need(r.ReceiptID != "", "receipt_id")
	need(r.JobID != "", "job_id")
	need(r.Mode != "", "mode")
	need(r.WorkloadDigest != "", "workload_digest")
	need(r.InputCommitment != "", "input_commitment")
	need(r.OutputDigest != "", "output_digest")
	need(r.OutputDigestAlg != "", "output_digest_algorithm")
	need(r.RequestID != "", "request_id")
	need(r.PoE != "", "poe")
	need(r.Task.TaskID != "", "task.task_id")
	need(r.Node.PublicKey != "", "node.public_key")
	need(r.Node.NodeID != "", "node.node_id")
	need(r.RuntimeMeasurement != nil, "runtime_measurement")
	need(r.BenchmarkResult != nil, "benchmark_result")
	need(r.AttestationResult != nil, "attestation_result")
	need(r.VerifierPolicyID != "", "verifier_policy_id")
	if r.Mode == protocol.ModeSampled {
		need(r.Sampling != nil, "sampling")
	}
	if r.Mode.SNARK() {
		need(r.Proof != nil, "proof")
		if r.Proof != nil {
			need(r.Proof.System != "", "proof.system")
			need(r.Proof.Curve != "", "proof.curve")
			need(r.Proof.Circuit != "", "proof.circuit")
			need(r.Proof.KeyFingerprint != "", "proof.key_fingerprint")
			need(r.Proof.SetupProvenance != "", "proof.setup_provenance")
			need(len(r.Proof.Bytes) > 0, "proof.bytes")
			need(len(r.Proof.PublicInputs) > 0, "proof.public_inputs")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrMissingFields, strings.Join(missing, ", "))
	}
	return nil
}

// ErrNodeVerdict is wrapped by CheckUnjudged's errors: the node's signed
// receipt carries a box only a verifier may write, or drops a standard
// blocked claim.
var ErrNodeVerdict = errors.New("written by the node, not a verifier")

// CheckPolicyDecision reports a policy_decision the node put in its signed
// receipt: a decision there is the node judging itself, whatever it says
// (an empty object included), so it must be null.
func (r *Receipt) CheckPolicyDecision() error {
	if d := r.PolicyDecision; d != nil {
		return fmt.Errorf("policy_decision: %w: a signed receipt must leave it null; this one says status %q under policy %q",
			ErrNodeVerdict, truncate(d.Status, 40), truncate(d.PolicyID, 80))
	}
	return nil
}

// CheckAllowedClaim reports an allowed_claim the node put in its signed
// receipt (an empty string included): the claim is the verifier's to state.
func (r *Receipt) CheckAllowedClaim() error {
	if c := r.AllowedClaim; c != nil {
		return fmt.Errorf("allowed_claim: %w: a signed receipt must leave it null; this one claims %q", ErrNodeVerdict, truncate(*c, 80))
	}
	return nil
}

// CheckBlockedClaims reports standard blocked claims (ProverBlockedClaims)
// missing from the receipt's blocked_claims. Claims the node adds only
// narrow what may be said, and are allowed.
func (r *Receipt) CheckBlockedClaims() error {
	var missing []string
	for _, c := range ProverBlockedClaims {
		if !slices.Contains(r.BlockedClaims, c) {
			missing = append(missing, strconv.Quote(c))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("blocked_claims: %w: %d of the %d standard blocked claims removed: %s",
			ErrNodeVerdict, len(missing), len(ProverBlockedClaims), strings.Join(missing, ", "))
	}
	return nil
}

// CheckUnjudged checks the boxes a node must not fill or empty in what it
// signs (CheckPolicyDecision, CheckAllowedClaim, CheckBlockedClaims),
// reporting every problem at once, each naming its field.
func (r *Receipt) CheckUnjudged() error {
	return errors.Join(r.CheckPolicyDecision(), r.CheckAllowedClaim(), r.CheckBlockedClaims())
}

// NodeExtraClaims are the blocked claims the node added beyond the standard
// ones, in order, each once (linear time: a hostile receipt may list many).
func (r *Receipt) NodeExtraClaims() []string {
	seen := make(map[string]bool, len(ProverBlockedClaims))
	for _, c := range ProverBlockedClaims {
		seen[c] = true
	}
	var out []string
	for _, c := range r.BlockedClaims {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// DecodeHex32 parses a 32-byte lowercase hex value, naming the field on error.
func DecodeHex32(field, s string) ([32]byte, error) {
	var out [32]byte
	s = strings.TrimPrefix(s, "sha256:")
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 || strings.ToLower(s) != s {
		return out, fmt.Errorf("%s: want 64 lowercase hex characters, have %q", field, truncate(s, 80))
	}
	copy(out[:], b)
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
