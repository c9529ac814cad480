package prd

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

var (
	metadataLine   = regexp.MustCompile(`(?i)^(priority|estimate|estimated hours|effort|hours|phase|milestone|stage)\s*:\s*(.*)$`)
	priorityMarker = regexp.MustCompile(`(?i)[\[(]\s*(?:priority\s*:\s*)?(critical|high|medium|low|p[0-3])\s*[\])]`)
	hoursMarker    = regexp.MustCompile(`(?i)[\[(]\s*(?:(?:estimate|effort)\s*:\s*)?([0-9]+(?:\.[0-9]+)?\s*(?:h|hrs?|hours?|d|days?))\s*[\])]`)
	hoursValue     = regexp.MustCompile(`(?i)^([0-9]+(?:\.[0-9]+)?)\s*(h|hrs?|hours?|d|days?)?$`)
)

// maxHours bounds one estimate so that sums cannot overflow.
const maxHours = 100000

// priorityWords maps the spellings a PRD may use to a level in Priorities.
var priorityWords = map[string]string{
	"critical": "critical", "blocker": "critical", "p0": "critical", "urgent": "critical",
	"high": "high", "p1": "high", "must": "high", "must have": "high", "must-have": "high",
	"medium": "medium", "med": "medium", "normal": "medium", "p2": "medium", "should": "medium",
	"should have": "medium", "should-have": "medium",
	"low": "low", "p3": "low", "could": "low", "could have": "low", "could-have": "low",
	"minor": "low", "nice to have": "low", "nice-to-have": "low",
}

// parsePriority normalises a priority as written in the PRD.
func parsePriority(s string) (string, error) {
	p, ok := priorityWords[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return "", fmt.Errorf("unknown priority %q (want critical, high, medium, low, P0–P3 or must/should/could)", s)
	}
	return p, nil
}

// parseHours reads an estimate such as "12", "12h", "1.5 hours" or "2d" (a day is eight
// hours) and rounds it up to whole hours.
func parseHours(s string) (int, error) {
	m := hoursValue.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("estimate %q is not a number of hours or days (such as 12h or 2d)", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("estimate %q: %w", s, err)
	}
	if strings.HasPrefix(strings.ToLower(m[2]), "d") {
		v *= 8
	}
	if v > maxHours {
		return 0, fmt.Errorf("estimate %q is more than %d hours", s, maxHours)
	}
	return int(math.Ceil(v)), nil
}

// markers holds what inline markers and metadata lines say about an item.
type markers struct {
	priority string
	hours    int
	phase    int
	// phaseName is the name a phase reference gives, such as "Enhanced" in "Phase 2: Enhanced".
	phaseName string
}

// extractMarkers removes "[HIGH]", "(P1)", "(8h)", "[estimate: 2d]" and "(Phase 2)" from
// text and returns what they said.
func extractMarkers(text string) (string, markers, error) {
	var m markers
	if loc := priorityMarker.FindStringSubmatchIndex(text); loc != nil {
		p, err := parsePriority(text[loc[2]:loc[3]])
		if err != nil {
			return "", m, err
		}
		m.priority = p
		text = text[:loc[0]] + text[loc[1]:]
	}
	if loc := hoursMarker.FindStringSubmatchIndex(text); loc != nil {
		h, err := parseHours(text[loc[2]:loc[3]])
		if err != nil {
			return "", m, err
		}
		m.hours = h
		text = text[:loc[0]] + text[loc[1]:]
	}
	if loc := phaseAnnotation.FindStringSubmatchIndex(text); loc != nil {
		n, ok := phaseNumber(text[loc[2]:loc[3]])
		if ok {
			m.phase = n
			text = text[:loc[0]] + text[loc[1]:]
		}
	}
	return strings.TrimSpace(whitespaceRun.ReplaceAllString(text, " ")), m, nil
}

var whitespaceRun = regexp.MustCompile(`\s+`)

// applyMetadataLine reads a "Priority: high" / "Estimate: 8h" / "Phase: 2" line into m and
// reports whether the line was metadata.
func applyMetadataLine(line string, m *markers) (bool, error) {
	sub := metadataLine.FindStringSubmatch(line)
	if sub == nil {
		return false, nil
	}
	key, value := strings.ToLower(sub[1]), strings.TrimSpace(sub[2])
	switch key {
	case "priority":
		p, err := parsePriority(value)
		if err != nil {
			return false, err
		}
		m.priority = p
	case "phase", "milestone", "stage":
		n, name, ok := parsePhaseReference(value)
		if !ok {
			return false, fmt.Errorf("phase %q is not a phase number", value)
		}
		m.phase, m.phaseName = n, name
	default:
		h, err := parseHours(value)
		if err != nil {
			return false, err
		}
		m.hours = h
	}
	return true, nil
}

// merge fills what m does not say from o.
func (m markers) merge(o markers) markers {
	if m.priority == "" {
		m.priority = o.priority
	}
	if m.hours == 0 {
		m.hours = o.hours
	}
	if m.phase == 0 {
		m.phase, m.phaseName = o.phase, o.phaseName
	}
	return m
}
