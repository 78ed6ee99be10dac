package evidence

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFileBytes bounds one uploaded file.
const MaxFileBytes = 10 << 20

// allowed are the media types accepted as evidence, by what the content
// sniffs as: documents and images a reviewer opens safely. SVG (scripts)
// and HTML are not among them, nor archives (their content is unseen).
var allowed = map[string][]string{
	"application/pdf": {".pdf"},
	"image/png":       {".png"},
	"image/jpeg":      {".jpg", ".jpeg"},
	"image/gif":       {".gif"},
	"image/webp":      {".webp"},
	"text/plain":      {".txt", ".md", ".csv", ".py", ".r", ".sql", ".ipynb", ".json"},
}

// zipMarks are the ZIP local-file header and end-of-central-directory
// signatures. ZIP is read from its end, so a ZIP appended to an image or a
// PDF (a "polyglot") sniffs as the image while carrying unseen files; the
// marks are looked for in the first and last bytes. Other archive formats
// are read from their start, where the sniffer already sees them.
var zipMarks = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06")}

// archiveStarts are signatures of archives at offset 0 that the sniffer
// reports as a generic binary type.
var archiveStarts = [][]byte{
	[]byte("\x1f\x8b\x08"), []byte("Rar!\x1a\x07"), []byte("7z\xbc\xaf\x27\x1c"), []byte("\xfd7zXZ\x00"), []byte("MSCF"),
}

// CheckFile validates an upload and returns its cleaned name and media
// type. The type comes from the content, never from the name or the
// client's Content-Type, and must agree with the name's extension. The
// name loses any directory part; names that try to climb directories,
// hide (leading dot) or carry control characters are refused.
func CheckFile(name string, data []byte) (clean, mediaType string, err error) {
	if len(data) == 0 {
		return "", "", fmt.Errorf("the file %q is empty", name)
	}
	if len(data) > MaxFileBytes {
		return "", "", fmt.Errorf("the file %q is %d MB; at most %d MB are accepted", name, len(data)>>20, MaxFileBytes>>20)
	}
	clean, err = CleanName(name)
	if err != nil {
		return "", "", err
	}
	for _, m := range archiveStarts {
		if bytes.HasPrefix(data, m) || len(data) > 262 && bytes.Equal(data[257:262], []byte("ustar")) {
			return "", "", fmt.Errorf("the file %q is an archive; send the documents themselves, not archives", clean)
		}
	}
	mediaType, _, _ = strings.Cut(http.DetectContentType(data), ";")
	exts, ok := allowed[mediaType]
	if !ok {
		return "", "", fmt.Errorf("the file %q is of a type we do not accept (%s): send a PDF, an image (PNG, JPEG, GIF, WebP) or plain text", clean, describe(mediaType))
	}
	ext := strings.ToLower(path.Ext(clean))
	if !contains(exts, ext) {
		return "", "", fmt.Errorf("the file %q holds %s, which does not match its name's ending %q", clean, describe(mediaType), ext)
	}
	if mediaType == "text/plain" && !utf8.Valid(data) {
		return "", "", fmt.Errorf("the file %q is not UTF-8 text", clean)
	}
	head, tail := data[:min(len(data), 4096)], data[max(0, len(data)-65536):]
	for _, m := range zipMarks {
		if bytes.Contains(head, m) || bytes.Contains(tail, m) {
			return "", "", fmt.Errorf("the file %q also contains an archive; send the documents themselves, not archives", clean)
		}
	}
	return clean, mediaType, nil
}

// CleanName keeps the last element of a path and refuses names that are
// empty, hidden, too long or hold control or path characters.
func CleanName(name string) (string, error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "" || name == "." || name == "..":
		return "", fmt.Errorf("the file has no name")
	case strings.HasPrefix(name, "."):
		return "", fmt.Errorf("the file name %q starts with a dot", name)
	case len(name) > 200:
		return "", fmt.Errorf("the file name is longer than 200 bytes")
	case !utf8.ValidString(name):
		return "", fmt.Errorf("the file name is not valid UTF-8")
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|' {
			return "", fmt.Errorf("the file name %q contains the character %q", name, r)
		}
	}
	return name, nil
}

func describe(mediaType string) string {
	switch {
	case mediaType == "application/zip" || mediaType == "application/x-gzip" || mediaType == "application/x-rar-compressed":
		return "an archive"
	case strings.HasPrefix(mediaType, "text/html"):
		return "a web page"
	case mediaType == "application/octet-stream":
		return "unrecognised binary data"
	}
	return mediaType
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
