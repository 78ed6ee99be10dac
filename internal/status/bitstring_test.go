package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// specEmptyList is the encodedList of the example BitstringStatusListCredential
// in Bitstring Status List v1.0: 131,072 entries, none set.
const specEmptyList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

func TestDecodeSpecExample(t *testing.T) {
	b, err := Decode(specEmptyList)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != DefaultListSize {
		t.Fatalf("decoded %d entries, want %d", b.Len(), DefaultListSize)
	}
	if !bytes.Equal(b, make([]byte, DefaultListSize/8)) {
		t.Error("the example list has set bits")
	}
}

func TestBitOrder(t *testing.T) {
	// Index 0 is the left-most bit of the first byte.
	tests := []struct {
		index int
		bytes []byte
	}{
		{0, []byte{0x80, 0x00}},
		{1, []byte{0x40, 0x00}},
		{7, []byte{0x01, 0x00}},
		{8, []byte{0x00, 0x80}},
		{15, []byte{0x00, 0x01}},
	}
	for _, tc := range tests {
		b := NewBitstring(16)
		if err := b.Set(tc.index, true); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, tc.bytes) {
			t.Errorf("Set(%d) = %08b, want %08b", tc.index, []byte(b), tc.bytes)
		}
		for i := range 16 {
			got, err := b.Get(i)
			if err != nil || got != (i == tc.index) {
				t.Errorf("after Set(%d): Get(%d) = %v, %v", tc.index, i, got, err)
			}
		}
		if err := b.Set(tc.index, false); err != nil || !bytes.Equal(b, []byte{0, 0}) {
			t.Errorf("clear %d: %08b %v", tc.index, []byte(b), err)
		}
	}
	b := NewBitstring(16)
	for _, i := range []int{-1, 16, 1 << 20} {
		if _, err := b.Get(i); err == nil {
			t.Errorf("Get(%d) outside the list succeeded", i)
		}
		if err := b.Set(i, true); err == nil {
			t.Errorf("Set(%d) outside the list succeeded", i)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	b := NewBitstring(DefaultListSize)
	for _, i := range []int{0, 1, 4242, 65535, DefaultListSize - 1} {
		if err := b.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	if enc[0] != 'u' || strings.ContainsAny(enc, "+/=") {
		t.Errorf("encodedList %q is not Multibase base64url without padding", enc)
	}
	got, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b) {
		t.Error("round trip changed the bitstring")
	}
	// The empty list encodes to something our decoder and the spec's
	// example agree on.
	empty, err := Encode(NewBitstring(DefaultListSize))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := Decode(empty); err != nil || d.Len() != DefaultListSize {
		t.Errorf("empty list: %d entries, %v", d.Len(), err)
	}
}

func gz(t testing.TB, data []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name, enc string
		limit     int
	}{
		{"empty", "", MaxListBytes},
		{"no multibase prefix", specEmptyList[1:], MaxListBytes},
		{"base58 prefix", "z" + specEmptyList[1:], MaxListBytes},
		{"padding", specEmptyList + "=", MaxListBytes},
		{"standard base64", "u+/+/", MaxListBytes},
		{"not gzip", "u" + base64.RawURLEncoding.EncodeToString([]byte("hello, world")), MaxListBytes},
		{"truncated gzip", specEmptyList[:30], MaxListBytes},
		{"empty bitstring", gz(t, nil), MaxListBytes},
		{"bomb over the limit", gz(t, make([]byte, 1<<20)), 64 << 10},
		{"too long text", "u" + strings.Repeat("A", MaxEncodedLen), MaxListBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeLimit(tc.enc, tc.limit)
			if !errors.Is(err, ErrMalformedList) {
				t.Errorf("DecodeLimit = %v, want ErrMalformedList", err)
			}
		})
	}
	// A highly compressible 64 MiB stream is refused at the default limit
	// without ever holding 64 MiB.
	if _, err := Decode(gz(t, make([]byte, 64<<20))); !errors.Is(err, ErrMalformedList) {
		t.Errorf("64 MiB bomb: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(specEmptyList)
	f.Add("u")
	f.Add("uH4sIAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeLimit(s, 1<<16)
		if err != nil {
			return
		}
		if len(b) == 0 || len(b) > 1<<16 {
			t.Fatalf("decoded %d bytes", len(b))
		}
		enc, err := Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeLimit(enc, 1<<16)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("re-encoding changed the list: %v", err)
		}
	})
}

