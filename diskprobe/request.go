package diskprobe

import (
	"time"

	"github.com/prometheus/common/model"
)

// Options turns an agent's probe request into validated Options probing dir; zero fields take
// the profile's values (profile etcd by default). Errors name the request's JSON field.
func (r ProbeRequest) Options(dir string) (Options, error) {
	profile := r.Profile
	if profile == "" {
		profile = "etcd"
	}
	j, err := ProfileJob(profile)
	if err != nil {
		return Options{}, err
	}
	if r.BlockSize < 0 {
		return Options{}, fieldErr("block_size", "must not be negative, got %d", r.BlockSize)
	}
	if r.Size < 0 {
		return Options{}, fieldErr("size", "must not be negative, got %d", r.Size)
	}
	if r.BlockSize > 0 {
		j.BlockSize = r.BlockSize
	}
	if r.Size > 0 {
		j = j.withSize(r.Size)
	}
	if r.Duration != "" {
		d, err := model.ParseDuration(r.Duration)
		if err != nil {
			return Options{}, fieldErr("duration", "%w", err)
		}
		j.Duration = time.Duration(d)
	}
	if r.BlockSize > 0 || r.Size > 0 || r.Duration != "" {
		j.Profile = "custom"
	}
	if r.Threshold < 0 || r.Threshold > MaxThreshold.Seconds() {
		return Options{}, fieldErr("threshold", "must be above 0 and at most %g seconds, got %g", MaxThreshold.Seconds(), r.Threshold)
	}
	o := Options{Dir: dir, Engine: r.Engine, Job: j, Threshold: time.Duration(r.Threshold * float64(time.Second))}
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		var fe *FieldError
		if asField(err, &fe) {
			fe.Field = requestField(fe.Field)
		}
		return Options{}, err
	}
	return o, nil
}

// requestField is the ProbeRequest JSON name of an Options field.
func requestField(f string) string {
	switch f {
	case "job.profile":
		return "profile"
	case "job.block_size":
		return "block_size"
	case "job.size":
		return "size"
	case "job.duration":
		return "duration"
	case "job.preallocate":
		return "size"
	}
	return f
}
