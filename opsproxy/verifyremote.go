package opsproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
)

// VerifyAuditThrough asks the opsproxy at baseURL (such as http://127.0.0.1:9980) to verify its
// audit log, GET /api/v1/audit/verify with the admin token in tokenFile, and writes the result
// to out as VerifyAudit does; it returns the exit code: 0 intact, 1 broken or not verified.
// This is how the embedded (bbolt) store is verified while opsproxy runs: bbolt locks the whole
// file, and a copy of a file being written is not consistent.
func VerifyAuditThrough(ctx context.Context, baseURL, tokenFile string, out io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(out, "audit log could not be verified: "+format+"\n", args...)
		return 1
	}
	secret, err := os.ReadFile(tokenFile)
	if err != nil {
		return fail("--token.file: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(baseURL, "/")+APIPrefix+"/audit/verify", nil)
	if err != nil {
		return fail("--url: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(secret)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail("%v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fail("%v", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.Unmarshal(body, &e)
		return fail("opsproxy answered %d: %s", resp.StatusCode, e.Error)
	}
	var v auditlog.Verification
	if err := json.Unmarshal(body, &v); err != nil {
		return fail("answer: %v", err)
	}
	return writeVerification(out, v)
}

// writeVerification prints a verification as the verify-audit command does and returns its
// exit code.
func writeVerification(out io.Writer, v auditlog.Verification) int {
	c := v.Verification
	if c.Break != nil {
		fmt.Fprintf(out, "audit log BROKEN at record %d: %s (checked %d records from seq %d)\n",
			c.Break.Seq, c.Break.Reason, c.Checked, c.Anchor.Seq)
	}
	if v.Seal != nil {
		for _, p := range v.Seal.Problems {
			fmt.Fprintf(out, "audit log BROKEN: %s\n", p)
		}
	}
	if !v.OK {
		return 1
	}
	fmt.Fprintf(out, "audit log intact: %d records checked, from seq %d to %d\n", c.Checked, c.Anchor.Seq, c.Head.Seq)
	if v.Seal != nil {
		fmt.Fprintf(out, "sealed up to record %d by %d signed checkpoints\n", v.Seal.Sealed, v.Seal.Checkpoints)
	}
	return 0
}
