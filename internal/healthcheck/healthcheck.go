package healthcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Exit codes of Check and of the subcommand.
const (
	ExitHealthy   = 0
	ExitUnhealthy = 1
	ExitBadInput  = 2
)

// maxBody is how much of an unhealthy answer's body is quoted.
const maxBody = 512

// Options are how Check asks: within Timeout, and with basic auth when Username is set (the
// password read from PasswordFile, so that it is on no command line and in no compose file).
type Options struct {
	Timeout      time.Duration
	Username     string
	PasswordFile string
}

// Check GETs rawURL within opts.Timeout and writes one line to out: the status when the answer
// is a 2xx (ExitHealthy), the status and the start of the body otherwise, or the error
// (ExitUnhealthy). A URL that is not http(s) with a host, or bad options, is ExitBadInput. The
// URL is only ever printed without its password, and the password file's content never.
func Check(ctx context.Context, rawURL string, opts Options, out io.Writer) int {
	u, err := parseURL(rawURL)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: %v\n", err)
		return ExitBadInput
	}
	if opts.Timeout <= 0 {
		fmt.Fprintln(out, "healthcheck: --timeout: must be positive")
		return ExitBadInput
	}
	password, err := opts.password(u)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: %v\n", err)
		return ExitBadInput
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: url: %v\n", redactErr(err, u))
		return ExitBadInput
	}
	if opts.Username != "" {
		req.SetBasicAuth(opts.Username, password)
	}
	client := &http.Client{
		// A health endpoint that redirects is not the endpoint that was meant.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: %s: %v\n", u.Redacted(), redactErr(err, u))
		return ExitUnhealthy
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		fmt.Fprintf(out, "%s: %s\n", u.Redacted(), resp.Status)
		return ExitHealthy
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	fmt.Fprintf(out, "healthcheck: %s: %s: %q\n", u.Redacted(), resp.Status, body)
	return ExitUnhealthy
}

// password checks the basic auth options and reads the password file. Errors name the flag and
// the file, never the file's content.
func (o Options) password(u *url.URL) (string, error) {
	switch {
	case o.Username == "" && o.PasswordFile == "":
		return "", nil
	case o.Username == "":
		return "", errors.New("--basic-auth.username: must be set when --basic-auth.password-file is")
	case o.PasswordFile == "":
		return "", errors.New("--basic-auth.password-file: must be set when --basic-auth.username is")
	case u.User != nil:
		return "", errors.New("--basic-auth.username: the URL carries credentials already; give them one way")
	}
	b, err := os.ReadFile(o.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("--basic-auth.password-file: %w", err)
	}
	// Secret files end with a newline (init-secrets.sh writes them with printf '%s\n').
	return strings.TrimRight(string(b), "\r\n"), nil
}

func parseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("url: must not be empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the input, which may carry a password: say only what is wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("url: %w", ue.Err)
		}
		return nil, errors.New("url: does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("url %q: want http:// or https://", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("url %q: no host", u.Redacted())
	}
	return u, nil
}

// redactErr keeps a *url.Error from quoting the URL with its password.
func redactErr(err error, u *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
