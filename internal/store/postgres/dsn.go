package postgres

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// redactedPassword replaces passwords in error text.
const redactedPassword = "xxxxx"

var (
	keywordPassword = regexp.MustCompile(`(?i)password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]*)`)
	urlUserinfo     = regexp.MustCompile(`://([^@/?#]*)@`)
)

// redact removes from msg every password that dsn carries, in URL userinfo,
// as a password= keyword or as a password query parameter, and the other
// secrets given, so that errors about a DSN can be shown and logged. It works
// on DSNs pgx cannot parse.
func redact(dsn, msg string, more ...string) string {
	secrets := more
	for _, m := range keywordPassword.FindAllStringSubmatch(dsn, -1) {
		secrets = append(secrets, m[1], strings.Trim(m[1], "'"))
	}
	if m := urlUserinfo.FindStringSubmatch(dsn); m != nil {
		if _, pw, ok := strings.Cut(m[1], ":"); ok {
			secrets = append(secrets, pw)
			if dec, err := url.PathUnescape(pw); err == nil {
				secrets = append(secrets, dec)
			}
		}
	}
	if u, err := url.Parse(dsn); err == nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
		for _, pw := range u.Query()["password"] {
			secrets = append(secrets, pw, url.QueryEscape(pw))
		}
	}
	return redactSecrets(msg, secrets)
}

// redactSecrets replaces every secret in msg in one pass, longest first, so
// that a secret found inside another, or inside the replacement, is not
// replaced again; short secrets are replaced too, as a password of any length
// must not show.
func redactSecrets(msg string, secrets []string) string {
	secrets = slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" })
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	secrets = slices.Compact(secrets)
	if len(secrets) == 0 {
		return msg
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, redactedPassword)
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}
