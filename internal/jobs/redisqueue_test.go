package jobs_test

import (
	"testing"
)

func TestRedisQueueContract(t *testing.T) {
	runQueueContract(t, newRedisQueue)
}
