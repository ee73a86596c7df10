package workload

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// ErrMatrixFile is wrapped by every error that the matrix-file decoders
// report, so callers can tell bad input from I/O trouble.
var ErrMatrixFile = errors.New("invalid matrix file")

// MaxNPYHeader bounds the header of a .npy file (NumPy writes 64-byte
// aligned headers of well under a kilobyte for a 2-D array).
const MaxNPYHeader = 64 << 10

// MaxCSVLine bounds one CSV row: MaxMatrixSize entries of at most 6
// characters ("-32768") with a separator and spaces around each.
const MaxCSVLine = MaxMatrixSize * 16

// Matrix is a square int16 matrix read from a file, row-major.
type Matrix struct {
	N    int
	Data []int16 // N·N entries, row-major
}

func matrixErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMatrixFile, fmt.Sprintf(format, args...))
}

// ReadMatrixFile reads a square int16 matrix from a NumPy .npy file or a CSV
// file, chosen by the file's extension (.npy, .csv or .txt). The size is
// checked against MaxMatrixSize before anything proportional is allocated.
func ReadMatrixFile(path string) (Matrix, error) {
	var decode func(io.Reader) (Matrix, error)
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".npy":
		decode = func(r io.Reader) (Matrix, error) { return DecodeNPY(bufio.NewReader(r)) }
	case ".csv", ".txt":
		decode = DecodeCSV
	default:
		return Matrix{}, fmt.Errorf("read matrix %s: %w: unknown extension %q (want .npy, or .csv for comma-separated integers)", path, ErrMatrixFile, ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return Matrix{}, fmt.Errorf("read matrix: %w", err)
	}
	defer f.Close()
	m, err := decode(f)
	if err != nil {
		return Matrix{}, fmt.Errorf("read matrix %s: %w", path, err)
	}
	return m, nil
}

// npyHeader matches the header dictionary NumPy writes for a plain array.
var npyHeader = regexp.MustCompile(`^\{\s*'descr'\s*:\s*'([^']*)'\s*,\s*'fortran_order'\s*:\s*(True|False)\s*,\s*'shape'\s*:\s*\(\s*([0-9]*)\s*,?\s*([0-9]*)\s*,?\s*\)\s*,?\s*\}\s*$`)

// DecodeNPY reads a 2-D square int16 array in NumPy's .npy format (versions
// 1.0–3.0; little- or big-endian int16, C or Fortran order). Any other dtype,
// rank or shape is refused with the reason, before the data is allocated;
// trailing bytes after the data are refused too.
func DecodeNPY(r io.Reader) (Matrix, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return Matrix{}, matrixErr("npy: truncated preamble: %v", err)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return Matrix{}, matrixErr("npy: bad magic %q (not a .npy file)", pre[:6])
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Matrix{}, matrixErr("npy: truncated header length: %v", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Matrix{}, matrixErr("npy: truncated header length: %v", err)
		}
		l := binary.LittleEndian.Uint32(b[:])
		if l > MaxNPYHeader {
			return Matrix{}, matrixErr("npy: header length %d exceeds the limit %d", l, MaxNPYHeader)
		}
		hlen = int(l)
	default:
		return Matrix{}, matrixErr("npy: format version %d.%d not supported (want 1.0, 2.0 or 3.0)", pre[6], pre[7])
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return Matrix{}, matrixErr("npy: truncated header (%d bytes announced): %v", hlen, err)
	}
	mt := npyHeader.FindSubmatch(bytes.TrimRight(hdr, " \n\x00"))
	if mt == nil {
		return Matrix{}, matrixErr("npy: header %q is not a plain array header", clip(string(hdr)))
	}
	var order binary.ByteOrder
	switch descr := string(mt[1]); descr {
	case "<i2":
		order = binary.LittleEndian
	case ">i2":
		order = binary.BigEndian
	default:
		return Matrix{}, matrixErr("npy: dtype %q not supported: want int16 ('<i2'); convert with a.astype(numpy.int16) after checking the values fit", clip(descr))
	}
	fortran := string(mt[2]) == "True"
	if len(mt[3]) == 0 || len(mt[4]) == 0 {
		return Matrix{}, matrixErr("npy: shape (%s,%s) is not 2-D: want an n×n matrix", mt[3], mt[4])
	}
	rows, err1 := strconv.Atoi(string(mt[3]))
	cols, err2 := strconv.Atoi(string(mt[4]))
	if err1 != nil || err2 != nil || rows != cols {
		return Matrix{}, matrixErr("npy: shape (%s, %s) is not square: want an n×n matrix", clip(string(mt[3])), clip(string(mt[4])))
	}
	n := rows
	if n < 1 || n > MaxMatrixSize {
		return Matrix{}, matrixErr("npy: n = %d is out of range [1, %d]", n, MaxMatrixSize)
	}
	raw := make([]byte, 2*n*n)
	if _, err := io.ReadFull(r, raw); err != nil {
		return Matrix{}, matrixErr("npy: truncated data: want %d bytes for %d×%d int16: %v", len(raw), n, n, err)
	}
	var extra [1]byte
	if k, _ := r.Read(extra[:]); k != 0 {
		return Matrix{}, matrixErr("npy: trailing bytes after the %d×%d array", n, n)
	}
	m := Matrix{N: n, Data: make([]int16, n*n)}
	for i := range n {
		for j := range n {
			src := i*n + j
			if fortran {
				src = j*n + i
			}
			m.Data[i*n+j] = int16(order.Uint16(raw[2*src:]))
		}
	}
	return m, nil
}