func TestPermute(t *testing.T) {
	key := []byte("0123456789abcdef")
	for _, size := range []int{8, 16, 64, 1000, DefaultListSize} {
		seen := make([]bool, size)
		inOrder := 0
		for seq := range size {
			i := Permute(key, size, seq)
			if i < 0 || i >= size {
				t.Fatalf("size %d: Permute(%d) = %d out of range", size, seq, i)
			}
			if seen[i] {
				t.Fatalf("size %d: index %d produced twice", size, i)
			}
			seen[i] = true
			if i == seq {
				inOrder++
			}
		}
		if size >= 1000 && inOrder > size/100 {
			t.Errorf("size %d: %d fixed points; the permutation looks like the identity", size, inOrder)
		}
	}
	other := []byte("fedcba9876543210")
	same := 0
	for seq := range 1000 {
		if Permute(key, DefaultListSize, seq) == Permute(other, DefaultListSize, seq) {
			same++
		}
	}
	if same > 10 {
		t.Errorf("two keys agree on %d of 1000 indexes", same)
	}
}

func TestParseEntries(t *testing.T) {
	good := NewEntry("https://x.example/orgs/a/status/revocation/0", "revocation", 94567)
	m := good.Map()
	if m["statusListIndex"] != "94567" || m["id"] != "https://x.example/orgs/a/status/revocation/0#94567" || m["type"] != TypeEntry {
		t.Errorf("Map = %v", m)
	}
	got, err := ParseEntries([]any{m, NewEntry("https://x.example/l", "suspension", 0).Map()})
	if err != nil || len(got) != 2 || got[0] != good || got[1].StatusListIndex != 0 {
		t.Fatalf("ParseEntries = %+v, %v", got, err)
	}
	if got, err := ParseEntries(nil); err != nil || got != nil {
		t.Errorf("ParseEntries(nil) = %v, %v", got, err)
	}
	if one, err := ParseEntries(m); err != nil || len(one) != 1 {
		t.Errorf("single object: %v, %v", one, err)
	}
	bad := func(k string, v any) map[string]any {
		c := good.Map()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	for name, v := range map[string]any{
		"index as number":   bad("statusListIndex", float64(3)),
		"negative index":    bad("statusListIndex", "-1"),
		"padded index":      bad("statusListIndex", "007"),
		"no purpose":        bad("statusPurpose", nil),
		"relative list URL": bad("statusListCredential", "/orgs/a/status/revocation/0"),
		"not an object":     []any{"x"},
		"a string":          "x",
	} {
		if _, err := ParseEntries(v); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseEntries(bad("type", "RevocationList2020Status")); !errors.Is(err, ErrUnsupportedEntry) {
		t.Errorf("other type: %v", err)
	}
	if e, err := ParseEntries(bad("type", TypeEntry2021)); err != nil || e[0].Kind() != TypeEntry2021 || e[0].StatusListIndex != good.StatusListIndex {
		t.Errorf("StatusList2021Entry: %+v, %v", e, err)
	}
	rl := map[string]any{"id": "https://x.example/revocations/1", "type": TypeRevocationList}
	if e, err := ParseEntries(rl); err != nil || e[0].Kind() != TypeRevocationList || e[0].StatusListCredential != rl["id"] || e[0].StatusPurpose != "revocation" {
		t.Errorf("1EdTechRevocationList: %+v, %v", e, err)
	}
	if _, err := ParseEntries(map[string]any{"id": "revocations/1", "type": TypeRevocationList}); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("relative 1EdTechRevocationList id: %v", err)
	}
}

func TestListURL(t *testing.T) {
	u := ListURL("http://127.0.0.1:8080/", "acme", "suspension", 3)
	if u != "http://127.0.0.1:8080/orgs/acme/status/suspension/3" {
		t.Fatalf("ListURL = %s", u)
	}
	slug, purpose, n, ok := ParseListURL("http://127.0.0.1:8080", u)
	if !ok || slug != "acme" || purpose != "suspension" || n != 3 {
		t.Errorf("ParseListURL = %s %s %d %v", slug, purpose, n, ok)
	}
	for _, bad := range []string{
		"http://other.example/orgs/acme/status/suspension/3",
		"http://127.0.0.1:8080/orgs/acme/status/refresh/3",
		"http://127.0.0.1:8080/orgs/acme/status/suspension/03",
		"http://127.0.0.1:8080/orgs/acme/status/suspension/3/x",
		"http://127.0.0.1:8080/orgs/ACME/status/suspension/3",
	} {
		if _, _, _, ok := ParseListURL("http://127.0.0.1:8080", bad); ok {
			t.Errorf("ParseListURL(%s) accepted", bad)
		}
	}
}
