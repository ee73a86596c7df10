package workload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// npyFile builds a .npy file by hand from the format's specification, so the
// decoder is not only checked against its own encoder.
func npyFile(version byte, header string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.WriteByte(version)
	b.WriteByte(0)
	if version == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(header)))
	}
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func le16(vs ...int16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func be16(vs ...int16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func TestDecodeNPY(t *testing.T) {
	want := []int16{1, -2, 32767, -32768} // [[1, -2], [32767, -32768]]
	const c = "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2), }          \n"
	tests := []struct {
		name string
		file []byte
		want []int16 // nil: an error containing errPart
		errs string
	}{
		{"numpy v1 C order", npyFile(1, c, le16(want...)), want, ""},
		{"v2 header", npyFile(2, c, le16(want...)), want, ""},
		{"v3 header", npyFile(3, c, le16(want...)), want, ""},
		{"big-endian", npyFile(1, "{'descr': '>i2', 'fortran_order': False, 'shape': (2, 2), }\n", be16(want...)), want, ""},
		{"fortran order", npyFile(1, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 2), }\n", le16(1, 32767, -2, -32768)), want, ""},
		{"no trailing comma", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2)}", le16(want...)), want, ""},
		{"1x1", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 1), }\n", le16(7)), []int16{7}, ""},

		{"empty", nil, nil, "truncated preamble"},
		{"not npy", []byte("PK\x03\x04 a zip file"), nil, "bad magic"},
		{"version 9", npyFile(9, c, nil), nil, "format version 9.0"},
		{"float64", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", make([]byte, 32)), nil, `dtype "<f8" not supported`},
		{"int32", npyFile(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }\n", make([]byte, 16)), nil, `dtype "<i4"`},
		{"1-D", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }\n", le16(want...)), nil, "not 2-D"},
		{"3-D", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2, 1), }\n", le16(want...)), nil, "not a plain array header"},
		{"not square", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }\n", make([]byte, 12)), nil, "not square"},
		{"zero size", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (0, 0), }\n", nil), nil, "n = 0 is out of range"},
		{"huge shape", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (100000, 100000), }\n", nil), nil, "n = 100000 is out of range"},
		{"shape overflows int", npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (99999999999999999999, 99999999999999999999), }\n", nil), nil, "not square"},
		{"truncated data", npyFile(1, c, le16(1, 2, 3)), nil, "truncated data"},
		{"trailing bytes", npyFile(1, c, append(le16(want...), 0)), nil, "trailing bytes"},
		{"truncated header", npyFile(1, c, nil)[:20], nil, "truncated header"},
		{"header length over limit", npyFile(2, "", nil)[:8], nil, "truncated header length"},
		{"object array", npyFile(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }\n", nil), nil, `dtype "|O"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := DecodeNPY(bytes.NewReader(tt.file))
			checkDecoded(t, m, err, tt.want, tt.errs)
		})
	}
}

func TestNPYHeaderLengthLimit(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x02\x00")
	binary.Write(&b, binary.LittleEndian, uint32(3<<30)) // announces a 3 GiB header
	_, err := DecodeNPY(&b)
	if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("err = %v, want the header limit named", err)
	}
}

func TestDecodeCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []int16
		errs     string
	}{
		{"plain", "1,-2\n32767,-32768\n", []int16{1, -2, 32767, -32768}, ""},
		{"spaces, CRLF, blank lines", " 1 , -2\r\n\r\n32767,  -32768\r\n\n", []int16{1, -2, 32767, -32768}, ""},
		{"no final newline", "5", []int16{5}, ""},
		{"empty", "", nil, "no rows"},
		{"float", "1.0,2\n3,4\n", nil, `line 1, column 1: "1.0" is not a decimal integer`},
		{"out of range", "1,2\n3,40000\n", nil, "line 2, column 2: 40000 does not fit in int16"},
		{"ragged", "1,2\n3\n", nil, "line 2: 1 values, but the first row has 2"},
		{"too few rows", "1,2\n3,4\n5,6\n", nil, "more than 2 rows"},
		{"not square", "1,2,3\n4,5,6\n", nil, "2 rows of 3 values"},
		{"empty field", "1,,3\n", nil, `column 2: "" is not`},
		{"semicolons", "1;2\n3;4\n", nil, "not a decimal integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := DecodeCSV(strings.NewReader(tt.in))
			checkDecoded(t, m, err, tt.want, tt.errs)
		})
	}
}

