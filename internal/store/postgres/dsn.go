package postgres

import (
	"net/url"
	"regexp"
	"strings"
)

// redactedPassword replaces passwords in error text.
const redactedPassword = "xxxxx"

var (
	keywordPassword = regexp.MustCompile(`(?i)password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]*)`)
	urlUserinfo     = regexp.MustCompile(`://([^@/?#]*)@`)
)

// redact removes from msg every password that dsn carries, in URL userinfo,
// as a password= keyword or as a password query parameter, so that errors
// about a DSN can be shown and logged. It works on DSNs pgx cannot parse.
func redact(dsn, msg string) string {
	var secrets []string
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
	for _, s := range secrets {
		msg = redactPassword(s, msg)
	}
	return msg
}

// redactPassword replaces secret in msg; short secrets are replaced too, as
// a password of any length must not show.
func redactPassword(secret, msg string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, redactedPassword)
}
