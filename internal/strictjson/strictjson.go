// Package strictjson decodes untrusted JSON so that it has one meaning for
// every reader. encoding/json keeps the last of duplicate object keys and
// matches keys to struct fields case-insensitively (Unicode simple folding:
// "ſ" is "s", "K" (Kelvin) is "k"), while other readers take the first
// duplicate or match keys exactly. Unmarshal refuses both: duplicate keys
// (equal, or equal under case folding) in any object, and, where the
// destination is a struct, any key not spelt exactly as one of its fields.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of arrays and objects Unmarshal accepts.
const MaxDepth = 64

// Decode is encoding/json's Decode into v with unknown fields and data
// after the value refused, without the key checks of Unmarshal (for input
// that is checked otherwise, such as a payload required to be canonical).
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	// dec.More reports false for a trailing '}' or ']', so look for EOF.
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// Unmarshal is Decode, then CheckKeys.
func Unmarshal(data []byte, v any) error {
	if err := Decode(data, v); err != nil {
		return err
	}
	return CheckKeys(data, reflect.TypeOf(v))
}

// CheckKeys walks the JSON value data alongside the Go type t it is to be
// decoded into, and refuses, naming the key and the object's path ("$",
// "$.signatures[0]"): an object with two keys equal under case folding;
// where t (through pointers) is a struct, a key that is not exactly the
// JSON name of one of its fields; nesting deeper than MaxDepth. Map keys
// may be any distinct strings; inside an interface, json.RawMessage or
// other json.Unmarshaler or encoding.TextUnmarshaler value only duplicate
// keys are refused. t may be nil (no struct checks).
func CheckKeys(data []byte, t reflect.Type) error {
	w := &walker{dec: json.NewDecoder(bytes.NewReader(data)), fields: map[reflect.Type]map[string]reflect.Type{}}
	w.dec.UseNumber()
	if err := w.value(t, "$", 0); err != nil {
		return err
	}
	if _, err := w.dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

type walker struct {
	dec    *json.Decoder
	fields map[reflect.Type]map[string]reflect.Type // struct type: JSON name -> field type
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// token is the next token, io.EOF inside a value being unexpected.
func (w *walker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

// value checks the next value, to be decoded into t (nil: no struct checks).
func (w *walker) value(t reflect.Type, path string, depth int) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxDepth {
		return fmt.Errorf("%s: nested deeper than %d", path, MaxDepth)
	}
	t = target(t)
	if d == '[' {
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	} else {
		if err := w.object(t, path, depth); err != nil {
			return err
		}
	}
	_, err = w.token() // the closing delimiter
	return err
}

// object checks the members of an object (its '{' read), to be decoded into t.
func (w *walker) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = w.structFields(t)
	} else if t != nil && t.Kind() == reflect.Map {
		elem = t.Elem()
	}
	seen := map[string]string{} // folded key -> key
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		f := fold(key)
		if prev, dup := seen[f]; dup {
			if prev == key {
				return fmt.Errorf("duplicate key %s in %s", quote(key), path)
			}
			return fmt.Errorf("duplicate key %s in %s (also spelt %s)", quote(key), path, quote(prev))
		}
		seen[f] = key
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				for name := range fields {
					if fold(name) == f {
						return fmt.Errorf("key %s in %s: want the exact spelling %q", quote(key), path, name)
					}
				}
				return fmt.Errorf("json: unknown field %s in %s", quote(key), path)
			}
			elem = ft
		}
		if err := w.value(elem, memberPath(path, key), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// target is t through pointers, or nil where the value's keys are not
// matched to struct fields (interfaces, custom unmarshalers).
func target(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	if p := reflect.PointerTo(t); p.Implements(unmarshalerType) || p.Implements(textUnmarshalerType) {
		return nil
	}
	return t
}

// structFields maps the JSON names of struct t's fields, those of embedded
// structs included, to their types, as encoding/json names them (a name
// that encoding/json leaves ambiguous is then refused by Decode).
func (w *walker) structFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := w.fields[t]; ok {
		return m
	}
	m := map[string]reflect.Type{}
	visited := map[reflect.Type]bool{}
	for level := []reflect.Type{t}; len(level) > 0; {
		var next []reflect.Type
		for _, st := range level {
			if visited[st] {
				continue
			}
			visited[st] = true
			for i := range st.NumField() {
				f := st.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
					next = append(next, ft)
					continue
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if _, ok := m[name]; !ok { // a shallower field hides a deeper one
					m[name] = f.Type
				}
			}
		}
		level = next
	}
	w.fields[t] = m
	return m
}

// fold maps keys that strings.EqualFold (and encoding/json) treats as equal
// to one string: each rune becomes the least rune of its simple-fold orbit.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		b.WriteRune(r)
	}
	return b.String()
}

// memberPath is path extended by an object key: .key for a plain name, else ["key"].
func memberPath(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			plain = false
			break
		}
	}
	if plain && len(key) <= 64 {
		return path + "." + key
	}
	return path + "[" + quote(key) + "]"
}

// quote quotes an untrusted key for an error message, at most 64 bytes of it.
func quote(s string) string {
	if len(s) > 64 {
		i := 64
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return fmt.Sprintf("%q…", s[:i])
	}
	return fmt.Sprintf("%q", s)
}
