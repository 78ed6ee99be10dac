package mail_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/mail"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

// fakeSMTP is a real SMTP server on 127.0.0.1 that speaks enough of RFC
// 5321 (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT) to receive mail from
// net/smtp, and records what it received.
type fakeSMTP struct {
	ln       net.Listener
	user     string
	password string
	reject   string // RCPT address answered with 550

	mu       sync.Mutex
	messages []received
	authed   []string
}

type received struct {
	from, to string
	data     string
}

func newFakeSMTP(t *testing.T, user, password string) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln, user: user, password: password}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { f.serve(conn) })
		}
	})
	return f
}

func (f *fakeSMTP) addr() string { return f.ln.Addr().String() }

func (f *fakeSMTP) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	reply := func(format string, args ...any) { _ = tp.PrintfLine(format, args...) }
	reply("220 fake.test ESMTP ready")
	var cur received
	authed := f.user == ""
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if f.user != "" {
				reply("250-fake.test")
				reply("250 AUTH PLAIN")
			} else {
				reply("250 fake.test")
			}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if mech != "PLAIN" || err != nil || len(parts) != 3 || parts[1] != f.user || parts[2] != f.password {
				reply("535 5.7.8 authentication failed")
				continue
			}
			authed = true
			f.mu.Lock()
			f.authed = append(f.authed, parts[1])
			f.mu.Unlock()
			reply("235 2.7.0 authenticated")
		case "MAIL":
			if !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			cur = received{from: strings.TrimSuffix(strings.TrimPrefix(arg, "FROM:<"), ">")}
			if i := strings.Index(cur.from, ">"); i >= 0 {
				cur.from = cur.from[:i]
			}
			reply("250 ok")
		case "RCPT":
			cur.to = strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">")
			if f.reject != "" && cur.to == f.reject {
				reply("550 5.1.1 no such mailbox")
				continue
			}
			reply("250 ok")
		case "DATA":
			reply("354 go ahead")
			lines, err := tp.ReadDotLines()
			if err != nil {
				return
			}
			cur.data = strings.Join(lines, "\n")
			f.mu.Lock()
			f.messages = append(f.messages, cur)
			f.mu.Unlock()
			reply("250 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func (f *fakeSMTP) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.messages...)
}

func decodeBody(t *testing.T, data string) (headers, body string) {
	t.Helper()
	h, b, ok := strings.Cut(data, "\n\n")
	if !ok {
		t.Fatalf("message without header/body split: %q", data)
	}
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return h, string(dec)
}

