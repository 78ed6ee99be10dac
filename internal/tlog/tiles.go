package tlog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	sumdb "golang.org/x/mod/sumdb/tlog"
)

// Tiles (C2SP tlog-tiles). Besides proofs on request, the log is served as
// static-looking tiles so that monitors and witnesses can mirror it with
// plain HTTP GETs and caches:
//
//	tile/<L>/<N>[.p/<W>]          hash tile: W (256 when full) hashes of level L
//	tile/entries/<N>[.p/<W>]      entry bundle: W leaves, each a big-endian
//	                              uint16 length and the leaf's bytes
//
// N is written in groups of three digits, all but the last prefixed with
// "x" (1234067 is x001/x234/067). The tree is the RFC 6962 tree of the
// checkpoints (sumdb/tlog's, whose tiles of height 8 these are). Only what
// the latest checkpoint covers is served, so that every tile a client gets
// can be checked against a signed tree head.

// TileHeight is the height of every tile: 256 hashes or entries.
const TileHeight = 8

// maxTileLevel is the highest hash tile level C2SP allows (256^6 leaves).
const maxTileLevel = 5

// ErrBadTilePath reports a tile path that is not a C2SP tile name.
var ErrBadTilePath = errors.New("tlog: not a tile path")

// Tile returns the tile at path (what follows "tile/" in a tile URL) and
// whether it is full, which makes it immutable. ErrBadTilePath reports a
// malformed path, ErrNotInLog a tile the latest checkpoint does not cover.
func (l *Log) Tile(ctx context.Context, path string) ([]byte, bool, error) {
	t, err := parseTilePath(path)
	if err != nil {
		return nil, false, err
	}
	c, err := l.Checkpoint(ctx)
	if err != nil {
		return nil, false, err
	}
	// The tile's last entry must lie in the checkpoint's tree: at level L
	// an entry is the root of a complete subtree of 256^L leaves.
	level := max(t.L, 0)
	end := (t.N*(1<<TileHeight) + int64(t.W)) << (TileHeight * level)
	if end <= 0 || end > c.Size || t.N > c.Size>>(TileHeight*(level+1)) {
		return nil, false, fmt.Errorf("%w: tile %s is beyond the checkpoint of size %d", ErrNotInLog, path, c.Size)
	}
	full := t.W == 1<<TileHeight
	if t.L == -1 {
		b, err := l.entryBundle(ctx, t)
		return b, full, err
	}
	b, err := sumdb.ReadTileData(t, reader(ctx, l.Store))
	if err != nil {
		return nil, false, fmt.Errorf("tlog: tile %s: %w", path, err)
	}
	return b, full, nil
}

// entryBundle encodes the leaves of a data tile.
func (l *Log) entryBundle(ctx context.Context, t sumdb.Tile) ([]byte, error) {
	from := t.N << TileHeight
	leaves, err := l.Store.Leaves(ctx, from, from+int64(t.W))
	if err != nil {
		return nil, fmt.Errorf("tlog: entries from %d: %w", from, err)
	}
	if len(leaves) != t.W {
		return nil, fmt.Errorf("tlog: entries from %d: read %d of %d", from, len(leaves), t.W)
	}
	var b []byte
	for _, leaf := range leaves {
		if len(leaf.Data) > 0xffff {
			return nil, fmt.Errorf("tlog: entry %d has %d bytes, more than a bundle can hold", leaf.Index, len(leaf.Data))
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(leaf.Data)))
		b = append(b, leaf.Data...)
	}
	return b, nil
}

// parseTilePath parses a C2SP tile path into a sumdb tile (L -1 for an
// entry bundle), refusing what C2SP does not allow.
func parseTilePath(path string) (sumdb.Tile, error) {
	level, rest, ok := strings.Cut(path, "/")
	if !ok {
		return sumdb.Tile{}, fmt.Errorf("%w: %q", ErrBadTilePath, path)
	}
	switch {
	case level == "entries":
		level = "data"
	case len(level) != 1 || level[0] < '0' || level[0] > '0'+maxTileLevel:
		return sumdb.Tile{}, fmt.Errorf("%w: level %q must be 0 to %d or entries", ErrBadTilePath, level, maxTileLevel)
	}
	t, err := sumdb.ParseTilePath(fmt.Sprintf("tile/%d/%s/%s", TileHeight, level, rest))
	if err != nil {
		return sumdb.Tile{}, fmt.Errorf("%w: %q", ErrBadTilePath, path)
	}
	return t, nil
}
