package credential

import "testing"

func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "ob3-full.json")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMap(b *testing.B) {
	c, err := Parse(readTestdata(b, "ob3-full.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Map(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	c, err := Parse(readTestdata(b, "ob3-full.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateJSON(b *testing.B) {
	data := readTestdata(b, "ob3-full.json")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := ValidateJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