func TestSMTPSender(t *testing.T) {
	srv := newFakeSMTP(t, "mailer", "s3cret-pass")
	s, err := mail.NewSMTPSender("smtp://mailer:s3cret-pass@"+srv.addr(), "Microcred <noreply@uni.example>")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.String(), "s3cret") {
		t.Errorf("String() leaks the password: %s", s)
	}
	body := "Hello Zoë,\n\nView it here:\nhttp://127.0.0.1:8080/c/" + strings.Repeat("x", 90) + "\n.\nA line with a dot above.\n"
	if err := s.Send(context.Background(), "zoe@example.org", "You have earned: Données ouvertes", body); err != nil {
		t.Fatal(err)
	}
	msgs := srv.received()
	if len(msgs) != 1 {
		t.Fatalf("received %d messages", len(msgs))
	}
	m := msgs[0]
	if m.from != "noreply@uni.example" || m.to != "zoe@example.org" {
		t.Errorf("envelope %q -> %q", m.from, m.to)
	}
	h, got := decodeBody(t, m.data)
	for _, want := range []string{"From: \"Microcred\" <noreply@uni.example>", "To: <zoe@example.org>",
		"Subject: =?utf-8?q?You_have_earned:_Donn=C3=A9es_ouvertes?=", "Content-Type: text/plain; charset=utf-8", "Message-ID: <"} {
		if !strings.Contains(h, want) {
			t.Errorf("headers lack %q:\n%s", want, h)
		}
	}
	if strings.ReplaceAll(got, "\r\n", "\n") != body {
		t.Errorf("body = %q, want %q", got, body)
	}
	if srv.authed[0] != "mailer" {
		t.Errorf("authenticated as %v", srv.authed)
	}

	tests := []struct {
		name, url, to, subject string
		wantErr                string
	}{
		{"wrong password", "smtp://mailer:nope@" + srv.addr(), "a@example.org", "x", "authenticate"},
		{"no credentials", "smtp://" + srv.addr(), "a@example.org", "x", "MAIL FROM"},
		{"bad recipient", "smtp://mailer:s3cret-pass@" + srv.addr(), "not an address", "x", "recipient"},
		{"header injection", "smtp://mailer:s3cret-pass@" + srv.addr(), "a@example.org", "x\r\nBcc: evil@example.org", "line break"},
		{"refused mailbox", "smtp://mailer:s3cret-pass@" + srv.addr(), "gone@example.org", "x", "RCPT"},
		{"nothing listening", "smtp://mailer:pw@127.0.0.1:1", "a@example.org", "x", "connect"},
	}
	srv.reject = "gone@example.org"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mail.NewSMTPSender(tt.url, "noreply@uni.example")
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), tt.to, tt.subject, "body")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), ":pw@")) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestNewSMTPSender(t *testing.T) {
	tests := []struct {
		url, from string
		ok        bool
	}{
		{"smtp://user:pass@mail.example.org:587", "noreply@example.org", true},
		{"smtps://mail.example.org", "Name <noreply@example.org>", true},
		{"smtp://mail.example.org", "not an address", false},
		{"http://mail.example.org", "noreply@example.org", false},
		{"smtp://", "noreply@example.org", false},
		{"smtp://u:secretpw@mail.example.org/path", "noreply@example.org", false},
		{"smtp://u:secretpw@[::1", "noreply@example.org", false},
	}
	for _, tt := range tests {
		_, err := mail.NewSMTPSender(tt.url, tt.from)
		if (err == nil) != tt.ok {
			t.Errorf("NewSMTPSender(%q, %q) err = %v, want ok=%v", tt.url, tt.from, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "secretpw") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{0, 30 * time.Second}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {10, 512 * 30 * time.Second}, {11, 6 * time.Hour}, {50, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := mail.Backoff(tt.attempts); got != tt.want {
			t.Errorf("Backoff(%d) = %v, want %v", tt.attempts, got, tt.want)
		}
	}
}

// flakySender fails for one address and delegates otherwise.
type flakySender struct {
	next mail.Sender
	fail string
}

func (f flakySender) Send(ctx context.Context, to, subject, body string) error {
	if to == f.fail {
		return errors.New("451 temporary failure")
	}
	return f.next.Send(ctx, to, subject, body)
}

func TestWorker(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "microcred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv := newFakeSMTP(t, "", "")
	smtpSender, err := mail.NewSMTPSender("smtp://"+srv.addr(), "noreply@uni.example")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := st.EnqueueMail(ctx, store.Mail{To: fmt.Sprintf("l%d@example.org", i), Subject: fmt.Sprintf("m%d", i), Body: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.EnqueueMail(ctx, store.Mail{To: "flaky@example.org", Subject: "flaky", Body: "hi"}); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := &mail.Worker{Store: st, Sender: flakySender{smtpSender, "flaky@example.org"}, Interval: 10 * time.Millisecond, Batch: 2, Logger: slog.New(slog.DiscardHandler)}
	go func() {
		w.Run(runCtx)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.received()) < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Give the worker a moment to record the last outcome, then stop it.
	var list []store.Mail
	for time.Now().Before(deadline) {
		list, err = st.ListMail(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		settled := 0
		for _, m := range list {
			if m.SentAt != nil || m.Attempts > 0 {
				settled++
			}
		}
		if settled == len(list) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("worker did not stop after cancel")
	}
	if n := len(srv.received()); n != 5 {
		t.Errorf("server received %d messages, want 5", n)
	}
	for _, m := range list {
		switch m.To {
		case "flaky@example.org":
			if m.SentAt != nil || m.Attempts != 1 || !strings.Contains(m.Error, "451") {
				t.Errorf("flaky mail = %+v, want one failed attempt", m)
			}
		default:
			if m.SentAt == nil || m.Attempts != 0 {
				t.Errorf("mail to %s = %+v, want sent", m.To, m)
			}
		}
	}
	// The failed message is held back by the back-off, not offered again.
	if again, err := st.ClaimMail(ctx, 10, time.Minute); err != nil || len(again) != 0 {
		t.Errorf("ClaimMail after run = %+v, %v; want nothing due", again, err)
	}
}
