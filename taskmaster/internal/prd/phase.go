package prd

import (
	"regexp"
	"strconv"
	"strings"
)

const phaseWord = `(?:phase|milestone|stage)`

// phaseToken matches a phase number: digits, a number word or a Roman numeral.
const phaseToken = `([0-9]{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[ivx]{1,5})`

var (
	numberingPrefix = regexp.MustCompile(`^(?:[0-9]{1,4}(?:\.[0-9]{1,4})*[.)]?)\s+`)
	phaseHeading    = regexp.MustCompile(`(?i)^` + phaseWord + `\s+` + phaseToken + `\b\s*(?:[:.)\-–—]+\s*)?(.*)$`)
	phaseAnnotation = regexp.MustCompile(`(?i)[(\[]\s*` + phaseWord + `\s+` + phaseToken + `\s*[)\]]`)
	phaseCell       = regexp.MustCompile(`(?i)^(?:` + phaseWord + `\s*)?` + phaseToken + `\b\s*(?:[:.)\-–—]+\s*)?(.*)$`)
	weeksSpan       = regexp.MustCompile(`(?i)[(\[]?\s*\bweeks?\s+([0-9]{1,4}(?:\s*[-–—]\s*[0-9]{1,4})?)\s*[)\]]?`)
	dashRun         = regexp.MustCompile(`\s*[-–—]\s*`)
)

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

var romanDigits = map[byte]int{'i': 1, 'v': 5, 'x': 10}

// phaseNumber reads a phase number token; it reports false for zero or a malformed numeral.
func phaseNumber(tok string) (int, bool) {
	tok = strings.ToLower(tok)
	if n, ok := numberWords[tok]; ok {
		return n, true
	}
	if n, err := strconv.Atoi(tok); err == nil {
		return n, n > 0
	}
	n := 0
	for i := 0; i < len(tok); i++ {
		v, ok := romanDigits[tok[i]]
		if !ok {
			return 0, false
		}
		if i+1 < len(tok) && romanDigits[tok[i+1]] > v {
			n -= v
		} else {
			n += v
		}
	}
	return n, n > 0
}

// stripNumbering removes a section number such as "3.", "2.1" or "4)" from a title.
func stripNumbering(s string) string {
	return strings.TrimSpace(numberingPrefix.ReplaceAllString(s, ""))
}

// parsePhaseHeading recognises "Phase 2: Enhanced Monitoring (Weeks 7-10)" and returns the
// number, the name and the week span.
func parsePhaseHeading(text string) (number int, name, weeks string, ok bool) {
	m := phaseHeading.FindStringSubmatch(stripNumbering(text))
	if m == nil {
		return 0, "", "", false
	}
	number, ok = phaseNumber(m[1])
	if !ok {
		return 0, "", "", false
	}
	name, weeks = splitWeeks(m[2])
	return number, name, weeks, true
}

// parsePhaseReference reads a phase given in a table cell or a "Phase:" line: "2",
// "Phase 2" or "Phase 2 - Enhanced".
func parsePhaseReference(s string) (int, string, bool) {
	m := phaseCell.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, "", false
	}
	n, ok := phaseNumber(m[1])
	if !ok {
		return 0, "", false
	}
	name, _ := splitWeeks(m[2])
	return n, name, true
}

// splitWeeks takes a "(Weeks 1-6)" span out of a phase name.
func splitWeeks(s string) (name, weeks string) {
	if loc := weeksSpan.FindStringSubmatchIndex(s); loc != nil {
		weeks = dashRun.ReplaceAllString(s[loc[2]:loc[3]], "-")
		s = s[:loc[0]] + s[loc[1]:]
	}
	return strings.Trim(strings.TrimSpace(s), ":-–— "), weeks
}
