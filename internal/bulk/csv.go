package bulk

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Fields a CSV column can map to.
const (
	FieldEmail       = "email"
	FieldName        = "name"
	FieldIdentifier  = "identifier"
	FieldValidFrom   = "valid_from"
	FieldValidUntil  = "valid_until"
	FieldResult      = "result"
	FieldEvidenceURL = "evidence_url"
	// FieldIgnore maps a column to nothing.
	FieldIgnore = "ignore"
)

// Fields lists the fields a column can map to, required ones first.
var Fields = []string{FieldEmail, FieldName, FieldIdentifier, FieldValidFrom, FieldValidUntil, FieldResult, FieldEvidenceURL}

var requiredFields = []string{FieldEmail, FieldName}

// Limits of the input: a header of at most maxColumns columns, fields of
// at most maxFieldBytes bytes.
const (
	maxColumns    = 200
	maxFieldBytes = 16 << 10
)

// Mapping maps CSV column names (as in the header, compared after
// normalization) to fields. Columns it does not name map by their own name
// when that is a field, and are ignored otherwise.
type Mapping map[string]string

// ParseMapping parses "column=field" pairs (from --map flags or a stored
// job). An empty field or "ignore" ignores the column.
func ParseMapping(pairs []string) (Mapping, error) {
	m := Mapping{}
	for _, p := range pairs {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		col, field, ok := strings.Cut(p, "=")
		col, field = strings.TrimSpace(col), normalize(field)
		if !ok || col == "" {
			return nil, fmt.Errorf("mapping %q is not column=field", p)
		}
		if field == "" {
			field = FieldIgnore
		}
		if field != FieldIgnore && !slices.Contains(Fields, field) {
			return nil, fmt.Errorf("mapping %q: unknown field %q (fields: %s, or ignore)", p, field, strings.Join(Fields, ", "))
		}
		if _, dup := m[normalize(col)]; dup {
			return nil, fmt.Errorf("column %q is mapped twice", col)
		}
		m[normalize(col)] = field
	}
	return m, nil
}

// String returns the mapping as "column=field" lines in a stable order,
// the form a job stores.
func (m Mapping) String() string {
	lines := make([]string, 0, len(m))
	for c, f := range m {
		lines = append(lines, c+"="+f)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// normalize folds a header or field name: trimmed, lower case, spaces and
// hyphens as underscores, so "Valid Until" and "valid-until" both name
// valid_until.
func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

// Row is one data row of the file, with its fields as text.
type Row struct {
	Num    int               // 1 for the first data row
	Line   int               // line of the file where the row starts
	Fields map[string]string // field → value, trimmed; only mapped fields
	lines  map[string]int    // field → line of its value
}

// Get returns the value of a field ("" when not mapped).
func (r Row) Get(field string) string { return r.Fields[field] }

// Problem is one reason a row, or the file, cannot be issued.
type Problem struct {
	Line   int    // line of the file; 0 for problems of the whole job
	Row    int    // data row number, 0 when not a row's
	Column string // column name as in the header; "" when none
	Value  string // the offending value, when one
	Reason string // e.g. "is not an email address"
}

// String formats the problem as the CLI prints it:
//
//	line 17, column email: "x@" is not an email address
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d", p.Line)
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "column %s", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Value != "" {
		fmt.Fprintf(&b, "%q ", shorten(p.Value))
	}
	b.WriteString(p.Reason)
	return b.String()
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	r := []rune(s)
	return string(r[:77]) + "..."
}

// Reader streams the data rows of a CSV file.
type Reader struct {
	cr      *csv.Reader
	header  []string       // as in the file
	columns []string       // field of each column, "" for ignored
	names   map[string]int // field → column index
	n       int
}

// ErrHeader reports a header the file cannot be issued from (no header,
// missing required columns, a field mapped twice). Its text names the
// problem.
var ErrHeader = errors.New("bulk: bad header")

// NewReader reads the header of r and resolves the columns with m (nil:
// by header name only). A header problem is returned wrapping ErrHeader.
func NewReader(r io.Reader, m Mapping) (*Reader, error) {
	br := bufio.NewReaderSize(&lineLimiter{r: r}, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.LazyQuotes = false
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file is empty; the first line must name the columns (email, name, ...)", ErrHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: line 1: %v", ErrHeader, csvReason(err))
	}
	header = slices.Clone(header)
	if len(header) > maxColumns {
		return nil, fmt.Errorf("%w: %d columns, at most %d are accepted", ErrHeader, len(header), maxColumns)
	}
	rd := &Reader{cr: cr, header: header, columns: make([]string, len(header)), names: map[string]int{}}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%w: line 1, column %d: the name is not valid UTF-8", ErrHeader, i+1)
		}
		col := normalize(h)
		field, mapped := m[col]
		if !mapped {
			if !slices.Contains(Fields, col) {
				continue
			}
			field = col
		}
		if field == FieldIgnore {
			continue
		}
		if j, dup := rd.names[field]; dup {
			return nil, fmt.Errorf("%w: columns %q and %q both map to %s; map one of them to another field or to ignore", ErrHeader, header[j], h, field)
		}
		rd.names[field] = i
		rd.columns[i] = field
	}
	for col := range m {
		if !slices.ContainsFunc(header, func(h string) bool { return normalize(h) == col }) {
			return nil, fmt.Errorf("%w: the mapping names column %q, which the header does not have", ErrHeader, col)
		}
	}
	var missing []string
	for _, f := range requiredFields {
		if _, ok := rd.names[f]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no column for %s (the header has %s; name the columns so or map them, e.g. --map \"E-Mail=email\")",
			ErrHeader, strings.Join(missing, " and "), quoteAll(header))
	}
	cr.FieldsPerRecord = len(header)
	return rd, nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Header returns the column names as in the file.
