package benchrunner

// Validate checks a run's command, positional arguments, flags and prefix as Run does, without
// connecting: profiles loaded from a file are checked when they load, not when they run.
func Validate(o Options) error {
	if len(o.Client.Endpoints) == 0 {
		// Run needs an endpoint to connect to; validation connects to nothing.
		o.Client.Endpoints = []string{"validation.invalid:2379"}
	}
	_, err := prepare(o)
	return err
}
