package capture

import (
	"context"
	"encoding/base64"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
)

func newSMTP(t *testing.T) *SMTPServer {
	t.Helper()
	s, err := NewSMTPServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestSMTPServerRecordsMessagesSentWithNetSMTP(t *testing.T) {
	multipartMsg := "Subject: =?UTF-8?Q?[FIRING:1]_etcdNoLeader_=C2=B7_prod?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
		"\r\n" +
		"--b1\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"member m1 has no leader, see https://example.com/runbooks.md#etcdnol=\r\n" +
		"eader =E2=9C=93\r\n" +
		"--b1\r\n" +
		"Content-Type: text/html; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		base64.StdEncoding.EncodeToString([]byte("<p>member m1 has no leader</p>")) + "\r\n" +
		"--b1--\r\n"
	for _, tc := range []struct {
		name               string
		auth               smtp.Auth
		msg                string
		wantUser, wantPass string
		wantSubject        string
		wantText, wantHTML string
	}{
		{
			name:        "plain text without auth",
			msg:         "Subject: hello\r\n\r\nline one\r\n.leading dot\r\n",
			wantSubject: "hello",
			wantText:    "line one\n.leading dot\n", // DATA lines end in LF once read, dot-stuffing undone
		},
		{
			name:        "multipart with auth plain",
			auth:        smtp.PlainAuth("", "am@example.com", "s3cret", "127.0.0.1"),
			msg:         multipartMsg,
			wantUser:    "am@example.com",
			wantPass:    "s3cret",
			wantSubject: "[FIRING:1] etcdNoLeader · prod",
			wantText:    "member m1 has no leader, see https://example.com/runbooks.md#etcdnoleader ✓",
			wantHTML:    "<p>member m1 has no leader</p>",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSMTP(t)
			if err := smtp.SendMail(s.Addr(), tc.auth, "am@example.com", []string{"a@example.com", "b@example.com"}, []byte(tc.msg)); err != nil {
				t.Fatalf("send: %v", err)
			}
			e, err := s.WaitFor(context.Background(), func(Email) bool { return true })
			if err != nil {
				t.Fatal(err)
			}
			if e.From != "am@example.com" || strings.Join(e.To, ",") != "a@example.com,b@example.com" {
				t.Errorf("envelope %q -> %q", e.From, e.To)
			}
			if e.AuthUsername != tc.wantUser || e.AuthPassword != tc.wantPass {
				t.Errorf("auth %q/%q, want %q/%q", e.AuthUsername, e.AuthPassword, tc.wantUser, tc.wantPass)
			}
			if e.Subject != tc.wantSubject {
				t.Errorf("subject %q, want %q", e.Subject, tc.wantSubject)
			}
			if strings.TrimRight(e.Text, "\r\n") != strings.TrimRight(tc.wantText, "\r\n") {
				t.Errorf("text %q, want %q", e.Text, tc.wantText)
			}
			if e.HTML != tc.wantHTML {
				t.Errorf("html %q, want %q", e.HTML, tc.wantHTML)
			}
			if e.Helo == "" {
				t.Error("EHLO name not recorded")
			}
		})
	}
}

// dialogue runs client lines against the server and returns the status code of each reply.
func dialogue(t *testing.T, s *SMTPServer, lines ...string) []int {
	t.Helper()
	c, err := textproto.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	var codes []int
	for _, l := range lines {
		if err := c.PrintfLine("%s", l); err != nil {
			t.Fatal(err)
		}
		code, _, err := c.ReadResponse(0)
		if err != nil && code == 0 {
			t.Fatalf("reply to %q: %v", l, err)
		}
		codes = append(codes, code)
	}
	return codes
}

func TestSMTPServerAnswersDialoguesLikeAnMTA(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name  string
		lines []string
		want  []int
	}{
		{"rcpt before mail is refused", []string{"HELO x", "RCPT TO:<a@b>", "QUIT"}, []int{250, 503, 221}},
		{"data before rcpt is refused", []string{"EHLO x", "MAIL FROM:<a@b>", "DATA", "QUIT"}, []int{250, 250, 503, 221}},
		{"malformed mail from is refused", []string{"EHLO x", "MAIL FROM:a@b", "QUIT"}, []int{250, 501, 221}},
		{"unknown command", []string{"EHLO x", "ETRN x", "NOOP", "RSET", "VRFY a", "QUIT"}, []int{250, 502, 250, 250, 252, 221}},
		{"auth login", []string{"EHLO x", "AUTH LOGIN", b64("user"), b64("pass"), "QUIT"}, []int{250, 334, 334, 235, 221}},
		{"auth plain with challenge", []string{"EHLO x", "AUTH PLAIN", b64("\x00user\x00pass"), "QUIT"}, []int{250, 334, 235, 221}},
		{"unsupported auth mechanism", []string{"EHLO x", "AUTH CRAM-MD5", "QUIT"}, []int{250, 535, 221}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := dialogue(t, newSMTP(t), tc.lines...)
			if len(got) != len(tc.want) {
				t.Fatalf("codes %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("codes %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestSMTPWaitForStopsWhenContextEnds(t *testing.T) {
	s := newSMTP(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.WaitFor(ctx, func(Email) bool { return true }); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("error %v, want context canceled", err)
	}
}

func TestSMTPServerCloseIsIdempotentAndRefusesConnections(t *testing.T) {
	s, err := NewSMTPServer()
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()
	s.Close()
	s.Close()
	if err := smtp.SendMail(addr, nil, "a@b", []string{"c@d"}, []byte("Subject: x\r\n\r\nx\r\n")); err == nil {
		t.Fatal("send after Close succeeded")
	}
}