func (r *Reader) Header() []string { return r.header }

// Columns returns the field each column maps to ("" when ignored).
func (r *Reader) Columns() []string { return r.columns }

// Column returns the header name of the column holding field.
func (r *Reader) Column(field string) string {
	if i, ok := r.names[field]; ok {
		return r.header[i]
	}
	return field
}

// Next returns the next data row. A row that cannot be read as a whole
// (wrong number of fields, invalid UTF-8, a field too long) comes back
// with its problems and an empty Fields map; a syntax error the CSV
// parser cannot recover from (a bare quote) is returned as a problem and
// ends the file. Next returns io.EOF after the last row.
func (r *Reader) Next() (Row, []Problem, error) {
	rec, err := r.cr.Read()
	if errors.Is(err, io.EOF) {
		return Row{}, nil, io.EOF
	}
	var pe *csv.ParseError
	if err != nil && !(errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount)) {
		line := 0
		if pe != nil {
			line = pe.StartLine
		}
		r.n++
		return Row{Num: r.n, Line: line}, []Problem{{Line: line, Row: r.n, Reason: csvReason(err) + "; the rest of the file cannot be read"}}, errStop
	}
	r.n++
	line, _ := r.cr.FieldPos(0)
	row := Row{Num: r.n, Line: line, Fields: make(map[string]string, len(r.names)), lines: make(map[string]int, len(r.names))}
	if err != nil {
		return row, []Problem{{Line: line, Row: r.n, Reason: fmt.Sprintf("the row has %d fields, the header has %d", len(rec), len(r.header))}}, nil
	}
	var probs []Problem
	for i, v := range rec {
		field := r.columns[i]
		fl, _ := r.cr.FieldPos(i)
		switch {
		case !utf8.ValidString(v):
			probs = append(probs, Problem{Line: fl, Row: r.n, Column: r.header[i], Reason: "is not valid UTF-8 text (save the file as UTF-8)"})
			continue
		case len(v) > maxFieldBytes:
			probs = append(probs, Problem{Line: fl, Row: r.n, Column: r.header[i], Reason: fmt.Sprintf("is longer than %d bytes", maxFieldBytes)})
			continue
		}
		if field == "" {
			continue
		}
		row.Fields[field] = strings.TrimSpace(v)
		row.lines[field] = fl
	}
	if len(probs) > 0 {
		clear(row.Fields)
	}
	return row, probs, nil
}

// errStop ends a file after an unrecoverable syntax error; the problem
// describing it comes with it.
var errStop = errors.New("bulk: CSV syntax error")

// csvReason turns an encoding/csv error into words.
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return fmt.Sprintf("a quote (\") inside an unquoted field at character %d of the line; quote the whole field and double the quote", pe.Column)
		case errors.Is(pe.Err, csv.ErrQuote):
			return "a quoted field is not closed, or a quote is followed by text; double quotes inside quoted fields"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// Peek returns the column names of a CSV file's first line and up to n
// rows after it, as written (not mapped), for a preview and a mapping
// form; it works also when NewReader refuses the header.
func Peek(r io.Reader, n int) (header []string, rows [][]string, err error) {
	br := bufio.NewReader(&lineLimiter{r: r})
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err = cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("bulk: header: %w", err)
	}
	header = header[:min(len(header), maxColumns)]
	for len(rows) < n {
		rec, err := cr.Read()
		if err != nil {
			break // the validation report names the problem
		}
		rows = append(rows, rec)
	}
	return header, rows, nil
}

// maxLineBytes bounds one line of a CSV file: the widest legitimate row
// (maxColumns fields of maxFieldBytes) and some room for quoting. The CSV
// parser holds a whole record in memory, so without a bound a file of one
// 95 MB line cost hundreds of megabytes per reading.
const maxLineBytes = maxColumns*maxFieldBytes + 64<<10

// ErrLineTooLong reports a line longer than any row can be.
var ErrLineTooLong = fmt.Errorf("a line of the file is longer than %d MiB, more than any row can be; is it a CSV file with one row per line?", maxLineBytes>>20)

// lineLimiter passes r through and fails with ErrLineTooLong once a line
// (bytes between newlines) grows past maxLineBytes.
type lineLimiter struct {
	r   io.Reader
	run int // bytes since the last newline
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for chunk := p[:n]; len(chunk) > 0; {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			l.run += len(chunk)
			break
		}
		if l.run+i > maxLineBytes {
			return 0, ErrLineTooLong
		}
		l.run, chunk = 0, chunk[i+1:]
	}
	if l.run > maxLineBytes {
		return 0, ErrLineTooLong
	}
	return n, err
}
