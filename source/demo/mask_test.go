package demo

import (
	"testing"

	"github.com/asynqtop/asynqtop/model/config"
	"github.com/asynqtop/asynqtop/model/payload"
)

// TestDefaultMaskFieldsHideDemoFields makes sure the demo has something for `m` to
// reveal: with the default mask_fields, a sealed charge hides its card and a password
// reset email its token.
func TestDefaultMaskFieldsHideDemoFields(t *testing.T) {
	fields := config.Default().MaskFields
	cases := map[string]struct {
		next     func(*gen) job
		typeName string
		field    string
	}{
		"billing charge card":  {paymentJob, "payment:charge", `"card"`},
		"password reset token": {emailJob, "email:send", `"token"`},
	}
	for name, c := range cases {
		g := newGen(1, streamProducers, nil)
		hidden := 0
		for range 500 {
			j := c.next(g)
			if j.typeName != c.typeName {
				continue
			}
			if _, n := payload.Mask(j.payload, fields); n > 0 {
				hidden++
			}
		}
		if hidden == 0 {
			t.Errorf("%s: no %s payload in 500 has a %s field the defaults mask", name,
				c.typeName, c.field)
		}
	}
}