// checkDecoded: want nil expects an ErrMatrixFile containing errPart.
func checkDecoded(t *testing.T, m Matrix, err error, want []int16, errPart string) {
	t.Helper()
	if want == nil {
		if err == nil || !strings.Contains(err.Error(), errPart) || !errors.Is(err, ErrMatrixFile) {
			t.Fatalf("err = %v, want ErrMatrixFile containing %q", err, errPart)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Data, want) {
		t.Fatalf("data %v, want %v", m.Data, want)
	}
}

func TestCSVLineLimit(t *testing.T) {
	_, err := DecodeCSV(strings.NewReader(strings.Repeat("1,", MaxCSVLine)))
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v, want the line limit named", err)
	}
	_, err = DecodeCSV(strings.NewReader(strings.Repeat("1,", MaxMatrixSize) + "1\n"))
	if err == nil || !strings.Contains(err.Error(), "exceed the limit") {
		t.Fatalf("err = %v, want the size limit named", err)
	}
}

// TestMatrixFilesRoundTrip: both encoders write what ReadMatrixFile reads
// back, for generated matrices with every sign.
func TestMatrixFilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{1, 3, 16} {
		a, _, err := Generate([32]byte{byte(n)}, n)
		if err != nil {
			t.Fatal(err)
		}
		m := Matrix{N: n, Data: a}
		for _, enc := range []struct {
			ext string
			fn  func(*bytes.Buffer, Matrix) error
		}{
			{".npy", func(b *bytes.Buffer, m Matrix) error { return EncodeNPY(b, m) }},
			{".csv", func(b *bytes.Buffer, m Matrix) error { return EncodeCSV(b, m) }},
		} {
			var b bytes.Buffer
			if err := enc.fn(&b, m); err != nil {
				t.Fatal(err)
			}
			if enc.ext == ".npy" && (b.Len()-2*n*n)%64 != 0 {
				t.Fatalf("npy header not 64-byte aligned: %d bytes before the data", b.Len()-2*n*n)
			}
			p := filepath.Join(dir, "m"+enc.ext)
			if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMatrixFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if got.N != n || !slices.Equal(got.Data, a) {
				t.Fatalf("n=%d %s: round trip changed the matrix", n, enc.ext)
			}
		}
	}
	if _, err := ReadMatrixFile(filepath.Join(dir, "m.xlsx")); err == nil || !strings.Contains(err.Error(), "unknown extension") {
		t.Fatalf("err = %v, want unknown extension", err)
	}
	if err := EncodeNPY(new(bytes.Buffer), Matrix{N: 2, Data: []int16{1}}); err == nil {
		t.Fatal("EncodeNPY accepted a matrix with the wrong number of entries")
	}
}

func FuzzDecodeNPY(f *testing.F) {
	f.Add(npyFile(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2), }\n", le16(1, 2, 3, 4)))
	f.Add(npyFile(2, "{'descr': '>i2', 'fortran_order': True, 'shape': (1, 1), }\n", be16(-1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeNPY(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrMatrixFile) {
				t.Fatalf("error does not wrap ErrMatrixFile: %v", err)
			}
			return
		}
		// What decodes re-encodes to a file that decodes to the same matrix.
		var b bytes.Buffer
		if err := EncodeNPY(&b, m); err != nil {
			t.Fatal(err)
		}
		m2, err := DecodeNPY(&b)
		if err != nil || m2.N != m.N || !slices.Equal(m2.Data, m.Data) {
			t.Fatalf("re-encoding changed the matrix: %v", err)
		}
	})
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add("1,-2\n32767,-32768\n")
	f.Add(" 7 \r\n")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := DecodeCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := EncodeCSV(&b, m); err != nil {
			t.Fatal(err)
		}
		m2, err := DecodeCSV(&b)
		if err != nil || m2.N != m.N || !slices.Equal(m2.Data, m.Data) {
			t.Fatalf("re-encoding changed the matrix: %v", err)
		}
	})
}
