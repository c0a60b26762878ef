package backoff_test

import (
	"fmt"
	"time"

	"github.com/redish/redish/backoff"
)

func ExampleNew() {
	b, err := backoff.New("exponential", backoff.DefaultBase, backoff.DefaultCap, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var waits []time.Duration
	for f := 1; f <= 8; f++ {
		waits = append(waits, b.Compute(f))
	}
	fmt.Println(waits)
	_, err = backoff.New("linear", backoff.DefaultBase, backoff.DefaultCap, nil)
	fmt.Println(err)
	// Output:
	// [16ms 32ms 64ms 128ms 256ms 512ms 512ms 512ms]
	// unknown backoff "linear" (valid: none, constant, exponential, full-jitter, equal-jitter, decorrelated-jitter, exponential-jitter)
}
