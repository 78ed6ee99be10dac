package bake

import "encoding/xml"

// xmlUnmarshal parses strictly, as a browser's XML parser would.
func xmlUnmarshal(data []byte, v any) error { return xml.Unmarshal(data, v) }
