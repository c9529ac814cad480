package jobsapi

import (
	"errors"
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

// admitRefusal is the answer to a kind's Admit error: 400 naming the parameter when the
// parameters do not suit the cluster (a profile it does not offer), else 409 (the cluster's
// state or settings refuse the job for now).
func admitRefusal(err error) error {
	if errors.Is(err, jobs.ErrInvalidParameters) {
		return apihttp.Errorf(http.StatusBadRequest, "parameters: %v", err)
	}
	return apihttp.Errorf(http.StatusConflict, "%v", err)
}
