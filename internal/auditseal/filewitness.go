package auditseal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// FileWitness appends checkpoints to a file, one JSON object a line, and
// syncs it before Publish returns. Keep the file on another disk or host
// than the database, or mark it append-only (chattr +a).
type FileWitness struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

var _ Witness = (*FileWitness)(nil)

// OpenFileWitness opens or creates the witness file at path for appending.
// A last line cut by a crash mid-write (its Publish never returned) is
// removed first, so that the next line starts on a line of its own.
func OpenFileWitness(path string) (*FileWitness, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open witness file: %w", err)
	}
	if err := dropIncompleteLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("witness file %s: %w", path, err)
	}
	return &FileWitness{path: path, f: f}, nil
}

// dropIncompleteLine truncates f after its last newline.
func dropIncompleteLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	end := fi.Size()
	buf := make([]byte, 4096)
	for pos := end; pos > 0; {
		n := min(int64(len(buf)), pos)
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end = pos + int64(i) + 1
			if end == fi.Size() {
				return nil
			}
			return truncate(f, end)
		}
	}
	if end == 0 {
		return nil
	}
	return truncate(f, 0)
}

func truncate(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("remove the incomplete last line: %w", err)
	}
	return f.Sync()
}

// Path is the witness file.
func (w *FileWitness) Path() string { return w.path }

// Name implements Witness.
func (w *FileWitness) Name() string { return "file " + w.path }

// Publish implements Witness: one line, written and synced.
func (w *FileWitness) Publish(_ context.Context, c store.Checkpoint) error {
	line, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("encode checkpoint %d: %w", c.Seq, err)
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(line); err != nil {
		return fmt.Errorf("write checkpoint %d to %s: %w", c.Seq, w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync checkpoint %d to %s: %w", c.Seq, w.path, err)
	}
	return nil
}

// Read implements Witness by reading the file from its start.
func (w *FileWitness) Read(ctx context.Context) (WitnessRead, error) {
	return readWitnessFile(ctx, w.path)
}

// FileWitnessReader reads the witness file at path, which may be in use by
// a writer, without opening it for writing.
type FileWitnessReader string

// Name implements WitnessReader.
func (p FileWitnessReader) Name() string { return "file " + string(p) }

// Read implements WitnessReader.
func (p FileWitnessReader) Read(ctx context.Context) (WitnessRead, error) {
	return readWitnessFile(ctx, string(p))
}

// readWitnessFile reads the file line by line.
func readWitnessFile(ctx context.Context, path string) (WitnessRead, error) {
	f, err := os.Open(path)
	if err != nil {
		return WitnessRead{}, fmt.Errorf("read witness file: %w", err)
	}
	defer f.Close()
	var out WitnessRead
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			out.IncompleteTail = len(line) > 0
			return out, nil
		}
		if err != nil {
			return WitnessRead{}, fmt.Errorf("read witness file %s: %w", path, err)
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return WitnessRead{}, fmt.Errorf("read witness file %s: %w", path, err)
			}
		}
		var c store.Checkpoint
		if err := json.Unmarshal(line, &c); err != nil {
			out.Damaged = append(out.Damaged, fmt.Sprintf("line %d: not a checkpoint: %v", n, err))
			continue
		}
		out.Checkpoints = append(out.Checkpoints, c)
	}
}

// Close implements Witness.
func (w *FileWitness) Close() error {
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("close witness file %s: %w", w.path, err)
	}
	return nil
}
