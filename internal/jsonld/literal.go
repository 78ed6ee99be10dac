package jsonld

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/canonjson"
	"github.com/microcred/microcred/internal/jsonld/rdfc"
)

const i18nBase = "https://www.w3.org/ns/i18n#"

// numberTerm is the literal of a native JSON number with the datatype dt
// ("" when none is given), as JSON-LD 1.1 API §8.2 Object to RDF
// Conversion says:
//
//   - Otherwise, if value is a number with a non-zero fractional part
//     (the result of a modulo‑1 operation) or an absolute value greater or
//     equal to 10^21, or value is a number and datatype equals xsd:double,
//     convert value to a string in canonical lexical form of an xsd:double
//     [...]. If datatype is null, set datatype to xsd:double.
//   - Otherwise, if value is a number with no non-zero fractional part
//     (the result of a modulo‑1 operation) and an absolute value less than
//     10^21, convert value to a string in canonical lexical form of an
//     xsd:integer [...]. If datatype is null, set datatype to xsd:integer.
//
// So 2^63 ≤ n < 10^21 is an integer, written with all its digits.
func numberTerm(f float64, dt string) (rdfc.Term, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return rdfc.Term{}, unsupported("number %v", f)
	}
	if f != math.Trunc(f) || math.Abs(f) >= 1e21 || dt == xsdDouble {
		if dt == "" {
			dt = xsdDouble
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: canonicalDouble(f), Datatype: dt}, nil
	}
	if dt == "" {
		dt = xsdInteger
	}
	return rdfc.Term{Kind: rdfc.Literal, Value: canonicalInteger(f), Datatype: dt}, nil
}

// canonicalInteger writes an integral double below 10^21 with all its
// digits (the exact value, as ECMAScript's toFixed(0) does); -0 is "0".
func canonicalInteger(f float64) string {
	if f == 0 {
		return "0"
	}
	if f == float64(int64(f)) && math.Abs(f) < 1<<62 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// canonicalDouble is the canonical lexical form of an xsd:double as the
// JSON-LD API produces it (§8.6 Data Round Tripping: "a mantissa followed
// by the character E, followed by an exponent [...] a single digit which
// is non-zero to the left of the decimal point and at least a single digit
// to the right of the decimal point unless the value being represented is
// zero. The canonical representation for zero is 0.0E0."), with the 16
// significant digits of ECMAScript's toExponential(15), which every
// JSON-LD processor follows.
//
// toExponential rounds the exact value of the double and, at an exact tie,
// "pick[s] the e and n for which n × 10^(e–f) is larger" (ECMA-262
// Number.prototype.toExponential): half away from zero, where
// strconv rounds half to even.
func canonicalDouble(f float64) string {
	if f == 0 {
		return "0.0E0"
	}
	neg := f < 0
	a := math.Abs(f)
	s := strconv.FormatFloat(a, 'e', 15, 64) // d.ddddddddddddddde±xx
	if tieAt16(a) {
		s = roundUp16(a)
	}
	mant, exp, _ := strings.Cut(s, "e")
	mant = strings.TrimRight(mant, "0")
	if strings.HasSuffix(mant, ".") {
		mant += "0"
	}
	e, _ := strconv.Atoi(exp)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(mant)
	b.WriteByte('E')
	b.WriteString(strconv.Itoa(e))
	return b.String()
}

// tieAt16 reports whether a's exact decimal expansion ends right after
// its 17th significant digit, and that digit is 5: the case where
// rounding to 16 digits is a tie.
func tieAt16(a float64) bool {
	s17 := strconv.FormatFloat(a, 'e', 16, 64)
	if s17[17] != '5' && s17[17] != '4' && s17[17] != '6' {
		return false
	}
	exact := new(big.Float).SetPrec(0).SetFloat64(a).Text('e', 1100)
	mant, _, _ := strings.Cut(exact, "e")
	digits := strings.Replace(mant, ".", "", 1)
	return digits[16] == '5' && strings.Trim(digits[17:], "0") == ""
}

// roundUp16 formats a, whose expansion is a tie at 16 digits, rounded
// away from zero.
func roundUp16(a float64) string {
	exact := new(big.Float).SetPrec(0).SetFloat64(a).Text('e', 1100)
	mant, exp, _ := strings.Cut(exact, "e")
	d := []byte(strings.Replace(mant, ".", "", 1)[:16])
	e, _ := strconv.Atoi(exp)
	i := len(d) - 1
	for ; i >= 0; i-- {
		if d[i] < '9' {
			d[i]++
			break
		}
		d[i] = '0'
	}
	if i < 0 { // 9.99…9 rounded up to 10.0…0
		d = append([]byte{'1'}, d[:15]...)
		e++
	}
	return string(d[:1]) + "." + string(d[1:]) + "e" + strconv.Itoa(e)
}

// jsonLiteral is the rdf:JSON literal of a @json value, any JSON value
// (JSON-LD 1.1 §4.2.2 JSON literals). JSON-LD 1.1 API §8.2 Object to RDF
// Conversion serializes it with the JSON Canonicalization Scheme (RFC 8785)
// and gives it the datatype rdf:JSON.
func jsonLiteral(v any) (rdfc.Term, error) {
	c, err := canonicalJSONValue(v)
	if err != nil {
		return rdfc.Term{}, err
	}
	return rdfc.Term{Kind: rdfc.Literal, Value: c, Datatype: rdfJSON}, nil
}

// canonicalJSONValue is the RFC 8785 form of a JSON value.
func canonicalJSONValue(v any) (string, error) {
	var buf bytes.Buffer
	if err := canonjson.Append(&buf, v); err != nil {
		return "", fmt.Errorf("jsonld: @json value: %w", err)
	}
	return buf.String(), nil
}

// directionTerm is the literal of a string with a base direction, under
// the rdfDirection option i18n-datatype that the Data Integrity
// cryptosuites set. JSON-LD 1.1 API §8.2 Object to RDF Conversion then
// makes the datatype https://www.w3.org/ns/i18n# followed by the language
// in lower case (or nothing), an underscore and the direction, as jsonld.js
// does.
func directionTerm(value, lang, dir string) rdfc.Term {
	return rdfc.Term{Kind: rdfc.Literal, Value: value, Datatype: i18nBase + strings.ToLower(lang) + "_" + dir}
}
