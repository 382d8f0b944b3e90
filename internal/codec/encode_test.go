package codec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEncodeFieldNames(t *testing.T) {
	assert.Equal(t, `a\u003cb\u0026c`, htmlEscape("a<b&c"))
	assert.Equal(t, `x\u2028y\u2029`, htmlEscape("x\u2028y\u2029"))
	assert.True(t, strings.HasPrefix(`"a\u003cb":`, `"`+htmlEscape("a<b")))
}
