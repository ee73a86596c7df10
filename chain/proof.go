package chain

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
	"github.com/zkpoc/zkpoc/workload"
)

// zk_compute_proof encoding, version 1.
//
// The block header's zk_compute_proof and a ComputeResult's proof carry this
// byte string, base64 (standard alphabet, padded) in JSON. It is
// self-describing, so a light client can check it with nothing but the
// verifying key (found by the fingerprint it names). All integers are
// big-endian; every length is bounded before anything is allocated; trailing
// bytes are rejected.
//
//	offset      size  field
//	0           4     magic "ZKPC" (5a 4b 50 43)
//	4           1     format version: 0x01
//	5           1     proof system: 0x01 = Groth16
//	6           1     curve: 0x01 = BN254
//	7           1     L: circuit id length, 1..64
//	8           L     circuit id, ASCII [a-z0-9.-], e.g. "freivalds-v5"
//	8+L         2     n: matrix size, u16, 1..4096
//	10+L        1     f: fractional bits, u8, 0..16
//	11+L        32    VK fingerprint: SHA-256 of gnark's compressed
//	                  VerifyingKey.WriteTo bytes (the receipt's key_fingerprint)
//	43+L        2     P: proof length, u16, 164..1024
//	45+L        P     proof: gnark's compressed Groth16 encoding (Proof.WriteTo):
//	                    Ar (G1, 32) ‖ Bs (G2, 64) ‖ Krs (G1, 32) ‖
//	                    u32 c = commitment count (0..8) ‖ c × commitment (G1, 32) ‖
//	                    commitment proof of knowledge (G1, 32);
//	                  P must equal 164 + 32·c
//	45+L+P      1     K: public input count, 1..64
//	46+L+P      32·K  public inputs in circuit order, each a canonical BN254
//	                  scalar field element (< r) as 32 bytes big-endian
//
// For zkpoc's circuit (freivalds-v5, one commitment, 4 public inputs:
// input_commitment; output_digest; PoE hi, lo) that is
// 46 + 12 + 196 + 128 = 382 bytes (512 characters of base64).
//
// The public inputs are the prover's choice: a proof that verifies under the
// key says only that some matrices (behind input_commitment) have some
// product (behind output_digest), for some request and node (behind the
// PoE). A chain-side check must compare them with the task it issued and the
// node that answers it (Binding, CheckBinding; Verify and VerifyComputeResult
// do): input_commitment must be the task's payload.input_commitment and the
// PoE SHA-256(request_id ‖ output_digest ‖ node_id).

// Encoding constants.
const (
	ComputeProofMagic   = "ZKPC"
	ComputeProofVersion = 1
	// SystemCodeGroth16 and CurveCodeBN254 are the encoding's bytes for
	// protocol.Groth16 and protocol.BN254, the only system and curve an EVM
	// verifies.
	SystemCodeGroth16 = 1
	CurveCodeBN254    = 1

	MaxCircuitIDLen   = 64
	MaxProofLen       = proofsystem.MaxGroth16ProofBytes
	MaxCommitments    = proofsystem.MaxProofCommitments
	MaxPublicInputs   = 64
	maxComputeProofSz = 4 + 3 + 1 + MaxCircuitIDLen + 2 + 1 + 32 + 2 + MaxProofLen + 1 + 32*MaxPublicInputs
)

// PoEInputIndex is the index of the PoE's high half among the circuit's public
// inputs (the low half follows): input_commitment; output_digest; PoE hi, lo
// (protocol.PublicInputs).
const PoEInputIndex = protocol.PoEInputIndex

// ErrComputeProof is wrapped by every DecodeComputeProof and encoding error.
var ErrComputeProof = errors.New("malformed zk_compute_proof")

// ComputeProof is a decoded zk_compute_proof.
type ComputeProof struct {
	Version       uint8
	System        uint8 // SystemCodeGroth16
	Curve         uint8 // CurveCodeBN254
	Circuit       string
	N             int
	FracBits      int
	VKFingerprint [32]byte
	Proof         []byte     // gnark's compressed Groth16 proof
	PublicInputs  [][32]byte // big-endian canonical field elements
}

// EncodeComputeProof builds the zk_compute_proof bytes of a Groth16 receipt.
func EncodeComputeProof(r *receipt.Receipt) ([]byte, error) {
	cp, err := ComputeProofFromReceipt(r)
	if err != nil {
		return nil, err
	}
	return cp.Encode()
}

