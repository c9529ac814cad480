package jobs

import "errors"

// ErrInvalidParameters marks an Admit error about the parameters themselves as the cluster
// is configured (a profile that cluster does not offer) rather than about the cluster's
// state: the API answers it 400, not 409.
var ErrInvalidParameters = errors.New("invalid parameters")

// InvalidParameters marks err as an Admit refusal of the parameters (ErrInvalidParameters);
// its message stays err's.
func InvalidParameters(err error) error {
	return invalidParameters{err: err}
}

// invalidParameters is an error of the parameters, matched by errors.Is with
// ErrInvalidParameters and with the error it carries.
type invalidParameters struct{ err error }

func (e invalidParameters) Error() string   { return e.err.Error() }
func (e invalidParameters) Unwrap() []error { return []error{e.err, ErrInvalidParameters} }
