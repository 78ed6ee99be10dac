package web

import "testing"

func TestImageSrc(t *testing.T) {
	for in, want := range map[string]string{
		"data:image/png;base64,iVBORw0KGgo=":       "data:image/png;base64,iVBORw0KGgo=",
		"data:image/svg+xml;base64,PHN2Zy8+":       "data:image/svg+xml;base64,PHN2Zy8+",
		"data:text/html;base64,PHNjcmlwdD4=":       "",
		"data:image/png;base64,***":                "",
		"data:image/svg+xml,<svg onload=alert(1)>": "",
		"javascript:alert(1)":                      "",
		"https://img.example/badge.png":            "https://img.example/badge.png",
		"/achievements/x/image":                    "/achievements/x/image",
		"//evil.example/x.png":                     "",
		"":                                         "",
	} {
		if got := string(imageSrc(in)); got != want {
			t.Errorf("imageSrc(%q) = %q, want %q", in, got, want)
		}
	}
}
