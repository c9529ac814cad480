package regress

import "math"

// BlockLength chooses a circular block bootstrap's block length for x by Politis and White's
// rule (2004, with Patton, Politis and White's 2009 correction): find the lag m̂ after which
// the sample autocorrelations stay insignificant, estimate the spectral quantities G and g(0)
// with a flat-top lag window of width 2m̂, and take b = (2G²/D)^(1/3) n^(1/3) with D = (4/3)g(0)²
// for circular blocks. Independent seconds give 1; strongly dependent ones longer blocks. The
// result lies in [1, n/3], so a resample still mixes at least three blocks.
func BlockLength(x []float64) int {
	n := len(x)
	if n < 4 {
		return 1
	}
	maxBlock := max(1, n/3)
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	autocov := func(k int) float64 {
		s := 0.0
		for i := 0; i+k < n; i++ {
			s += (x[i] - mean) * (x[i+k] - mean)
		}
		return s / float64(n)
	}
	r0 := autocov(0)
	if r0 == 0 {
		return 1
	}
	// Kn consecutive insignificant autocorrelations end the dependence; c = 2 as they suggest.
	kn := max(5, int(math.Ceil(math.Sqrt(math.Log10(float64(n))))))
	maxLag := min(n-1, int(math.Ceil(math.Sqrt(float64(n))))+kn)
	bound := 2 * math.Sqrt(math.Log10(float64(n))/float64(n))
	rho := make([]float64, maxLag+1)
	for k := 1; k <= maxLag; k++ {
		rho[k] = autocov(k) / r0
	}
	mHat := maxLag
	for m := 0; m+1 <= maxLag; m++ {
		quiet := true
		for k := 1; k <= kn && m+k <= maxLag; k++ {
			if math.Abs(rho[m+k]) >= bound {
				quiet = false
				break
			}
		}
		if quiet {
			mHat = m
			break
		}
	}
	bigM := min(2*max(mHat, 1), maxLag)
	g0, G := r0, 0.0
	for k := 1; k <= bigM; k++ {
		w := flatTop(float64(k) / float64(bigM))
		rk := autocov(k)
		g0 += 2 * w * rk
		G += 2 * w * float64(k) * rk
	}
	if g0 <= 0 {
		return 1
	}
	b := math.Pow(2*G*G/((4.0/3.0)*g0*g0), 1.0/3.0) * math.Pow(float64(n), 1.0/3.0)
	if math.IsNaN(b) {
		return 1
	}
	return min(max(1, int(math.Ceil(b))), maxBlock)
}

// flatTop is Politis and Romano's trapezoid lag window: 1 up to 1/2, falling to 0 at 1.
func flatTop(t float64) float64 {
	t = math.Abs(t)
	switch {
	case t <= 0.5:
		return 1
	case t <= 1:
		return 2 * (1 - t)
	}
	return 0
}
