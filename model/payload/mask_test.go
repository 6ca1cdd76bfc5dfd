package payload

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMask(t *testing.T) {
	secrets := []string{"password", "TOKEN", "über"}
	tests := map[string]struct {
		in     string
		fields []string
		want   string
		n      int
	}{
		"top level": {
			`{"password":"hunter2","user":"bob"}`, secrets,
			`{"password":"••••","user":"bob"}`, 1,
		},
		"key case":     {`{"PassWord":"x"}`, secrets, `{"PassWord":"••••"}`, 1},
		"field case":   {`{"token":"x"}`, secrets, `{"token":"••••"}`, 1},
		"unicode case": {`{"ÜBER":1}`, secrets, `{"ÜBER":"••••"}`, 1},
		"nested": {
			`{"a":{"b":{"password":1,"c":2}}}`, secrets,
			`{"a":{"b":{"password":"••••","c":2}}}`, 1,
		},
		"in arrays": {
			`[{"token":"a"},{"token":"b"},[[{"token":null}]]]`, secrets,
			`[{"token":"••••"},{"token":"••••"},[[{"token":"••••"}]]]`, 3,
		},
		"object value whole": {
			`{"creds":{"user":"u","password":"p"},"x":1}`, []string{"creds", "password"},
			`{"creds":"••••","x":1}`, 1,
		},
		"array value whole": {`{"keys":[1,[2],"]"]}`, []string{"keys"}, `{"keys":"••••"}`, 1},
		"literals": {
			`{"pin":1234,"ok":true,"n":null,"f":-1.5e3}`, []string{"pin", "ok", "n", "f"},
			`{"pin":"••••","ok":"••••","n":"••••","f":"••••"}`, 4,
		},
		"whitespace and order kept": {
			"{\n  \"z\" : \"s\" ,\n  \"a\": 2,\n  \"password\"\t:\t[ 1 ]\n}", secrets,
			"{\n  \"z\" : \"s\" ,\n  \"a\": 2,\n  \"password\"\t:\t\"••••\"\n}", 1,
		},
		"escaped key": {`{"pass\u0077ord":"x"}`, secrets, `{"pass\u0077ord":"••••"}`, 1},
		"escapes in values": {
			`{"a":"\"password\":","password":"x\"y","b":"\\"}`, secrets,
			`{"a":"\"password\":","password":"••••","b":"\\"}`, 1,
		},
		"value that reads as a key": {
			`{"note":"password","list":["password"],"s":"{\"password\":1}"}`, secrets,
			`{"note":"password","list":["password"],"s":"{\"password\":1}"}`, 0,
		},
		"no match":   {`{"a":1}`, secrets, `{"a":1}`, 0},
		"no fields":  {`{"password":1}`, nil, `{"password":1}`, 0},
		"not JSON":   {`password=hunter2`, secrets, `password=hunter2`, 0},
		"broken":     {`{"password":"x"`, secrets, `{"password":"x"`, 0},
		"empty":      {``, secrets, ``, 0},
		"bare value": {`"password"`, secrets, `"password"`, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := []byte(tc.in)
			got, n := Mask(in, tc.fields)
			if string(got) != tc.want || n != tc.n {
				t.Errorf("Mask(%s) = %s, %d; want %s, %d", tc.in, got, n, tc.want, tc.n)
			}
			if json.Valid(in) && !json.Valid(got) {
				t.Errorf("Mask(%s) = %s: not valid JSON", tc.in, got)
			}
			if !bytes.Equal(in, []byte(tc.in)) {
				t.Errorf("Mask changed its input to %s", in)
			}
		})
	}
}
