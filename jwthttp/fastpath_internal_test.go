package jwthttp

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtkit/jwt"
)

// isAll is an error whose Is method matches every target.
type isAll struct{}

func (isAll) Error() string      { return "matches all" }
func (isAll) Is(error) bool      { return true }
func (isAll) As(target any) bool { return false }

// sliceErr is an error of a type that is not comparable (a slice).
type sliceErr []int

func (sliceErr) Error() string { return "slice" }

// TestErrorTree checks that errorTree answers as errors.Is and errors.As
// do, for every target verdict asks about, on trees of every shape.
func TestErrorTree(t *testing.T) {
	ve := &jwt.ValidationError{Errors: []error{jwt.ErrExpired, jwt.ErrAudienceMismatch}}
	deep := error(jwt.ErrExpired)
	for i := 0; i < 12; i++ {
		deep = fmt.Errorf("level %d: %w", i, deep)
	}
	trees := map[string]error{
		"sentinel":           jwt.ErrInvalidSignature,
		"wrapped":            fmt.Errorf("jwt: bad: %w", jwt.ErrInvalidSignature),
		"two wrapped":        fmt.Errorf("%w: %w", jwt.ErrMalformed, jwt.ErrTooLarge),
		"joined":             errors.Join(errors.New("x"), fmt.Errorf("y: %w", jwt.ErrExpired)),
		"validation":         ve,
		"wrapped validation": fmt.Errorf("verify: %w", ve),
		"Is method":          fmt.Errorf("w: %w", isAll{}),
		"not comparable":     fmt.Errorf("w: %w", sliceErr{1}),
		"deeper than kept":   deep,
		"context":            fmt.Errorf("keys: %w", context.DeadlineExceeded),
		"canceled":           context.Canceled,
		"other":              errors.New("something else"),
	}
	targets := []error{jwt.ErrInvalidOption, jwt.ErrUnavailable, context.Canceled, context.DeadlineExceeded,
		jwt.ErrMissingClaim, jwt.ErrTypeMismatch}
	for _, te := range tokenErrors {
		targets = append(targets, te.err)
	}
	asked := 0
	for name, err := range trees {
		tree := flatten(err)
		for _, target := range targets {
			assert.Equal(t, errors.Is(err, target), tree.is(target), "%s: is %v", name, target)
			asked++
		}
		var want *jwt.ValidationError
		errors.As(err, &want)
		assert.Same(t, want, tree.validationError(), "%s: as", name)
		assert.Equal(t, describe(err), tree.describe(), "%s: describe", name)
	}
	assert.False(t, flatten(deep).whole, "a tree deeper than maxErrorNodes falls back")
	t.Logf("%d trees, %d questions", len(trees), asked)
}
