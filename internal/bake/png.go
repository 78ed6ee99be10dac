package bake

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

// Keywords of the text chunks that carry a credential.
const (
	keywordOB3 = "openbadgecredential"
	keywordOB2 = "openbadges"
)

// maxChunkLen is the largest chunk length PNG allows (2^31-1).
const maxChunkLen = 1<<31 - 1

// chunk is one PNG chunk located in the datastream.
type chunk struct {
	typ        string
	data       []byte
	start, end int // offsets of the chunk's length field and of its end
}

// chunks walks the datastream after the signature, checking every chunk's
// length and CRC, up to and including IEND.
func chunks(png []byte, visit func(c chunk) (stop bool, err error)) error {
	off := len(pngSignature)
	for {
		if len(png)-off < 12 {
			return fmt.Errorf("%w: the PNG ends inside a chunk at byte %d (no IEND)", ErrCorrupt, off)
		}
		n := binary.BigEndian.Uint32(png[off:])
		if n > maxChunkLen || uint64(n) > uint64(len(png)-off-12) {
			return fmt.Errorf("%w: the PNG chunk at byte %d claims %d bytes, more than the file holds", ErrCorrupt, off, n)
		}
		typ := png[off+4 : off+8]
		for _, b := range typ {
			if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z') {
				return fmt.Errorf("%w: the PNG chunk at byte %d has an invalid type", ErrCorrupt, off)
			}
		}
		data := png[off+8 : off+8+int(n)]
		want := binary.BigEndian.Uint32(png[off+8+int(n):])
		crc := crc32.NewIEEE()
		crc.Write(typ)
		crc.Write(data)
		if crc.Sum32() != want {
			return fmt.Errorf("%w: the CRC of the PNG %s chunk at byte %d does not match", ErrCorrupt, typ, off)
		}
		c := chunk{typ: string(typ), data: data, start: off, end: off + 12 + int(n)}
		stop, err := visit(c)
		if err != nil || stop {
			return err
		}
		if c.typ == "IEND" {
			return nil
		}
		off = c.end
	}
}

// textChunk is the keyword and text of a tEXt or iTXt chunk.
type textChunk struct {
	keyword string
	text    []byte
}

// parseText reads a tEXt or iTXt chunk's keyword and text, inflating a
// compressed iTXt text (which the baking specifications forbid, but which
// costs nothing to accept) up to MaxCredentialBytes.
func parseText(c chunk) (textChunk, error) {
	kw, rest, ok := bytes.Cut(c.data, []byte{0})
	if !ok || len(kw) == 0 || len(kw) > 79 {
		return textChunk{}, fmt.Errorf("%w: a PNG %s chunk has no valid keyword", ErrCorrupt, c.typ)
	}
	if c.typ == "tEXt" {
		return textChunk{keyword: string(kw), text: rest}, nil
	}
	if len(rest) < 2 {
		return textChunk{}, fmt.Errorf("%w: a PNG iTXt chunk is truncated", ErrCorrupt)
	}
	compressed, method := rest[0], rest[1]
	rest = rest[2:]
	_, rest, ok1 := bytes.Cut(rest, []byte{0}) // language tag
	_, text, ok2 := bytes.Cut(rest, []byte{0}) // translated keyword
	if !ok1 || !ok2 {
		return textChunk{}, fmt.Errorf("%w: a PNG iTXt chunk is truncated", ErrCorrupt)
	}
	switch {
	case compressed == 0:
	case compressed == 1 && method == 0:
		zr, err := zlib.NewReader(bytes.NewReader(text))
		if err != nil {
			return textChunk{}, fmt.Errorf("%w: the compressed iTXt text cannot be read: %v", ErrCorrupt, err)
		}
		inflated, err := io.ReadAll(io.LimitReader(zr, MaxCredentialBytes+1))
		if err != nil {
			return textChunk{}, fmt.Errorf("%w: the compressed iTXt text cannot be read: %v", ErrCorrupt, err)
		}
		if len(inflated) > MaxCredentialBytes {
			return textChunk{}, fmt.Errorf("%w: the iTXt text inflates to more than %d bytes", ErrCorrupt, MaxCredentialBytes)
		}
		text = inflated
	default:
		return textChunk{}, fmt.Errorf("%w: the iTXt chunk uses an unknown compression", ErrCorrupt)
	}
	return textChunk{keyword: string(kw), text: text}, nil
}

func isCredentialChunk(c chunk) bool {
	if c.typ != "iTXt" && c.typ != "tEXt" {
		return false
	}
	kw, _, _ := bytes.Cut(c.data, []byte{0})
	return string(kw) == keywordOB3 || string(kw) == keywordOB2
}

func unbakePNG(png []byte) (*Baked, error) {
	var found *Baked
	err := chunks(png, func(c chunk) (bool, error) {
		if !isCredentialChunk(c) {
			return false, nil
		}
		t, err := parseText(c)
		if err != nil {
			return true, err
		}
		if len(t.text) > MaxCredentialBytes {
			return true, fmt.Errorf("%w: the baked credential is larger than %d bytes", ErrCorrupt, MaxCredentialBytes)
		}
		v := OB2
		if t.keyword == keywordOB3 {
			v = OB3
		}
		found = &Baked{Credential: bytes.Clone(t.text), Version: v, Format: PNG}
		return true, nil // the first one counts; the rest may be discarded
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, ErrNotBaked
	}
	return found, nil
}

func bakePNG(png, credential []byte, v Version) ([]byte, error) {
	iend := -1
	err := chunks(png, func(c chunk) (bool, error) {
		if isCredentialChunk(c) {
			return true, ErrAlreadyBaked
		}
		if c.typ == "IEND" {
			iend = c.start
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	keyword := keywordOB3
	if v == OB2 {
		keyword = keywordOB2
	}
	// keyword, NUL, compression flag 0, method 0, empty language tag and
	// translated keyword (each NUL-terminated), then the text.
	data := make([]byte, 0, len(keyword)+5+len(credential))
	data = append(data, keyword...)
	data = append(data, 0, 0, 0, 0, 0)
	data = append(data, credential...)
	out := make([]byte, 0, len(png)+12+len(data))
	out = append(out, png[:iend]...)
	out = appendChunk(out, "iTXt", data)
	out = append(out, png[iend:]...)
	return out, nil
}

func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// jwsPayload decodes the payload of a compact JWS.
func jwsPayload(c []byte) ([]byte, error) {
	parts := bytes.Split(bytes.TrimSpace(c), []byte("."))
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS")
	}
	return base64.RawURLEncoding.DecodeString(string(bytes.TrimRight(parts[1], "=")))
}