// ComputeProofFromReceipt extracts the proof box of a Groth16 receipt,
// after checking that its public inputs are bound to the receipt's task and
// node (CheckBinding with ReceiptBinding): a task without an input commitment
// is refused (ErrUnboundTask).
func ComputeProofFromReceipt(r *receipt.Receipt) (*ComputeProof, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil receipt", ErrComputeProof)
	}
	p := r.Proof
	if r.Mode != protocol.ModeGroth16 || p == nil {
		return nil, fmt.Errorf("%w: receipt %s has mode %q and no Groth16 proof", ErrComputeProof, r.ReceiptID, r.Mode)
	}
	if p.System != protocol.Groth16 || p.Curve != protocol.BN254 {
		return nil, fmt.Errorf("%w: receipt %s: unsupported proof %s/%s (want groth16/bn254)", ErrComputeProof, r.ReceiptID, p.System, p.Curve)
	}
	if err := offChain(r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrComputeProof, err)
	}
	fp, err := receipt.DecodeHex32("proof.key_fingerprint", p.KeyFingerprint)
	if err != nil || !strings.HasPrefix(p.KeyFingerprint, "sha256:") {
		return nil, fmt.Errorf("%w: receipt %s: key fingerprint %q is not sha256:<64 hex>", ErrComputeProof, r.ReceiptID, p.KeyFingerprint)
	}
	cp := &ComputeProof{
		Version:       ComputeProofVersion,
		System:        SystemCodeGroth16,
		Curve:         CurveCodeBN254,
		Circuit:       p.Circuit,
		N:             r.Task.Payload.MatrixSize,
		FracBits:      r.Task.Payload.FracBits,
		VKFingerprint: fp,
		Proof:         append([]byte(nil), p.Bytes...),
	}
	if cp.PublicInputs, err = publicInputBytes(p.PublicInputs); err != nil {
		return nil, fmt.Errorf("%w: receipt %s: %v", ErrComputeProof, r.ReceiptID, err)
	}
	if err := cp.check(); err != nil {
		return nil, fmt.Errorf("receipt %s: %w", r.ReceiptID, err)
	}
	b, err := ReceiptBinding(r)
	if err != nil {
		return nil, err
	}
	if err := cp.CheckBinding(b); err != nil {
		return nil, fmt.Errorf("receipt %s: %w", r.ReceiptID, err)
	}
	return cp, nil
}

// Encode returns the zk_compute_proof bytes, after checking every field
// against the bounds DecodeComputeProof enforces.
func (cp *ComputeProof) Encode() ([]byte, error) {
	if err := cp.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(ComputeProofMagic)
	b.Write([]byte{cp.Version, cp.System, cp.Curve, byte(len(cp.Circuit))})
	b.WriteString(cp.Circuit)
	b.Write(binary.BigEndian.AppendUint16(nil, uint16(cp.N)))
	b.WriteByte(byte(cp.FracBits))
	b.Write(cp.VKFingerprint[:])
	b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(cp.Proof))))
	b.Write(cp.Proof)
	b.WriteByte(byte(len(cp.PublicInputs)))
	for _, x := range cp.PublicInputs {
		b.Write(x[:])
	}
	return b.Bytes(), nil
}

func (cp *ComputeProof) check() error {
	if cp.Version != ComputeProofVersion {
		return fmt.Errorf("%w: version %d (want %d)", ErrComputeProof, cp.Version, ComputeProofVersion)
	}
	if cp.System != SystemCodeGroth16 {
		return fmt.Errorf("%w: proof system %d (want %d = groth16)", ErrComputeProof, cp.System, SystemCodeGroth16)
	}
	if cp.Curve != CurveCodeBN254 {
		return fmt.Errorf("%w: curve %d (want %d = bn254)", ErrComputeProof, cp.Curve, CurveCodeBN254)
	}
	if err := checkCircuitID(cp.Circuit); err != nil {
		return err
	}
	if cp.N < 1 || cp.N > workload.MaxMatrixSize {
		return fmt.Errorf("%w: n = %d out of range [1, %d]", ErrComputeProof, cp.N, workload.MaxMatrixSize)
	}
	if cp.FracBits < 0 || cp.FracBits > workload.MaxFracBits {
		return fmt.Errorf("%w: f = %d out of range [0, %d]", ErrComputeProof, cp.FracBits, workload.MaxFracBits)
	}
	if err := format.CheckGroth16ProofFraming(cp.Proof); err != nil {
		return fmt.Errorf("%w: %v", ErrComputeProof, err)
	}
	if len(cp.PublicInputs) < 1 || len(cp.PublicInputs) > MaxPublicInputs {
		return fmt.Errorf("%w: %d public inputs (want 1..%d)", ErrComputeProof, len(cp.PublicInputs), MaxPublicInputs)
	}
	for i, x := range cp.PublicInputs {
		if new(big.Int).SetBytes(x[:]).Cmp(ecc.BN254.ScalarField()) >= 0 {
			return fmt.Errorf("%w: public input %d is not below the BN254 scalar field modulus", ErrComputeProof, i)
		}
	}
	return nil
}

func checkCircuitID(s string) error {
	if len(s) < 1 || len(s) > MaxCircuitIDLen {
		return fmt.Errorf("%w: circuit id has %d bytes (want 1..%d)", ErrComputeProof, len(s), MaxCircuitIDLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (i > 0 && (c == '-' || c == '.'))) {
			return fmt.Errorf("%w: circuit id byte %d is 0x%02x (allowed: a-z 0-9, then also - .)", ErrComputeProof, i, c)
		}
	}
	return nil
}

