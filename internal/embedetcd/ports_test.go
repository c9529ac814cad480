package embedetcd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/childproc"
)

// helperEnv makes TestHelperProcess act as one of the competing processes of the tests here:
// "ports <count> <low> <high>" allocates count ports from low-high, "cluster" starts a 1-member
// cluster. Either prints what it got, then DONE, and holds on to it until its stdin closes.
const helperEnv = "EMBEDETCD_TEST_HELPER"

func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("runs only as a child process of the tests here")
	}
	var n, lo, hi int
	switch _, err := fmt.Sscanf(mode, "ports %d %d %d", &n, &lo, &hi); {
	case err == nil:
		portRange = func() (int, int) { return lo, hi }
		for range n {
			port, err := FreePort()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("PORT %d\n", port)
		}
	case mode == "cluster":
		c, err := Start(Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Printf("ENDPOINT %s\n", c.Members[0].ClientURL)
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	fmt.Println("DONE")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// runHelpers starts n copies of this test binary as TestHelperProcess in mode, all at once, and
// returns the values each printed with the given prefix once all of them are DONE. They are all
// still running then, and stop at test cleanup.
func runHelpers(t *testing.T, n int, mode, prefix string) [][]string {
	t.Helper()
	// A bound for a wedged child, not a speed check.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	got := make([][]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+mode)
		cmd.SysProcAttr = childproc.DieWithParent()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start helper: %v", err)
		}
		t.Cleanup(func() {
			stdin.Close()
			_ = cmd.Wait()
		})
		wg.Go(func() {
			var out []string
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line := sc.Text()
				if line == "DONE" {
					return
				}
				out = append(out, line)
				if v, ok := strings.CutPrefix(line, prefix+" "); ok {
					got[i] = append(got[i], v)
				}
			}
			werr := cmd.Wait()
			errs[i] = fmt.Errorf("helper %d ended before DONE (%v):\n%s\n%s", i, werr, strings.Join(out, "\n"), stderr.String())
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// Processes allocating at the same time from a range they must share never get the same port.
func TestPortsAreNotHandedOutTwiceAcrossProcesses(t *testing.T) {
	const procs, each = 6, 200
	lo, hi := portRange()
	// Narrow enough that every process runs into the others' ports.
	hi = min(hi, lo+procs*each*5/4)
	got := runHelpers(t, procs, fmt.Sprintf("ports %d %d %d", each, lo, hi), "PORT")
	owner := map[int]int{}
	for i, ports := range got {
		if len(ports) != each {
			t.Errorf("helper %d got %d ports, want %d", i, len(ports), each)
		}
		for _, s := range ports {
			port, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("helper %d printed port %q", i, s)
			}
			if port < lo || port > hi {
				t.Errorf("helper %d got port %d outside %d-%d", i, port, lo, hi)
			}
			if j, dup := owner[port]; dup {
				t.Errorf("port %d handed out to helper %d and helper %d", port, j, i)
			}
			owner[port] = i
		}
	}
}

// Clusters started at the same time by separate processes each come up on their own ports.
func TestClustersStartConcurrentlyFromParallelProcesses(t *testing.T) {
	const procs = 3
	got := runHelpers(t, procs, "cluster", "ENDPOINT")
	seen := map[string]bool{}
	for i, eps := range got {
		if len(eps) != 1 {
			t.Fatalf("helper %d printed endpoints %v, want one", i, eps)
		}
		ep := eps[0]
		if seen[ep] {
			t.Errorf("endpoint %s served by two clusters", ep)
		}
		seen[ep] = true
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = cli.Status(ctx, ep)
		cancel()
		cli.Close()
		if err != nil {
			t.Errorf("status of helper %d's cluster at %s: %v", i, ep, err)
		}
	}
}

func TestAllocRangeStaysOutsideEphemeralRange(t *testing.T) {
	for _, tc := range []struct {
		name           string
		ephLo, ephHi   int
		wantLo, wantHi int
	}{
		{"linux default: 20000 up to just below it", 32768, 60999, 20000, 32767},
		{"ephemeral range starting lower: cut below it", 28000, 60999, 20000, 27999},
		{"ephemeral range starting higher: no more than 20000-32767", 49152, 65535, 20000, 32767},
		{"no room below: above it", 15000, 40000, 40001, 52768},
		{"no room below, little above: above up to 65535", 10000, 63000, 63001, 65535},
		{"no room either side: 20000-32767 anyway", 1024, 65000, 20000, 32767},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := allocRange(tc.ephLo, tc.ephHi)
			if lo != tc.wantLo || hi != tc.wantHi {
				t.Errorf("allocRange(%d, %d) = %d-%d, want %d-%d", tc.ephLo, tc.ephHi, lo, hi, tc.wantLo, tc.wantHi)
			}
		})
	}
}
