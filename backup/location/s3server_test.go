package location

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/etcd-monitor/etcd-monitor/internal/childproc"
)

func TestMain(m *testing.M) {
	runS3ServerIfRequested()
	os.Exit(m.Run())
}

// s3ServerEnv asks the test binary to be gofakes3 (memory backend) instead of running tests;
// its value is the latency added to every request ("0s", "20ms").
const s3ServerEnv = "LOCATION_TEST_S3_SERVER"

// runS3ServerIfRequested serves gofakes3 on loopback, prints its URL and serves until its
// standard input closes (the benchmark that started it ended).
func runS3ServerIfRequested() {
	if os.Getenv(s3ServerEnv) == "" {
		return
	}
	latency, err := time.ParseDuration(os.Getenv(s3ServerEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, s3ServerEnv, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fake := gofakes3.New(s3mem.New()).Server()
	// The latency stands for the round trip and the first byte's wait of a distant endpoint:
	// asleep, it costs no CPU, so it models what concurrency can hide on a real network.
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		fake.ServeHTTP(w, r)
	}))
	os.Exit(1)
}

// s3Server is gofakes3 in a process of its own, so that the benchmark's memory and CPU figures
// are the client's alone and the server's are measured apart.
type s3Server struct {
	url string
	pid int
}

// startS3Server starts gofakes3 with latency added to every request.
func startS3Server(b *testing.B, latency time.Duration) *s3Server {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), s3ServerEnv+"="+latency.String())
	cmd.SysProcAttr = childproc.DieWithParent()
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("gofakes3 process: %v", err)
	}
	return &s3Server{url: strings.TrimSpace(line), pid: cmd.Process.Pid}
}

// cpuSeconds is the CPU time (user and system) the process of a /proc stat file used so far.
func cpuSeconds(statPath string) float64 {
	raw, err := os.ReadFile(statPath)
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in brackets: state is the first,
	// utime and stime the 12th and 13th, in clock ticks of 1/100 s.
	_, rest, _ := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}
