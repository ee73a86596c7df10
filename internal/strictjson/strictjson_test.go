package strictjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type inner struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig,omitempty"`
}

type embedded struct {
	Extra string `json:"extra"`
}

type doc struct {
	embedded
	Name    string            `json:"name"`
	Plain   int               // JSON name "Plain"
	Skipped string            `json:"-"`
	Items   []inner           `json:"items"`
	Ptr     *inner            `json:"ptr"`
	Labels  map[string]inner  `json:"labels"`
	Any     any               `json:"any"`
	Raw     json.RawMessage   `json:"raw"`
	Digests map[string]string `json:"digests"`
}

func TestUnmarshalAccepts(t *testing.T) {
	in := `{"extra":"e","name":"n","Plain":1,"items":[{"keyid":"a","sig":"b"},{"keyid":"c"}],"ptr":{"keyid":"p"},` +
		`"labels":{"x":{"keyid":"l"},"X2":{"keyid":"m"}},"any":{"Name":1,"name2":[{"a":1}]},"raw":{"Keyid":1},"digests":{"sha256":"s","SHA-512":"t"}}`
	var got doc
	if err := Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	var want doc
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"duplicate", `{"name":"a","name":"b"}`, `duplicate key "name" in $`},
		{"case variant", `{"name":"a","NAME":"b"}`, `duplicate key "NAME" in $ (also spelt "name")`},
		{"folded s", `{"items":[],"itemſ":[]}`, `duplicate key "itemſ" in $`},
		{"kelvin", `{"items":[{"keyid":"a","\u212aeyid":"b"}]}`, "duplicate key \"\u212aeyid\" in $.items[0]"},
		{"case only", `{"NAME":"b"}`, `key "NAME" in $: want the exact spelling "name"`},
		{"embedded case", `{"Extra":"b"}`, `want the exact spelling "extra"`},
		{"field name case", `{"plain":1}`, `want the exact spelling "Plain"`},
		{"nested case", `{"ptr":{"KeyID":"a"}}`, `key "KeyID" in $.ptr: want the exact spelling "keyid"`},
		{"map value case", `{"labels":{"x":{"SIG":"a"}}}`, `key "SIG" in $.labels.x`},
		{"map duplicate", `{"digests":{"a":"1","A":"2"}}`, `duplicate key "A" in $.digests`},
		{"in interface", `{"any":{"q":[{"k":1,"k":2}]}}`, `duplicate key "k" in $.any.q[0]`},
		{"in raw", `{"raw":{"k":1,"K":2}}`, `duplicate key "K" in $.raw`},
		{"odd key path", `{"any":{"a b":{"k":1,"k":2}}}`, `in $.any["a b"]`},
		{"unknown", `{"nope":1}`, `unknown field "nope"`},
		{"skipped", `{"Skipped":"x"}`, `unknown field "Skipped"`},
		{"trailing", `{} {}`, `trailing data`},
	} {
		var d doc
		err := Unmarshal([]byte(tc.in), &d)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestDepth(t *testing.T) {
	var v any
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if err := Unmarshal([]byte(ok), &v); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if err := Unmarshal([]byte(deep), &v); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("depth %d: err = %v", MaxDepth+1, err)
	}
	huge := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	if err := CheckKeys([]byte(huge), nil); err == nil {
		t.Error("depth 5000 accepted")
	}
}

// FuzzUnmarshal: Unmarshal never panics, and what it accepts encoding/json
// decodes to the same value, with no two keys of an object equal under
// case folding, and re-encodes to input it accepts again.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"name":"n","items":[{"keyid":"a"}],"labels":{"x":{"sig":"s"}},"any":{"a":[1,{"b":null}]}}`))
	f.Add([]byte(`{"name":"a","Name":"b","itemſ":[],"ptr":{"\u212aeyid":"k"}}`))
	f.Add([]byte(`{"raw":[[[[{"a":1,"A":2}]]]],"digests":{"sha256":"x"},"Plain":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got doc
		if Unmarshal(data, &got) != nil {
			return
		}
		var want doc
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("accepted input encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %+v, encoding/json %+v", got, want)
		}
		if err := CheckKeys(data, nil); err != nil {
			t.Fatalf("accepted input with duplicate keys: %v", err)
		}
		out, err := json.Marshal(&got)
		if err != nil {
			t.Fatal(err)
		}
		var again doc
		if err := Unmarshal(out, &again); err != nil {
			t.Fatalf("refused its own re-encoding %s: %v", out, err)
		}
	})
}
