package diskprobe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Run probes the disk as o says and returns the result. It validates o first (the error
// names the field; IsBadInput tells it apart), refuses a missing, non-directory or
// non-writable Dir and too little free space, removes leftovers of crashed probes, writes only
// in a subdirectory of its own and removes it on every return. When ctx ends mid-probe, Run
// returns the partial result (Partial set) with an error wrapping ctx's.
func Run(ctx context.Context, o Options) (Result, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	if o.Engine == EngineFio {
		if err := checkFio(o.FioPath); err != nil {
			return Result{}, err
		}
	}
	dir, wal, err := probeDir(o)
	if err != nil {
		return Result{}, err
	}
	res := Result{
		Engine:    o.Engine,
		Job:       o.Job,
		Dir:       dir,
		WALDir:    wal,
		Threshold: o.Threshold.Seconds(),
		Budget:    Budget{SpaceBytes: o.Job.SpaceBytes(), Duration: o.Job.Duration},
	}
	if o.Job.Duration == 0 {
		res.Budget.WriteBytes = o.Job.Writes() * o.Job.BlockSize
	}
	if o.Engine == EngineFio {
		res.Budget.SpaceBytes = o.Job.Size // fio lays out Size itself
	}
	res.Host, _ = os.Hostname()
	res.RemovedLeftovers = removeLeftovers(dir, o.Logger)
	work, err := makeWorkDir(dir)
	if err != nil {
		return res, err
	}
	defer func() {
		if err := os.RemoveAll(work); err != nil {
			o.Logger.Error("cannot remove the probe's directory", "path", work, "err", err)
		}
	}()

	info, err := fsInfo(dir)
	if err != nil {
		return res, fmt.Errorf("filesystem of %s: %w", dir, err)
	}
	res.Filesystem = info
	if info.Type != "unknown" {
		need, margin := freeNeeded(Job{Size: o.Job.Size, Preallocate: res.Budget.SpaceBytes})
		if uint64(need+margin) > info.FreeBytes {
			return res, fieldErr("dir", "not enough free space on %s: the probe needs %s plus a margin of %s, %s is free",
				dir, FormatBytes(need), FormatBytes(margin), FormatBytes(int64(info.FreeBytes)))
		}
	}
	o.Logger.Debug("probing", "dir", work, "engine", o.Engine, "profile", o.Job.Profile, "fs", info.Type, "device", info.Device)

	var member *memberWindow
	if o.CompareMember != "" {
		member = startMemberWindow(ctx, o.CompareMember)
	}
	res.StartedAt = time.Now()
	var out engineOutput
	switch o.Engine {
	case EngineFio:
		out, err = runFio(ctx, work, o)
	default:
		out, err = runNative(ctx, work, o)
	}
	res.FinishedAt = time.Now()
	if member != nil {
		res.Member = member.finish(ctx)
	}
	if err != nil {
		return res, err
	}
	res.Syncs, res.Bytes, res.Elapsed = out.syncs, out.bytes, out.elapsed
	res.Sync, res.Write, res.Runner = out.sync, out.write, out.runner
	if out.elapsed > 0 {
		res.IOPS = float64(out.syncs) / out.elapsed.Seconds()
	}
	if out.partial || ctx.Err() != nil {
		res.Partial = true
		res.Reason = "stopped early: " + context.Cause(ctx).Error()
	}
	judge(&res)
	if res.Partial {
		return res, fmt.Errorf("probe stopped early: %w", context.Cause(ctx))
	}
	if res.Sync.Count == 0 {
		return res, errors.New("no syncs were measured")
	}
	return res, nil
}

// probeDir is where the probe writes: Dir, or the WAL directory (WALDir, or Dir/member/wal
// in a member's data directory) when that is on another filesystem than Dir; wal is the WAL
// directory measured, if any.
func probeDir(o Options) (dir, wal string, err error) {
	field := "dir"
	if o.Dir == o.WALDir {
		field = "wal_dir"
	}
	if err := checkDir(field, o.Dir); err != nil {
		return "", "", err
	}
	wal = o.WALDir
	if wal != "" {
		if err := checkDir("wal_dir", wal); err != nil {
			return "", "", err
		}
	} else if fi, err := os.Stat(filepath.Join(o.Dir, "member", "wal")); err == nil && fi.IsDir() {
		wal = filepath.Join(o.Dir, "member", "wal")
	}
	if wal == "" {
		return o.Dir, "", nil
	}
	dDev, ok1 := deviceOf(o.Dir)
	wDev, ok2 := deviceOf(wal)
	if ok1 && ok2 && dDev != wDev {
		return wal, wal, nil
	}
	return o.Dir, wal, nil
}
