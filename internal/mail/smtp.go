package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// defaultTimeout bounds one delivery when the context has no deadline.
const defaultTimeout = 30 * time.Second

// SMTPSender sends plain-text mail through an SMTP server.
type SMTPSender struct {
	host     string // host name, for TLS verification and PLAIN auth
	addr     string // host:port
	implicit bool   // smtps: TLS from the first byte
	user     string
	password string
	from     string
	// TLSConfig, when set, replaces the default TLS configuration (the
	// server name is filled in when empty); tests use it to trust a local
	// certificate.
	TLSConfig *tls.Config
}

// NewSMTPSender parses the server URL and the sender address.
//
//	smtp://user:pass@host:port   STARTTLS when the server offers it (port 587 by default)
//	smtps://user:pass@host:port  implicit TLS (port 465 by default)
//
// User and password are optional; with them the sender authenticates with
// PLAIN, which net/smtp refuses over an unencrypted connection except to
// localhost.
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors quote the input, password included.
		return nil, errors.New("mail: SMTP URL is not a valid URL")
	}
	s := &SMTPSender{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("mail: SMTP URL %s: scheme must be smtp or smtps", u.Redacted())
	}
	if s.host == "" {
		return nil, fmt.Errorf("mail: SMTP URL %s: host is required", u.Redacted())
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("mail: SMTP URL %s: unexpected path or query", u.Redacted())
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: from address %q: %w", from, err)
	}
	s.from = a.String()
	return s, nil
}

// String describes the sender without its password.
func (s *SMTPSender) String() string {
	scheme := "smtp"
	if s.implicit {
		scheme = "smtps"
	}
	user := ""
	if s.user != "" {
		user = s.user + ":xxxxx@"
	}
	return scheme + "://" + user + s.addr
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		c = s.TLSConfig.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = s.host
	}
	return c
}

// Send delivers one plain-text message to one recipient.
func (s *SMTPSender) Send(ctx context.Context, to, subject, body string) error {
	addr, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("mail: recipient: %w", err)
	}
	if strings.ContainsAny(subject, "\r\n") {
		return errors.New("mail: subject contains a line break")
	}
	msg, err := s.message(addr, subject, body)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	var conn net.Conn
	if s.implicit {
		conn, err = (&tls.Dialer{Config: s.tlsConfig()}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", s.addr, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	// Closing the connection when ctx is cancelled unblocks any read.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("mail: greeting from %s: %w", s.addr, err)
	}
	defer c.Close()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return fmt.Errorf("mail: STARTTLS with %s: %w", s.addr, err)
			}
		}
	}
	if s.user != "" {
		if err := c.Auth(smtp.PlainAuth("", s.user, s.password, s.host)); err != nil {
			return fmt.Errorf("mail: authenticate as %s: %w", s.user, err)
		}
	}
	from, _ := mail.ParseAddress(s.from)
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(addr.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: message refused: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("mail: QUIT: %w", err)
	}
	return nil
}

// message renders the RFC 5322 message: UTF-8 plain text, quoted-printable,
// with the subject encoded when it is not ASCII.
func (s *SMTPSender) message(to *mail.Address, subject, body string) ([]byte, error) {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id) // crypto/rand.Read never fails on supported platforms
	domain := s.host
	if from, err := mail.ParseAddress(s.from); err == nil {
		if _, d, ok := strings.Cut(from.Address, "@"); ok {
			domain = d
		}
	}
	fmt.Fprintf(&b, "From: %s\r\n", s.from)
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return nil, fmt.Errorf("mail: encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("mail: encode body: %w", err)
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}
