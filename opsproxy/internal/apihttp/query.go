package apihttp

import (
	"net/http"
	"net/url"
	"strconv"
)

// QueryBool reads a boolean parameter; absent is false.
func QueryBool(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	switch q.Get(name) {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, Errorf(http.StatusBadRequest, "%s: want true or false", name)
}

// QueryInt reads an integer parameter of at least min; absent is 0.
func QueryInt(q url.Values, name string, min int64) (int64, error) {
	if !q.Has(name) {
		return 0, nil
	}
	v, err := strconv.ParseInt(q.Get(name), 10, 64)
	if err != nil {
		return 0, Errorf(http.StatusBadRequest, "%s: want an integer", name)
	}
	if v < min {
		return 0, Errorf(http.StatusBadRequest, "%s: must be at least %d", name, min)
	}
	return v, nil
}