// DecodeComputeProof parses a zk_compute_proof byte string (see the format
// above). It checks framing, bounds, field-element canonicity and that the
// proof's curve points decode (on curve, in subgroup); it does not verify the
// proof: use Verify with the verifying key the fingerprint names.
func DecodeComputeProof(b []byte) (*ComputeProof, error) {
	if len(b) > maxComputeProofSz {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d a version-1 encoding can have", ErrComputeProof, len(b), maxComputeProofSz)
	}
	d := decoder{b: b}
	if magic := d.take(4, "magic"); d.err == nil && string(magic) != ComputeProofMagic {
		return nil, fmt.Errorf("%w: magic %q (want %q)", ErrComputeProof, magic, ComputeProofMagic)
	}
	cp := &ComputeProof{}
	cp.Version = d.u8("version")
	if d.err == nil && cp.Version != ComputeProofVersion {
		return nil, fmt.Errorf("%w: unsupported version %d (want %d)", ErrComputeProof, cp.Version, ComputeProofVersion)
	}
	cp.System = d.u8("proof system")
	cp.Curve = d.u8("curve")
	l := int(d.u8("circuit id length"))
	cp.Circuit = string(d.take(l, "circuit id"))
	cp.N = int(d.u16("n"))
	cp.FracBits = int(d.u8("f"))
	copy(cp.VKFingerprint[:], d.take(32, "vk fingerprint"))
	p := int(d.u16("proof length"))
	if d.err == nil && p > MaxProofLen {
		return nil, fmt.Errorf("%w: proof length %d exceeds %d", ErrComputeProof, p, MaxProofLen)
	}
	cp.Proof = append([]byte(nil), d.take(p, "proof")...)
	k := int(d.u8("public input count"))
	if d.err == nil && (k < 1 || k > MaxPublicInputs) {
		return nil, fmt.Errorf("%w: %d public inputs (want 1..%d)", ErrComputeProof, k, MaxPublicInputs)
	}
	if d.err == nil && d.remaining() != 32*k {
		if d.remaining() > 32*k {
			return nil, fmt.Errorf("%w: %d trailing bytes", ErrComputeProof, d.remaining()-32*k)
		}
		return nil, fmt.Errorf("%w: truncated: %d public inputs need %d bytes, %d left", ErrComputeProof, k, 32*k, d.remaining())
	}
	if d.err != nil {
		return nil, d.err
	}
	cp.PublicInputs = make([][32]byte, k)
	for i := range cp.PublicInputs {
		copy(cp.PublicInputs[i][:], d.take(32, "public input"))
	}
	if err := cp.check(); err != nil {
		return nil, err
	}
	if _, err := cp.GnarkProof(); err != nil {
		return nil, err
	}
	return cp, nil
}

type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || d.remaining() < n {
		d.err = fmt.Errorf("%w: truncated at byte %d: %s needs %d bytes, %d left", ErrComputeProof, d.off, what, n, d.remaining())
		return nil
	}
	out := d.b[d.off : d.off+n]
	d.off += n
	return out
}

func (d *decoder) u8(what string) uint8 {
	if b := d.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if b := d.take(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

// GnarkProof decodes the Groth16 proof (gnark's compressed encoding), with
// subgroup checks, requiring it to use exactly the bytes it has.
func (cp *ComputeProof) GnarkProof() (proofsystem.Proof, error) {
	return parseGnarkProof(cp.Proof)
}

func parseGnarkProof(raw []byte) (proofsystem.Proof, error) {
	p, err := proofsystem.ParseProof(raw, protocol.Groth16, protocol.BN254)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrComputeProof, err)
	}
	return p, nil
}

// PublicInputStrings returns the public inputs as decimal strings, the form
// receipts carry.
func (cp *ComputeProof) PublicInputStrings() []string {
	out := make([]string, len(cp.PublicInputs))
	for i, x := range cp.PublicInputs {
		out[i] = new(big.Int).SetBytes(x[:]).String()
	}
	return out
}

// PoE returns the 32-byte PoE from its two 128-bit public-input halves.
func (cp *ComputeProof) PoE() ([32]byte, error) { return poeOf(cp.PublicInputs) }

// FingerprintHex is the VK fingerprint as the receipt writes it, without the
// "sha256:" prefix (the form keys.Cache.FindByFingerprint takes).
func (cp *ComputeProof) FingerprintHex() string { return hex.EncodeToString(cp.VKFingerprint[:]) }

// ParseFieldElement parses a canonical decimal BN254 scalar field element:
// digits only, no sign, no leading zeros (except "0"), below the modulus.
func ParseFieldElement(s string) (*big.Int, error) {
	if len(s) == 0 || len(s) > 78 {
		return nil, fmt.Errorf("field element %q: want 1..78 decimal digits", truncate(s, 80))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, fmt.Errorf("field element %q: not a decimal number", truncate(s, 80))
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return nil, fmt.Errorf("field element %q: leading zero", truncate(s, 80))
	}
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("field element %q: not a decimal number", truncate(s, 80))
	}
	if x.Cmp(ecc.BN254.ScalarField()) >= 0 {
		return nil, fmt.Errorf("field element %s is not below the BN254 scalar field modulus", truncate(s, 80))
	}
	return x, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
