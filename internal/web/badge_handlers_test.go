package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// uploadBadge posts a file to an achievement's badge page as who.
func (e *env) uploadBadge(as, name string, data []byte) *httptest.ResponseRecorder {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", e.logins[as].CSRF)
	_ = mw.WriteField("action", "upload")
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return e.do(request{method: "POST", path: "/admin/orgs/city-uni/achievements/" + e.achievementID + "/badge", as: as,
		body: body.String(), contentType: mw.FormDataContentType()})
}

func TestBadgeUploadAndDesign(t *testing.T) {
	e := newEnv(t, envOptions{})
	imageOf := func() string {
		a, _, err := e.svc.Achievement(context.Background(), e.achievementID, 0)
		if err != nil || a.Image == nil {
			t.Fatalf("achievement image: %v", err)
		}
		return a.Image.ID
	}

	// An SVG loses its script and external references.
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><circle r="4" fill="url(https://evil.example/x)"/><rect width="10" height="10" fill="#123456"/></svg>`
	if rec := e.uploadBadge("issuer", "badge.svg", []byte(svg)); rec.Code != http.StatusSeeOther {
		t.Fatalf("svg upload: %d %s", rec.Code, rec.Body)
	}
	if img := imageOf(); !strings.HasPrefix(img, "data:image/svg+xml;base64,") {
		t.Errorf("svg upload stored as %.40q", img)
	}
	served := e.do(request{method: "GET", path: "/achievements/" + e.achievementID + "/image"}).Body.String()
	if strings.Contains(served, "script") || strings.Contains(served, "evil") || strings.Contains(served, "onload") || !strings.Contains(served, "#123456") {
		t.Errorf("sanitized SVG = %s", served)
	}

	// A PNG is recognised by its content, whatever its name.
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	if rec := e.uploadBadge("issuer", "badge.svg", buf.Bytes()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(imageOf(), "data:image/png;base64,") {
		t.Errorf("png upload: %d", rec.Code)
	}

	// Anything else is refused, naming the field; so is a file over 1 MB.
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"notes.txt", []byte("hello"), "neither a PNG nor an SVG"},
		{"big.png", append(buf.Bytes(), make([]byte, 1<<20)...), "larger than 1 MB"},
	} {
		rec := e.uploadBadge("issuer", tt.name, tt.data)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.want) || !strings.Contains(rec.Body.String(), `data-field="file"`) {
			t.Errorf("%s: %d, want 400 with %q", tt.name, rec.Code, tt.want)
		}
	}

	// The designer: a wrong colour names its field; a good design is saved.
	path := "/admin/orgs/city-uni/achievements/" + e.achievementID + "/badge"
	form := url.Values{"action": {"design"}, "shape": {"shield"}, "fill": {"red"}, "border": {"#000000"}, "text": {"#ffffff"}, "title": {"SDS"}}
	if rec := e.do(request{method: "POST", path: path, as: "issuer", form: form}); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `data-field="fill"`) {
		t.Errorf("bad colour: %d", rec.Code)
	}
	form.Set("fill", "#336699")
	if rec := e.do(request{method: "POST", path: path, as: "issuer", form: form}); rec.Code != http.StatusSeeOther || !strings.HasPrefix(imageOf(), "data:image/svg+xml;base64,") {
		t.Errorf("design: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: path, as: "viewer", form: form}); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer changed the badge: %d", rec.Code)
	}
}
