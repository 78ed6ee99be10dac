package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Extension holds the JSON properties of an object that its Go type does not
// model, keyed by property name, as raw JSON. It is how extension properties
// (and unusual encodings of modelled ones, such as an explicit null) survive a
// decode/encode round trip.
type Extension = map[string]json.RawMessage

// OneOrMany is a JSON value that may be written either as a single value or
// as an array of values. Single records that the value was (and is to be)
// written in the bare, non-array form; it only takes effect when Items holds
// exactly one element.
type OneOrMany[T any] struct {
	Items  []T
	Single bool
}

// One returns a OneOrMany holding v in the single-value form.
func One[T any](v T) OneOrMany[T] { return OneOrMany[T]{Items: []T{v}, Single: true} }

// Many returns a OneOrMany holding vs in the array form.
func Many[T any](vs ...T) OneOrMany[T] { return OneOrMany[T]{Items: vs} }

// IsZero reports whether o holds no items; such a value is omitted when
// encoding an object.
func (o OneOrMany[T]) IsZero() bool { return len(o.Items) == 0 }

// MarshalJSON writes the single form when Single is set and there is exactly
// one item, and an array otherwise.
func (o OneOrMany[T]) MarshalJSON() ([]byte, error) { return marshalWith(o) }

func (o OneOrMany[T]) encodeTo(buf *bytes.Buffer) error {
	if o.Single && len(o.Items) == 1 {
		return appendValue(buf, reflect.ValueOf(&o.Items[0]).Elem())
	}
	buf.WriteByte('[')
	for i := range o.Items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := appendValue(buf, reflect.ValueOf(&o.Items[i]).Elem()); err != nil {
			return wrapPath("["+strconv.Itoa(i)+"]", err)
		}
	}
	buf.WriteByte(']')
	return nil
}

// UnmarshalJSON accepts a single value or an array of values.
func (o *OneOrMany[T]) UnmarshalJSON(data []byte) error {
	data = trimSpace(data)
	if isNull(data) {
		*o = OneOrMany[T]{}
		return nil
	}
	if len(data) > 0 && data[0] == '[' {
		items, err := decodeArray[T](data)
		if err != nil {
			return err
		}
		*o = OneOrMany[T]{Items: items}
		return nil
	}
	var v T
	if err := decodeValue(data, reflect.ValueOf(&v).Elem()); err != nil {
		return describe(err)
	}
	*o = OneOrMany[T]{Items: []T{v}, Single: true}
	return nil
}

// decodeArray decodes a JSON array element by element so that a decoding
// error names the index of the offending element.
func decodeArray[T any](data []byte) ([]T, error) {
	raws, err := splitArray(data)
	if err != nil {
		return nil, err
	}
	items := make([]T, len(raws))
	for i, r := range raws {
		if err := decodeValue(r, reflect.ValueOf(&items[i]).Elem()); err != nil {
			return nil, wrapPath("["+strconv.Itoa(i)+"]", describe(err))
		}
	}
	return items, nil
}

// Types is the value of a "type" property: one type name or a set of them.
type Types struct{ OneOrMany[string] }

// TypesOf returns the array form of the given type names.
func TypesOf(names ...string) Types { return Types{Many(names...)} }

// Has reports whether name is one of the types.
func (t Types) Has(name string) bool { return slices.Contains(t.Items, name) }

// Context is the JSON-LD "@context" value: an ordered list whose entries are
// context URLs (string) or embedded context definitions (map[string]any).
type Context struct{ OneOrMany[any] }

// ContextOf returns the array form of the given context URLs.
func ContextOf(urls ...string) Context {
	items := make([]any, len(urls))
	for i, u := range urls {
		items[i] = u
	}
	return Context{Many(items...)}
}

