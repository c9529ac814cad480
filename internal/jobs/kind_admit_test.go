package jobs

import (
	"errors"
	"testing"
)

// An error marked InvalidParameters keeps its message and matches both the mark and itself.
func TestInvalidParametersMarksWithoutChangingTheMessage(t *testing.T) {
	cause := errors.New(`profile "x": no such profile`)
	err := InvalidParameters(cause)
	if err.Error() != cause.Error() || !errors.Is(err, ErrInvalidParameters) || !errors.Is(err, cause) {
		t.Fatalf("%v: is invalid %v, is cause %v", err, errors.Is(err, ErrInvalidParameters), errors.Is(err, cause))
	}
	if errors.Is(cause, ErrInvalidParameters) {
		t.Fatal("an unmarked error matches ErrInvalidParameters")
	}
}