// EncodeNPY writes m as a version 1.0 .npy file (little-endian int16, C
// order), the form numpy.save writes for an int16 array.
func EncodeNPY(w io.Writer, m Matrix) error {
	if err := m.check(); err != nil {
		return err
	}
	h := fmt.Sprintf("{'descr': '<i2', 'fortran_order': False, 'shape': (%d, %d), }", m.N, m.N)
	// Pad with spaces and a newline so that magic+version+length+header is a multiple of 64.
	total := 10 + len(h) + 1
	h += strings.Repeat(" ", (64-total%64)%64) + "\n"
	buf := make([]byte, 0, 10+len(h)+2*len(m.Data))
	buf = append(buf, "\x93NUMPY\x01\x00"...)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(h)))
	buf = append(buf, h...)
	for _, v := range m.Data {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(v))
	}
	_, err := w.Write(buf)
	return err
}

// DecodeCSV reads a square int16 matrix written as one row per line of
// comma-separated decimal integers (spaces around values allowed, blank lines
// ignored). The first row fixes n; every other row must have n values and
// there must be n rows. Errors name the row and column.
func DecodeCSV(r io.Reader) (Matrix, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxCSVLine)
	var m Matrix
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(strings.TrimSuffix(sc.Text(), "\r"))
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if m.N == 0 {
			m.N = len(fields)
			if m.N > MaxMatrixSize {
				return Matrix{}, matrixErr("csv line %d: %d values exceed the limit n ≤ %d", line, m.N, MaxMatrixSize)
			}
			m.Data = make([]int16, 0, m.N) // grows with the rows actually read
		} else if len(fields) != m.N {
			return Matrix{}, matrixErr("csv line %d: %d values, but the first row has %d", line, len(fields), m.N)
		}
		if len(m.Data) == m.N*m.N {
			return Matrix{}, matrixErr("csv line %d: more than %d rows: the matrix must be square", line, m.N)
		}
		for j, f := range fields {
			v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			switch {
			case err != nil:
				return Matrix{}, matrixErr("csv line %d, column %d: %q is not a decimal integer", line, j+1, clip(strings.TrimSpace(f)))
			case v < math.MinInt16 || v > math.MaxInt16:
				return Matrix{}, matrixErr("csv line %d, column %d: %d does not fit in int16 [%d, %d]", line, j+1, v, math.MinInt16, math.MaxInt16)
			}
			m.Data = append(m.Data, int16(v))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Matrix{}, matrixErr("csv line %d: longer than %d bytes", line+1, MaxCSVLine)
		}
		return Matrix{}, fmt.Errorf("csv: %w", err)
	}
	if m.N == 0 {
		return Matrix{}, matrixErr("csv: no rows")
	}
	if len(m.Data) != m.N*m.N {
		return Matrix{}, matrixErr("csv: %d rows of %d values: the matrix must be square (%d rows)", len(m.Data)/m.N, m.N, m.N)
	}
	return m, nil
}

// EncodeCSV writes m in the form DecodeCSV reads.
func EncodeCSV(w io.Writer, m Matrix) error {
	if err := m.check(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for i := range m.N {
		for j := range m.N {
			if j > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(strconv.Itoa(int(m.Data[i*m.N+j])))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func (m Matrix) check() error {
	if m.N < 1 || m.N > MaxMatrixSize || len(m.Data) != m.N*m.N {
		return matrixErr("matrix: n = %d with %d entries (want n in [1, %d] and n·n entries)", m.N, len(m.Data), MaxMatrixSize)
	}
	return nil
}
