package pathway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxDocumentBytes bounds a pathway or scheme document.
const MaxDocumentBytes = 256 << 10

// ParsePathway decodes and validates a pathway document (JSON). Unknown
// fields are errors, so that a misspelt rule field is not silently
// ignored.
func ParsePathway(data []byte) (Pathway, error) {
	var p Pathway
	if err := decodeStrict(data, &p); err != nil {
		return Pathway{}, err
	}
	if err := p.Validate(); err != nil {
		return Pathway{}, err
	}
	return p, nil
}

// ParseScheme decodes and validates an articulation scheme document.
func ParseScheme(data []byte) (Scheme, error) {
	var s Scheme
	if err := decodeStrict(data, &s); err != nil {
		return Scheme{}, err
	}
	if err := s.Validate(); err != nil {
		return Scheme{}, err
	}
	return s, nil
}

func decodeStrict(data []byte, v any) error {
	if len(data) > MaxDocumentBytes {
		return fmt.Errorf("document: larger than %d bytes", MaxDocumentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("document: not valid JSON at byte %d: %v", se.Offset, err)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return errors.New("document: not valid JSON: it ends too early")
		case errors.As(err, &te):
			return fmt.Errorf("%s: expected %s, got a JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("document: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("document: extra data after the JSON object")
	}
	return nil
}
