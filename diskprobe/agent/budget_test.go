package agent

import (
	"errors"
	"testing"
	"time"
)

func TestBudgetRefusesWhatWouldExceedItAndSaysWhenItFrees(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := budget{max: 100}
	a, err := b.reserve(t0, 40)
	if err != nil {
		t.Fatal(err)
	}
	b.settle(a, t0.Add(time.Minute), 30) // wrote less than planned
	c, err := b.reserve(t0.Add(10*time.Minute), 50)
	if err != nil {
		t.Fatal(err)
	}
	b.settle(c, t0.Add(11*time.Minute), 50)
	if got := b.used(t0.Add(20 * time.Minute)); got != 80 {
		t.Fatalf("used %d, want 80", got)
	}
	// 80 used + 40 > 100: 20 must free, which the first spend (30, ended at 12:01) does at 13:01.
	_, err = b.reserve(t0.Add(20*time.Minute), 40)
	var over *budgetError
	if !errors.As(err, &over) || !over.FreesAt.Equal(t0.Add(61*time.Minute)) || over.Used != 80 || over.Requested != 40 {
		t.Fatalf("err %v (%+v), want a refusal freeing at 13:01", err, over)
	}
	// 80 + 60: both spends must age out: at 13:11.
	if _, err = b.reserve(t0.Add(20*time.Minute), 60); !errors.As(err, &over) || !over.FreesAt.Equal(t0.Add(71*time.Minute)) {
		t.Fatalf("err %v, want a refusal freeing at 13:11", err)
	}
	// More than the whole budget never fits.
	if _, err = b.reserve(t0, 101); !errors.As(err, &over) || !over.FreesAt.IsZero() {
		t.Fatalf("err %v, want a refusal that never frees", err)
	}
	// An hour after the first spend ended, it no longer counts.
	if _, err := b.reserve(t0.Add(61*time.Minute), 40); err != nil {
		t.Fatalf("after the first spend aged out: %v", err)
	}
}

func TestBudgetReservesTheRestForATimeBasedProbe(t *testing.T) {
	t0 := time.Now()
	b := budget{max: 100}
	s, _ := b.reserve(t0, 30)
	b.settle(s, t0, 30)
	r, err := b.reserveRest(t0, 10)
	if err != nil || r.bytes != 70 {
		t.Fatalf("reservation %v, %v; want the 70 left", r, err)
	}
	if _, err := b.reserve(t0, 1); err == nil {
		t.Fatal("the budget took more while the rest was reserved")
	}
	b.settle(r, t0, 20)
	if got := b.used(t0); got != 50 {
		t.Fatalf("used %d after settling, want 50", got)
	}
	if _, err := b.reserveRest(t0, 60); err == nil {
		t.Fatal("reserveRest took less than its least")
	}
}

func TestBudgetKeepsASettledSpendThatOutlivedItsReservation(t *testing.T) {
	t0 := time.Now()
	b := budget{max: 100}
	s, _ := b.reserve(t0, 10)
	b.used(t0.Add(2 * time.Hour)) // the reservation ages out while the probe still runs
	b.settle(s, t0.Add(2*time.Hour), 10)
	if got := b.used(t0.Add(2 * time.Hour)); got != 10 {
		t.Fatalf("used %d, want the 10 the long probe wrote", got)
	}
}
