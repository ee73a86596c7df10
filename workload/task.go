package workload

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/gowebpki/jcs"
)

// ChallengeMatMul is the only challenge type of protocol v1.
const ChallengeMatMul = "matrix_mul"

// DefaultFracBits is the default number of fractional bits f.
const DefaultFracBits = 8

// MaxMatrixSize is the largest accepted matrix size n (bounds allocation).
const MaxMatrixSize = 4096

// MaxFracBits is the largest accepted number of fractional bits; f ∈ [0, MaxFracBits].
const MaxFracBits = 16

// MaxDeadline is the largest accepted deadline: 2^53−1, the largest integer a JCS number
// (an IEEE double) carries exactly.
const MaxDeadline = 1<<53 - 1

// MaxRewardDigits is the number of decimal digits of 2^256−1; rewards must fit in a uint256.
const MaxRewardDigits = 78

// ErrInvalidTask is wrapped by every error that Validate (and the functions built on it) report.
var ErrInvalidTask = errors.New("invalid task")

// maxUint256 is 2^256 − 1.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// Payload is the matrix_mul payload: synthetic (Seed: A and B derived from
// it) or supplied (no Seed; A and B come from files and are identified by
// InputCommitment).
//
// InputCommitment binds the input matrices to the request: request_id covers
// it, so a chain-side check can compare a proof's input_commitment public
// input with the task's. A supplied task always carries it; a synthetic task
// carries it too (anyone can recompute it from the seed) unless it is a v1
// task made before the field existed, which binds its inputs through the seed
// alone: the offline verifier, which regenerates A and B, accepts it, chain
// export refuses it.
//
// The commitment depends on the curve whose Poseidon2 sponge computes it, so
// InputCommitmentAlg names its algorithm (CommitPoseidon2BN254 or
// CommitPoseidon2BLS12381). A synthetic task that carries a commitment must
// name it; a supplied task may omit it, which means CommitPoseidon2BN254, the
// only algorithm a supplied task may use.
type Payload struct {
	Seed               string `json:"seed,omitempty"`                       // 32 bytes, lowercase hex
	InputCommitment    string `json:"input_commitment,omitempty"`           // 32 bytes, lowercase hex (a scalar of the algorithm's curve, big-endian)
	InputCommitmentAlg string `json:"input_commitment_algorithm,omitempty"` // CommitPoseidon2BN254 or CommitPoseidon2BLS12381
	MatrixSize         int    `json:"matrix_size"`
	FracBits           int    `json:"frac_bits"`
}

// Input commitment algorithms (payload.input_commitment_algorithm): the
// Poseidon2 digest of A then B of protocol.InputCommitmentOn, over BN254's
// scalar field (width-16 sponge) or BLS12-381's (width-3 sponge).
const (
	CommitPoseidon2BN254    = "poseidon2-bn254-sponge16/v1"
	CommitPoseidon2BLS12381 = "poseidon2-bls12-381-sponge3/v1"
)

// commitmentCurves maps each input commitment algorithm to the name of the
// curve (protocol.Curve) whose field it is over.
var commitmentCurves = map[string]string{CommitPoseidon2BN254: "bn254", CommitPoseidon2BLS12381: "bls12-381"}

// CommitmentAlgorithmCurve returns the curve name ("bn254", "bls12-381") of
// an input commitment algorithm, and whether the algorithm is known.
func CommitmentAlgorithmCurve(alg string) (string, bool) {
	c, ok := commitmentCurves[alg]
	return c, ok
}

// ComputeTask is the task a worker executes (seed 002).
type ComputeTask struct {
	TaskID        string  `json:"task_id"` // UUID, RFC 4122 text form, lowercase
	ChallengeType string  `json:"challenge_type"`
	Payload       Payload `json:"payload"`
	Reward        string  `json:"reward"`   // integer wei, decimal string, no sign, no leading zeros (except "0")
	Deadline      int64   `json:"deadline"` // unix seconds, JSON integer
}

