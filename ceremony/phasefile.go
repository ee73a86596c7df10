package ceremony

// Phase files: the ZKPOC-CEREMONY header around each contribution's
// payload, the exact payload sizes, and the layout checks that run before
// gnark's decoders allocate from any length inside a payload.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"

	"github.com/zkpoc/zkpoc/atomicfile"
)

const headerSize = len(Magic) + 2 + 1 + 4 + 8 + sha256.Size

func writePhaseFile(path string, phase, index int, payload []byte) error {
	var h [headerSize]byte
	o := copy(h[:], Magic)
	binary.BigEndian.PutUint16(h[o:], Version)
	o += 2
	h[o] = byte(phase)
	o++
	binary.BigEndian.PutUint32(h[o:], uint32(index))
	o += 4
	binary.BigEndian.PutUint64(h[o:], uint64(len(payload)))
	o += 8
	sum := sha256.Sum256(payload)
	copy(h[o:], sum[:])
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		if _, err := w.Write(h[:]); err != nil {
			return err
		}
		_, err := w.Write(payload)
		return err
	})
}

// readPhaseFile reads and checks a phase file, returning its payload. The
// read is bounded by maxPayload; errors blame (phase, index).
func readPhaseFile(dir string, phase, index int, maxPayload int64) ([]byte, error) {
	path := contribPath(dir, phase, index)
	data, err := atomicfile.ReadLimited(path, int64(headerSize)+maxPayload)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, badContrib(phase, index, "missing")
		}
		return nil, &ContributionError{Phase: phase, Index: index, Err: err}
	}
	if len(data) < headerSize {
		return nil, badContrib(phase, index, "truncated: %d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	h := data[:headerSize]
	o := len(Magic)
	if string(h[:o]) != Magic {
		return nil, badContrib(phase, index, "not a ceremony file (bad magic)")
	}
	if v := binary.BigEndian.Uint16(h[o:]); v != Version {
		return nil, badContrib(phase, index, "unsupported version %d (want %d)", v, Version)
	}
	o += 2
	if p := int(h[o]); p != phase {
		return nil, badContrib(phase, index, "header says phase %d (file moved?)", p)
	}
	o++
	if i := binary.BigEndian.Uint32(h[o:]); int64(i) != int64(index) {
		return nil, badContrib(phase, index, "header says index %d (files reordered or renamed?)", i)
	}
	o += 4
	n := binary.BigEndian.Uint64(h[o:])
	o += 8
	payload := data[headerSize:]
	if n != uint64(len(payload)) {
		return nil, badContrib(phase, index, "truncated or extended: header says %d payload bytes, file has %d", n, len(payload))
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], h[o:o+sha256.Size]) {
		return nil, badContrib(phase, index, "payload digest mismatch (file altered)")
	}
	return payload, nil
}

const (
	g1Size    = curve.SizeOfG1AffineCompressed
	g2Size    = curve.SizeOfG2AffineCompressed
	proofSize = g1Size + g2Size
)

// phase1PayloadSize is the exact size of a serialized Phase1 of domain N
// whose challenge has challengeLen bytes.
func phase1PayloadSize(N uint64, challengeLen int) int64 {
	n := int64(N)
	return 3*proofSize + 8 + g2Size + (2*n-2)*g1Size + (n-1)*g2Size + 2*n*g1Size + 1 + int64(challengeLen)
}

// phase2MaxPayload bounds a serialized Phase2 for the manifest's circuit.
func phase2MaxPayload(m *Manifest) int64 {
	w, n, c := int64(m.Wires), int64(m.DomainSize), int64(m.Commitments)
	return 2 + g1Size + 4 + w*g1Size + 4 + n*g1Size + g2Size + c*(4+w*g1Size+g2Size+proofSize) + proofSize + 1 + 255
}

// checkPhase1Layout checks the payload is a Phase1 of domain N before
// gnark's ReadFrom allocates from the N inside it.
func checkPhase1Layout(payload []byte, N uint64) error {
	if len(payload) < 3*proofSize+8 {
		return errors.New("truncated phase-1 payload")
	}
	if got := binary.BigEndian.Uint64(payload[3*proofSize:]); got != N {
		return fmt.Errorf("domain size %d, want %d", got, N)
	}
	want := phase1PayloadSize(N, sha256.Size)
	if int64(len(payload)) != want {
		return fmt.Errorf("phase-1 payload is %d bytes, want %d", len(payload), want)
	}
	return nil
}

// checkPhase2Layout walks the length prefixes of a serialized Phase2 and
// checks them against the manifest and the bytes present, so that gnark's
// ReadFrom never allocates from an unchecked length.
func checkPhase2Layout(p []byte, m *Manifest) error {
	off := 0
	need := func(n int64) error {
		if n < 0 || int64(len(p)-off) < n {
			return fmt.Errorf("truncated phase-2 payload at byte %d", off)
		}
		return nil
	}
	u32 := func() (int64, error) {
		if err := need(4); err != nil {
			return 0, err
		}
		v := binary.BigEndian.Uint32(p[off:])
		off += 4
		return int64(v), nil
	}
	skip := func(n int64) error {
		if err := need(n); err != nil {
			return err
		}
		off += int(n)
		return nil
	}
	if err := need(2); err != nil {
		return err
	}
	nc := int(binary.BigEndian.Uint16(p))
	off += 2
	if nc != m.Commitments {
		return fmt.Errorf("%d commitments, want %d", nc, m.Commitments)
	}
	if err := skip(g1Size); err != nil {
		return err
	}
	pkk, err := u32()
	if err != nil {
		return err
	}
	if pkk > int64(m.Wires) {
		return fmt.Errorf("%d private-key elements exceed %d wires", pkk, m.Wires)
	}
	if err := skip(pkk * g1Size); err != nil {
		return err
	}
	z, err := u32()
	if err != nil {
		return err
	}
	if z != int64(m.DomainSize)-1 {
		return fmt.Errorf("%d Z elements, want %d", z, m.DomainSize-1)
	}
	if err := skip(z*g1Size + g2Size); err != nil {
		return err
	}
	for i := 0; i < nc; i++ {
		l, err := u32()
		if err != nil {
			return err
		}
		if l > int64(m.Wires) {
			return fmt.Errorf("commitment %d: %d elements exceed %d wires", i, l, m.Wires)
		}
		if err := skip(l * g1Size); err != nil {
			return err
		}
	}
	if err := skip(int64(nc)*g2Size + int64(1+nc)*proofSize); err != nil {
		return err
	}
	if err := need(1); err != nil {
		return err
	}
	cl := int64(p[off])
	off++
	if err := skip(cl); err != nil {
		return err
	}
	if off != len(p) {
		return fmt.Errorf("%d trailing bytes after the phase-2 payload", len(p)-off)
	}
	return nil
}

func decodePhase2(payload []byte, m *Manifest, phase, index int) (*mpcsetup.Phase2, error) {
	if err := checkPhase2Layout(payload, m); err != nil {
		return nil, &ContributionError{Phase: phase, Index: index, Err: err}
	}
	p := new(mpcsetup.Phase2)
	var n int64
	if err := noPanic(func() error {
		var err error
		n, err = p.ReadFrom(bytes.NewReader(payload))
		return err
	}); err != nil {
		return nil, badContrib(phase, index, "decode: %v", err)
	}
	if n != int64(len(payload)) {
		return nil, badContrib(phase, index, "decoded %d of %d bytes", n, len(payload))
	}
	return p, nil
}
