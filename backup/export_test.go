package backup

import "io"

// SetStreamHook wraps every snapshot stream from a member (fault injection).
func (e *Engine) SetStreamHook(h func(member string, r io.Reader) io.Reader) { e.streamHook = h }
