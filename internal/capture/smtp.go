package capture

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
)

// Email is one message delivered to the SMTP server.
type Email struct {
	// AuthUsername and AuthPassword are what the client sent with AUTH, empty without AUTH.
	AuthUsername, AuthPassword string
	Helo                       string
	From                       string
	To                         []string
	Raw                        []byte
	Header                     mail.Header
	// Subject is the decoded Subject header.
	Subject string
	// Text and HTML are the decoded text/plain and text/html bodies (of a multipart message,
	// the first part of each type).
	Text, HTML string
}

// SMTPServer is an SMTP server that speaks enough ESMTP for Go's net/smtp client and
// Alertmanager's email notifier without TLS: EHLO/HELO, AUTH PLAIN and LOGIN, MAIL FROM, RCPT TO,
// DATA, RSET, NOOP, VRFY and QUIT. Every message is accepted and recorded.
type SMTPServer struct {
	ln     net.Listener
	emails *recorder[Email]

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewSMTPServer starts an SMTP server on 127.0.0.1 at a free port.
func NewSMTPServer() (*SMTPServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtp capture listen: %w", err)
	}
	s := &SMTPServer{ln: ln, emails: newRecorder[Email](), conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is host:port, Alertmanager's smtp_smarthost.
func (s *SMTPServer) Addr() string { return s.ln.Addr().String() }

// Emails returns every message received so far.
func (s *SMTPServer) Emails() []Email { return s.emails.all() }

// WaitFor blocks until a message matching match has arrived, or ctx is done.
func (s *SMTPServer) WaitFor(ctx context.Context, match func(Email) bool) (Email, error) {
	return s.emails.waitFor(ctx, "email", match)
}

// Close stops the server and drops open connections; it is safe to call more than once.
func (s *SMTPServer) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	_ = s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *SMTPServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			_ = s.session(textproto.NewConn(c))
		}()
	}
}

// session runs one SMTP dialogue; it returns when the client quits or the connection fails.
func (s *SMTPServer) session(tc *textproto.Conn) error {
	reply := func(format string, args ...any) error { return tc.PrintfLine(format, args...) }
	if err := reply("220 etcd-monitor-capture ESMTP ready"); err != nil {
		return err
	}
	var (
		helo, user, pass, from string
		to                     []string
		inMail                 bool
	)
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return err
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			helo = arg
			for _, l := range []string{"250-etcd-monitor-capture greets " + arg, "250-8BITMIME", "250-SIZE 10485760", "250-AUTH PLAIN LOGIN", "250 HELP"} {
				if err := reply("%s", l); err != nil {
					return err
				}
			}
			continue
		case "HELO":
			helo = arg
			err = reply("250 etcd-monitor-capture greets %s", arg)
		case "AUTH":
			user, pass, err = auth(tc, arg)
			if err != nil {
				err = reply("535 5.7.8 Authentication credentials invalid")
				break
			}
			err = reply("235 2.7.0 Authentication successful")
		case "MAIL":
			addr, ok := pathArg(arg, "FROM:")
			if !ok {
				err = reply("501 5.5.4 Syntax: MAIL FROM:<address>")
				break
			}
			from, to, inMail = addr, nil, true
			err = reply("250 2.1.0 Ok")
		case "RCPT":
			addr, ok := pathArg(arg, "TO:")
			switch {
			case !inMail:
				err = reply("503 5.5.1 Error: need MAIL command")
			case !ok:
				err = reply("501 5.5.4 Syntax: RCPT TO:<address>")
			default:
				to = append(to, addr)
				err = reply("250 2.1.5 Ok")
			}
		case "DATA":
			if len(to) == 0 {
				err = reply("503 5.5.1 Error: need RCPT command")
				break
			}
			if err := reply("354 End data with <CR><LF>.<CR><LF>"); err != nil {
				return err
			}
			raw, rerr := io.ReadAll(tc.DotReader())
			if rerr != nil {
				return rerr
			}
			e, perr := parseEmail(raw)
			if perr != nil {
				err = reply("554 5.6.0 Message could not be parsed: %s", strings.ReplaceAll(perr.Error(), "\n", " "))
				break
			}
			e.AuthUsername, e.AuthPassword, e.Helo, e.From, e.To = user, pass, helo, from, to
			s.emails.add(e)
			from, to, inMail = "", nil, false
			err = reply("250 2.0.0 Ok: queued")
		case "RSET":
			from, to, inMail = "", nil, false
			err = reply("250 2.0.0 Ok")
		case "NOOP":
			err = reply("250 2.0.0 Ok")
		case "VRFY":
			err = reply("252 2.0.0 Cannot VRFY user, but will accept message")
		case "QUIT":
			return reply("221 2.0.0 Bye")
		default:
			err = reply("502 5.5.2 Error: command not recognized")
		}
		if err != nil {
			return err
		}
	}
}

// auth runs AUTH PLAIN or AUTH LOGIN and returns the credentials the client sent.
func auth(tc *textproto.Conn, arg string) (user, pass string, err error) {
	mech, initial, _ := strings.Cut(arg, " ")
	readB64 := func(prompt string) (string, error) {
		if err := tc.PrintfLine("334 %s", prompt); err != nil {
			return "", err
		}
		l, err := tc.ReadLine()
		if err != nil {
			return "", err
		}
		b, err := base64.StdEncoding.DecodeString(l)
		if err != nil {
			return "", fmt.Errorf("decode auth response: %w", err)
		}
		return string(b), nil
	}
	switch strings.ToUpper(mech) {
	case "PLAIN":
		var resp string
		if initial != "" {
			b, err := base64.StdEncoding.DecodeString(initial)
			if err != nil {
				return "", "", fmt.Errorf("decode auth plain: %w", err)
			}
			resp = string(b)
		} else if resp, err = readB64(""); err != nil {
			return "", "", err
		}
		parts := strings.Split(resp, "\x00")
		if len(parts) != 3 {
			return "", "", errors.New("auth plain: want authzid\\0user\\0password")
		}
		return parts[1], parts[2], nil
	case "LOGIN":
		if initial != "" {
			b, err := base64.StdEncoding.DecodeString(initial)
			if err != nil {
				return "", "", fmt.Errorf("decode auth login: %w", err)
			}
			user = string(b)
		} else if user, err = readB64(base64.StdEncoding.EncodeToString([]byte("Username:"))); err != nil {
			return "", "", err
		}
		if pass, err = readB64(base64.StdEncoding.EncodeToString([]byte("Password:"))); err != nil {
			return "", "", err
		}
		return user, pass, nil
	default:
		return "", "", fmt.Errorf("auth mechanism %q not supported", mech)
	}
}

// pathArg extracts the address of "FROM:<a@b> SIZE=1" style arguments.
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	addr, _, ok := strings.Cut(rest[1:], ">")
	return addr, ok
}

// parseEmail decodes headers and the text and HTML bodies of a message.
func parseEmail(raw []byte) (Email, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Email{}, fmt.Errorf("read message: %w", err)
	}
	e := Email{Raw: raw, Header: m.Header}
	dec := new(mime.WordDecoder)
	if e.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		return Email{}, fmt.Errorf("decode subject: %w", err)
	}
	if err := collectBodies(&e, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body); err != nil {
		return Email{}, err
	}
	return e, nil
}

func collectBodies(e *Email, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("parse content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read %s part: %w", mt, err)
			}
			if err := collectBodies(e, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read %s body: %w", mt, err)
	}
	switch {
	case mt == "text/plain" && e.Text == "":
		e.Text = string(b)
	case mt == "text/html" && e.HTML == "":
		e.HTML = string(b)
	}
	return nil
}
