package tlog

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	sumdb "golang.org/x/mod/sumdb/tlog"
)

// logTiles reads tiles through Log.Tile, as a client would over HTTP.
type logTiles struct {
	ctx context.Context
	l   *Log
}

func (r logTiles) Height() int { return TileHeight }

func (r logTiles) ReadTiles(tiles []sumdb.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, _, err := r.l.Tile(r.ctx, c2spPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (logTiles) SaveTiles([]sumdb.Tile, [][]byte) {}

// c2spPath is the C2SP name of a sumdb tile, without "tile/".
func c2spPath(t sumdb.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if rest, ok := strings.CutPrefix(p, "data/"); ok {
		return "entries/" + rest
	}
	return p
}

// parseBundle splits an entry bundle.
func parseBundle(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			t.Fatalf("bundle ends inside a length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			t.Fatalf("bundle ends inside an entry")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out
}

func TestTiles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.issue(t, 300)
	e.issue(t, 300) // 600 leaves: tiles 0 and 1 full, tile 2 holds 88
	c, err := e.log.Checkpoint(ctx)
	if err != nil || c.Size != 600 {
		t.Fatalf("checkpoint of size %d: %v", c.Size, err)
	}
	leaves, err := e.st.Leaves(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}

	// Proofs built from tiles alone check against the signed tree head;
	// TileHashReader also checks every tile it reads against it.
	hr := sumdb.TileHashReader(sumdb.Tree{N: c.Size, Hash: c.Hash}, logTiles{ctx, e.log})
	for _, i := range []int64{0, 1, 255, 256, 511, 512, 599} {
		p, err := sumdb.ProveRecord(c.Size, i, hr)
		if err != nil {
			t.Fatalf("proof of %d from tiles: %v", i, err)
		}
		if err := sumdb.CheckRecord(p, c.Size, c.Hash, i, sumdb.RecordHash(leaves[i].Data)); err != nil {
			t.Errorf("proof of %d from tiles does not check: %v", i, err)
		}
	}
	if h, err := sumdb.TreeHash(c.Size, hr); err != nil || h != c.Hash {
		t.Errorf("tree hash from tiles %v, %v", h, err)
	}

	for _, tc := range []struct {
		path  string
		from  int
		n     int
		full  bool
		bytes int // hash tiles
	}{
		{path: "entries/000", from: 0, n: 256, full: true},
		{path: "entries/001", from: 256, n: 256, full: true},
		{path: "entries/002.p/88", from: 512, n: 88},
		{path: "entries/000.p/5", from: 0, n: 5},
		{path: "0/000", full: true, bytes: 256 * 32},
		{path: "0/002.p/88", bytes: 88 * 32},
		{path: "1/000.p/2", bytes: 2 * 32},
	} {
		b, full, err := e.log.Tile(ctx, tc.path)
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if full != tc.full {
			t.Errorf("%s: full %v, want %v", tc.path, full, tc.full)
		}
		if tc.bytes > 0 {
			if len(b) != tc.bytes {
				t.Errorf("%s: %d bytes, want %d", tc.path, len(b), tc.bytes)
			}
			continue
		}
		got := parseBundle(t, b)
		if len(got) != tc.n {
			t.Fatalf("%s: %d entries, want %d", tc.path, len(got), tc.n)
		}
		for i, d := range got {
			if string(d) != string(leaves[tc.from+i].Data) {
				t.Fatalf("%s: entry %d differs from leaf %d", tc.path, i, tc.from+i)
			}
		}
	}
	// The level-0 tile's hashes are the leaves' record hashes.
	b, _, _ := e.log.Tile(ctx, "0/001")
	if h := sumdb.RecordHash(leaves[256].Data); string(b[:32]) != string(h[:]) {
		t.Error("first hash of tile 0/001 is not the record hash of leaf 256")
	}

	for _, tc := range []struct {
		path string
		want error
	}{
		{"0/002", ErrNotInLog},        // only 88 of its 256 hashes exist
		{"0/002.p/89", ErrNotInLog},   // one past the checkpoint
		{"0/003.p/1", ErrNotInLog},    // past the end
		{"1/000", ErrNotInLog},        // needs 65,536 leaves
		{"entries/003", ErrNotInLog},  // past the end
		{"6/000", ErrBadTilePath},     // level above 5
		{"01/000", ErrBadTilePath},    // leading zero
		{"0/1", ErrBadTilePath},       // not three digits
		{"0/x000", ErrBadTilePath},    // x on the last group
		{"0/000.p/0", ErrBadTilePath}, // empty partial
		{"0/000.p/256", ErrBadTilePath},
		{"entries", ErrBadTilePath},
		{"data/000", ErrBadTilePath},
		{"0/-01", ErrBadTilePath},
	} {
		if _, _, err := e.log.Tile(ctx, tc.path); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.path, err, tc.want)
		}
	}
}

// FuzzTilePath: any string either is refused as a tile path or names a
// tile whose C2SP name is the string itself (one name per tile).
func FuzzTilePath(f *testing.F) {
	for _, s := range []string{"0/000", "1/x001/234.p/7", "entries/000.p/88", "5/x999/x999/999", "6/000", "0/1", "entries", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tile, err := parseTilePath(s)
		if err != nil {
			if !errors.Is(err, ErrBadTilePath) {
				t.Fatalf("%q: error %v is not ErrBadTilePath", s, err)
			}
			return
		}
		if got := c2spPath(tile); got != s {
			t.Fatalf("%q parses to a tile named %q", s, got)
		}
		if tile.L < -1 || tile.L > maxTileLevel || tile.W < 1 || tile.W > 1<<TileHeight || tile.N < 0 {
			t.Fatalf("%q: tile %+v out of range", s, tile)
		}
	})
}
