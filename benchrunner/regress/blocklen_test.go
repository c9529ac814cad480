package regress

import (
	"math/rand/v2"
	"testing"
)

func TestBlockLengthFollowsAutocorrelation(t *testing.T) {
	mean := func(phi float64) float64 {
		rng := rand.New(rand.NewPCG(11, 12))
		sum := 0
		for range 50 {
			sum += BlockLength(series(ar1Run(rng, 120, 1000, 0.02, phi, 0.05), metrics[0]))
		}
		return float64(sum) / 50
	}
	iid, mid, high := mean(0), mean(0.6), mean(0.9)
	t.Logf("mean block length over 120 s: phi 0 → %.1f, 0.6 → %.1f, 0.9 → %.1f", iid, mid, high)
	if !(iid < mid && mid < high) || iid > 3 {
		t.Errorf("block lengths should grow with the autocorrelation and stay short without it: %.1f, %.1f, %.1f", iid, mid, high)
	}
}

func TestBlockLengthBounds(t *testing.T) {
	if b := BlockLength([]float64{5, 5, 5, 5, 5, 5}); b != 1 {
		t.Errorf("a constant series: %d, want 1", b)
	}
	if b := BlockLength([]float64{1, 2}); b != 1 {
		t.Errorf("two seconds: %d, want 1", b)
	}
	trend := make([]float64, 30)
	for i := range trend {
		trend[i] = float64(i)
	}
	if b := BlockLength(trend); b < 1 || b > 10 {
		t.Errorf("a trend over 30 s: %d, want within [1, 10]", b)
	}
}

func TestStudentTQuantiles(t *testing.T) {
	// Student's t 0.975 quantiles from the tables.
	for df, want := range map[float64]float64{2: 4.303, 3: 3.182, 5: 2.571, 10: 2.228, 30: 2.042, 1000: 1.962} {
		got := studentT(0.975, df)
		if got < want*0.99 || got > want*1.03 {
			t.Errorf("t(0.975, %g) = %.3f, want %.3f (within -1 %% … +3 %%: never narrower)", df, got, want)
		}
	}
}
