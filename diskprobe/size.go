package diskprobe

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize reads a byte size as fio does (binary units): 2300, 4k, 22m, 22MiB, 1g.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "ib"), "b")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("not a size: %q (want bytes, or a number with k, m, g or t: 2300, 22m)", s)
	}
	return v * mult, nil
}
