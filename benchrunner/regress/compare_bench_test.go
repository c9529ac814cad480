package regress

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkCompare measures one comparison with the defaults (2,000 resamples, both metrics),
// what the compare API and bench report spend per pair of runs.
func BenchmarkCompare(b *testing.B) {
	for _, seconds := range []int{60, 600} {
		rng := rand.New(rand.NewPCG(1, 2))
		base, run := ar1Run(rng, seconds, 1000, 0.02, 0.6, 0.08), ar1Run(rng, seconds, 1000, 0.02, 0.6, 0.08)
		b.Run(map[int]string{60: "1min", 600: "10min"}[seconds], func(b *testing.B) {
			for b.Loop() {
				Compare(base, run, Options{Seed: 1})
			}
		})
	}
}
