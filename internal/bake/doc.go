// Package bake embeds a credential in a badge image and reads it back out
// ("baking"), as the Open Badges specifications define it for PNG and SVG.
//
// Open Badges 3.0 puts the credential — its JSON with an embedded proof, or
// the compact JWS of a VC-JWT — in a PNG iTXt chunk with the keyword
// "openbadgecredential" (uncompressed, inserted before IEND), or in an SVG in
// an <openbadges:credential> element in the namespace
// https://purl.imsglobal.org/ob/v3p0, directly after the <svg> start tag:
// JSON inside <![CDATA[...]]>, a JWS in the verify attribute. Open Badges
// 2.0 uses the keyword "openbadges" and an <openbadges:assertion> element in
// the namespace http://openbadges.org, whose verify attribute holds a signed
// assertion or the URL of a hosted one. An image carries at most one
// credential: Bake refuses an image that already has one.
//
// Unbake reads both versions, and the legacy Open Badges 1.x tEXt chunk
// that held a hosted assertion's URL. A baked file unbakes to the credential
// byte for byte. The unbakers read untrusted files, so they check chunk
// lengths and CRCs, bound what they decompress, and are fuzzed.
package bake
