//go:build !linux

package diskprobe

import (
	"errors"
	"os"
	"runtime"
)

// The native probe is Linux's: fdatasync and fallocate as etcd uses them there.
const nativeSupported = false

var errNativeUnsupported = errors.New("the native probe is unsupported on " + runtime.GOOS + "; use the fio engine")

func preallocate(*os.File, int64) error { return errNativeUnsupported }
func fdatasync(*os.File) error          { return errNativeUnsupported }
func fdatasyncRaw(*os.File) error       { return errNativeUnsupported }
