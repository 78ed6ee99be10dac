package sqlcore

import (
	"slices"
	"testing"
)

func TestChunkRows(t *testing.T) {
	cases := []struct {
		rows int
		want []int
	}{
		{1, []int{1}},
		{3, []int{3}},
		{8, []int{8}},
		{9, []int{8, 1}},
		{15, []int{8, 7}},
		{41, []int{32, 8, 1}},
		{256, []int{256}},
		{600, []int{256, 256, 64, 16, 8}},
	}
	for _, c := range cases {
		var got []int
		for left := c.rows; left > 0; {
			n := chunkRows(left)
			got = append(got, n)
			left -= n
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%d rows: chunks %v, want %v", c.rows, got, c.want)
		}
	}
}