// FieldError is one problem with one field of a task. It unwraps to ErrInvalidTask.
type FieldError struct {
	Field string // JSON path, e.g. "payload.matrix_size"
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes errors.Is(err, ErrInvalidTask) hold.
func (e *FieldError) Unwrap() error { return ErrInvalidTask }

// DeriveSeed returns SHA-256(blockHash ‖ workerAddress), the block hash as its 32 raw bytes
// and the worker address as UTF-8 bytes.
func DeriveSeed(blockHash [32]byte, workerAddress string) [32]byte {
	h := sha256.New()
	h.Write(blockHash[:])
	h.Write([]byte(workerAddress))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// NewTaskID returns a random version-4 UUID in RFC 4122 lowercase text form.
func NewTaskID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("workload: new task id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:]), nil
}

// NewSyntheticTask builds a matrix_mul task and validates it. The task
// carries no input commitment (the v1 form of the conformance vectors): it
// verifies offline, but chain export refuses its receipts. protocol.NewSyntheticTask
// makes the bound form, with the commitment on a named curve.
func NewSyntheticTask(taskID string, seed [32]byte, n, fracBits int, rewardWei string, deadline int64) (ComputeTask, error) {
	return newTask("synthetic", taskID, Payload{Seed: hex.EncodeToString(seed[:]), MatrixSize: n, FracBits: fracBits}, rewardWei, deadline)
}

// NewSuppliedTask builds a matrix_mul task over supplied matrices, identified
// by their input commitment (protocol.InputCommitment of A then B), and
// validates it.
func NewSuppliedTask(taskID string, inputCommitment [32]byte, n, fracBits int, rewardWei string, deadline int64) (ComputeTask, error) {
	return newTask("supplied", taskID, Payload{InputCommitment: hex.EncodeToString(inputCommitment[:]), MatrixSize: n, FracBits: fracBits}, rewardWei, deadline)
}

func newTask(kind, taskID string, p Payload, rewardWei string, deadline int64) (ComputeTask, error) {
	t := ComputeTask{TaskID: taskID, ChallengeType: ChallengeMatMul, Payload: p, Reward: rewardWei, Deadline: deadline}
	if err := t.Validate(); err != nil {
		return ComputeTask{}, fmt.Errorf("workload: new %s task: %w", kind, err)
	}
	return t, nil
}

// Supplied reports whether the task's matrices are supplied as files
// (identified by payload.input_commitment) rather than derived from a seed.
func (t ComputeTask) Supplied() bool { return t.Payload.Seed == "" && t.Payload.InputCommitment != "" }

// BindsInputs reports whether the task's payload carries the input
// commitment (every supplied task, and synthetic tasks made since the field
// exists), so that request_id binds the input matrices.
func (t ComputeTask) BindsInputs() bool { return t.Payload.InputCommitment != "" }

// CommitmentAlgorithm is the algorithm of payload.input_commitment: the one
// the payload names, CommitPoseidon2BN254 for a supplied task that names none,
// "" for a task that carries no commitment.
func (t ComputeTask) CommitmentAlgorithm() string {
	switch p := t.Payload; {
	case p.InputCommitment == "":
		return ""
	case p.InputCommitmentAlg == "":
		return CommitPoseidon2BN254
	default:
		return p.InputCommitmentAlg
	}
}

// InputCommitmentBytes decodes payload.input_commitment.
func (t ComputeTask) InputCommitmentBytes() ([32]byte, error) {
	return decodeHex32("input commitment", "payload.input_commitment", t.Payload.InputCommitment)
}

// DecodeTask strictly decodes one JSON ComputeTask (unknown fields and trailing data are
// rejected) and validates it.
func DecodeTask(data []byte) (ComputeTask, error) {
	var t ComputeTask
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return ComputeTask{}, fmt.Errorf("workload: decode task: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return ComputeTask{}, errors.New("workload: decode task: trailing data after JSON object")
	}
	if err := t.Validate(); err != nil {
		return ComputeTask{}, fmt.Errorf("workload: decode task: %w", err)
	}
	return t, nil
}

// Validate reports every problem with the task at once (errors.Join of *FieldError values,
// each naming its field); every one wraps ErrInvalidTask.
//
// Rules: task_id is an RFC 4122 UUID in lowercase text form (8-4-4-4-12 hex digits);
// challenge_type is "matrix_mul"; payload.seed (synthetic) or, without it, payload.input_commitment
// (supplied), each 64 lowercase hex digits; a synthetic task may carry payload.input_commitment too,
// and must then name payload.input_commitment_algorithm; a supplied task's algorithm, when named, is
// CommitPoseidon2BN254 (see Payload);
// payload.matrix_size ∈ [1, MaxMatrixSize]; payload.frac_bits ∈ [0, MaxFracBits];
// reward is a canonical non-negative decimal integer (no sign, no leading zeros except "0")
// that fits in a uint256; deadline ∈ [0, 2^53−1].
func (t ComputeTask) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !IsUUID(t.TaskID) {
		add("task_id", "%q is not a lowercase RFC 4122 UUID", clip(t.TaskID))
	}
	if t.ChallengeType != ChallengeMatMul {
		add("challenge_type", "%q is not supported (want %q)", clip(t.ChallengeType), ChallengeMatMul)
	}
	p := t.Payload
	if p.Seed != "" || p.InputCommitment == "" {
		if !isLowerHex(p.Seed, 64) {
			add("payload.seed", "%q is not 32 bytes of lowercase hex", clip(p.Seed))
		}
	}
	if p.InputCommitment != "" && !isLowerHex(p.InputCommitment, 64) {
		add("payload.input_commitment", "%q is not 32 bytes of lowercase hex", clip(p.InputCommitment))
	}
	switch _, known := commitmentCurves[p.InputCommitmentAlg]; {
	case p.InputCommitmentAlg != "" && p.InputCommitment == "":
		add("payload.input_commitment_algorithm", "is set, but the payload has no input_commitment")
	case p.InputCommitmentAlg != "" && !known:
		add("payload.input_commitment_algorithm", "%q is unknown (want %q or %q)", clip(p.InputCommitmentAlg), CommitPoseidon2BN254, CommitPoseidon2BLS12381)
	case p.Seed != "" && p.InputCommitment != "" && p.InputCommitmentAlg == "":
		add("payload.input_commitment_algorithm", "is required with a synthetic task's input_commitment (the commitment depends on the curve): want %q or %q", CommitPoseidon2BN254, CommitPoseidon2BLS12381)
	case p.Seed == "" && p.InputCommitment != "" && t.CommitmentAlgorithm() != CommitPoseidon2BN254:
		add("payload.input_commitment_algorithm", "%q: a supplied task names its matrices by their %s commitment (its sampled and binding receipts carry that one)", clip(p.InputCommitmentAlg), CommitPoseidon2BN254)
	}
	if n := t.Payload.MatrixSize; n < 1 || n > MaxMatrixSize {
		add("payload.matrix_size", "%d is out of range [1, %d]", n, MaxMatrixSize)
	}
	if f := t.Payload.FracBits; f < 0 || f > MaxFracBits {
		add("payload.frac_bits", "%d is out of range [0, %d]", f, MaxFracBits)
	}
	if err := checkWei(t.Reward); err != nil {
		add("reward", "%v", err)
	}
	if t.Deadline < 0 || t.Deadline > MaxDeadline {
		add("deadline", "%d is out of range [0, %d]", t.Deadline, int64(MaxDeadline))
	}
	return errors.Join(errs...)
}

// SeedBytes decodes payload.seed; a supplied task has none.
func (t ComputeTask) SeedBytes() ([32]byte, error) {
	if t.Supplied() {
		return [32]byte{}, errors.New("workload: seed bytes: the task's matrices are supplied (payload.input_commitment), not derived from a seed")
	}
	return decodeHex32("seed bytes", "payload.seed", t.Payload.Seed)
}

// decodeHex32 decodes a payload field of 32 bytes of lowercase hex.
func decodeHex32(what, field, s string) ([32]byte, error) {
	var out [32]byte
	if !isLowerHex(s, 64) {
		return out, fmt.Errorf("workload: %s: %w", what, &FieldError{Field: field,
			Msg: fmt.Sprintf("%q is not 32 bytes of lowercase hex", clip(s))})
	}
	if _, err := hex.Decode(out[:], []byte(s)); err != nil {
		return out, fmt.Errorf("workload: %s: %s: %w", what, field, err)
	}
	return out, nil
}

// CanonicalJSON returns the RFC 8785 (JCS) canonical JSON of a valid task: encoding/json
// output transformed by github.com/gowebpki/jcs. Invalid tasks are refused.
func (t ComputeTask) CanonicalJSON() ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("workload: canonical json: %w", err)
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("workload: canonical json: marshal: %w", err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("workload: canonical json: jcs: %w", err)
	}
	return out, nil
}

// RequestID returns SHA-256 of the task's canonical JSON.
func (t ComputeTask) RequestID() ([32]byte, error) {
	b, err := t.CanonicalJSON()
	if err != nil {
		return [32]byte{}, fmt.Errorf("workload: request id: %w", err)
	}
	return sha256.Sum256(b), nil
}

// checkWei checks a canonical integer wei string that fits in a uint256.
func checkWei(s string) error {
	if s == "" {
		return errors.New("empty, want a decimal integer of wei")
	}
	if len(s) > MaxRewardDigits {
		return fmt.Errorf("%d digits exceed 2^256-1", len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%q is not a decimal integer of wei (digits only, no sign)", clip(s))
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return fmt.Errorf("%q has leading zeros", clip(s))
	}
	v, _ := new(big.Int).SetString(s, 10)
	if v.Cmp(maxUint256) > 0 {
		return fmt.Errorf("%s exceeds 2^256-1", s)
	}
	return nil
}

// IsUUID reports whether s is a task id in the form tasks use: an RFC 4122
// UUID in its 36-character text form, lowercase hex.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// clip shortens attacker-controlled strings quoted in error messages.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
