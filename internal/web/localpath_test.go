package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath checks that whatever ?next= holds, localPath gives "" or a
// path a browser resolves on this server: a single leading slash, no
// backslash, control character or space, no host, and no "//" in its path
// under any percent-decoding.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/admin", "//evil.example", "/\t/evil.example", "/%09/evil.example", "/%2F%2Fevil", "/\\evil",
		"/a?next=//b", "/oauth/authorize?redirect_uri=https%3A%2F%2Fa.example%2Fcb", "https://evil.example", "/%252F/evil", "/%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := localPath(p)
		if got == "" {
			return
		}
		if got != p {
			t.Fatalf("localPath(%q) = %q: it either refuses or keeps the value", p, got)
		}
		if !strings.HasPrefix(got, "/") || strings.ContainsFunc(got, unsafeInPath) {
			t.Fatalf("localPath(%q) kept an unsafe value", p)
		}
		path := got
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
		for range 4 {
			if strings.Contains(path, "//") || strings.Contains(path, "\\") {
				t.Fatalf("localPath(%q) kept a path that decodes to %q", p, path)
			}
			d, err := url.PathUnescape(path)
			if err != nil || d == path {
				break
			}
			path = d
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) kept a value with a host or scheme", p)
		}
	})
}