// URLs returns the entries that are context URLs, in order.
func (c Context) URLs() []string {
	var out []string
	for _, e := range c.Items {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Has reports whether url is one of the context URLs.
func (c Context) Has(url string) bool { return slices.Contains(c.URLs(), url) }

// PathError is a decoding error located at a JSON path such as
// "credentialSubject.result[0].value".
type PathError struct {
	Path string
	Err  error
}

// Error returns the path and the problem, "path: problem".
func (e *PathError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

// wrapPath prefixes the JSON path of err (if it has one) with seg, which is a
// property name or an index such as "[3]".
func wrapPath(seg string, err error) error {
	var pe *PathError
	if errors.As(err, &pe) {
		return &PathError{Path: joinSegment(seg, pe.Path), Err: pe.Err}
	}
	return &PathError{Path: seg, Err: err}
}

func joinSegment(seg, rest string) string {
	switch {
	case rest == "":
		return seg
	case strings.HasPrefix(rest, "["):
		return seg + rest
	default:
		return seg + "." + rest
	}
}

// fieldSpec describes one JSON-mapped field of an object type.
type fieldSpec struct {
	name      string
	index     int
	omitEmpty bool
}

// objectSpec is the cached JSON layout of an object type: its mapped fields
// in declaration order and the index of its Extra field.
type objectSpec struct {
	fields []fieldSpec
	byName map[string]int // index into fields
	extra  int
}

var (
	specCache     sync.Map // reflect.Type -> *objectSpec
	extensionType = reflect.TypeFor[Extension]()
)

func specOf(t reflect.Type) *objectSpec {
	if s, ok := specCache.Load(t); ok {
		return s.(*objectSpec)
	}
	s := &objectSpec{extra: -1, byName: make(map[string]int)}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Name == "Extra" && f.Type == extensionType {
			s.extra = i
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" || tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		s.byName[name] = len(s.fields)
		s.fields = append(s.fields, fieldSpec{name: name, index: i, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	v, _ := specCache.LoadOrStore(t, s)
	return v.(*objectSpec)
}

// decodeObject decodes a JSON object into the struct pointed to by dst.
// Properties are matched to fields by exact name (encoding/json would match
// case-insensitively and so could lose a property whose name differs only in
// case); unmatched properties go to the Extra field. A property whose decoded
// value the encoder would omit (an empty string, an empty array, null) is also
// kept in Extra so that it is written back exactly as found.
func decodeObject(data []byte, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	v.SetZero()
	if isNull(data) {
		return nil
	}
	raw, err := splitObject(data)
	if err != nil {
		return err
	}
	spec := specOf(v.Type())
	var extra Extension
	keep := func(k string, val []byte) {
		if extra == nil {
			extra = make(Extension)
		}
		extra[k] = json.RawMessage(val)
	}
	for _, f := range spec.fields {
		val, ok := raw[f.name]
		if !ok {
			continue
		}
		delete(raw, f.name)
		fv := v.Field(f.index)
		if err := decodeValue(val, fv); err != nil {
			return wrapPath(f.name, describe(err))
		}
		if f.omitEmpty && isEmptyValue(fv) {
			keep(f.name, val)
		}
	}
	for k, val := range raw {
		keep(k, val)
	}
	if spec.extra >= 0 && extra != nil {
		v.Field(spec.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}

// describe turns encoding/json type errors into the wording used elsewhere in
// the package ("must be a string"); other errors pass through.
func describe(err error) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Type != nil {
		want := ute.Type.Kind().String()
		switch ute.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "a boolean"
		case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
			want = "a number"
		case reflect.Slice:
			want = "an array"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
		return fmt.Errorf("must be %s, not %s", want, ute.Value)
	}
	return err
}

// encodeObjectTo writes the struct v as a JSON object: mapped fields in
// declaration order (omitting empty omitempty fields), then the Extra
// properties that no field has written, in sorted key order.
func encodeObjectTo(buf *bytes.Buffer, v reflect.Value) error {
	spec := specOf(v.Type())
	buf.WriteByte('{')
	first := true
	writeKey := func(k string) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		appendString(buf, k)
		buf.WriteByte(':')
	}
	for _, f := range spec.fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmptyValue(fv) {
			continue
		}
		writeKey(f.name)
		if err := appendValue(buf, fv); err != nil {
			return wrapPath(f.name, err)
		}
	}
	if spec.extra >= 0 {
		extra := v.Field(spec.extra).Interface().(Extension)
		keys := make([]string, 0, len(extra))
		for k := range extra {
			if i, known := spec.byName[k]; known {
				f := spec.fields[i]
				if !f.omitEmpty || !isEmptyValue(v.Field(f.index)) {
					continue // the field has been written and wins
				}
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			val := trimSpace(extra[k])
			if len(val) == 0 {
				val = []byte("null")
			} else if !json.Valid(val) {
				return &PathError{Path: k, Err: errors.New("extension value is not valid JSON")}
			}
			writeKey(k)
			buf.Write(val)
		}
	}
	buf.WriteByte('}')
	return nil
}

type zeroer interface{ IsZero() bool }

// isEmptyValue follows encoding/json's omitempty rule and, for structs, the
// IsZero method (as the omitzero option does).
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	case reflect.Struct:
		if z, ok := v.Interface().(zeroer); ok {
			return z.IsZero()
		}
	}
	return false
}

// decodeRef decodes a value that is either a bare IRI string or an object.
// For the string form it sets *id and *idOnly; for the object form it decodes
// into obj.
func decodeRef(data []byte, obj any, id *string, idOnly *bool) error {
	trimmed := trimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '"' {
		var s string
		if err := decodeValue(trimmed, reflect.ValueOf(&s).Elem()); err != nil {
			return err
		}
		reflect.ValueOf(obj).Elem().SetZero()
		*id, *idOnly = s, true
		return nil
	}
	if len(trimmed) > 0 && trimmed[0] != '{' && !isNull(trimmed) {
		return errors.New("must be a string or an object")
	}
	return decodeObject(trimmed, obj)
}

// encodeRef writes the bare IRI form when idOnly is set and nothing but the id
// is present, and the object form otherwise, so that setting more fields on a
// reference never silently drops them.
func encodeRefTo(buf *bytes.Buffer, v reflect.Value, id string, idOnly bool) error {
	if idOnly && onlyID(v) {
		appendString(buf, id)
		return nil
	}
	return encodeObjectTo(buf, v)
}

func onlyID(v reflect.Value) bool {
	spec := specOf(v.Type())
	for _, f := range spec.fields {
		if f.name != "id" && !isEmptyValue(v.Field(f.index)) {
			return false
		}
	}
	return spec.extra < 0 || v.Field(spec.extra).Len() == 0
}
