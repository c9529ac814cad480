package exporter

import "sync"

// parallel runs fn(0) … fn(n-1) concurrently and waits for all of them.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}
