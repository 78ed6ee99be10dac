package credential

import "testing"

func TestNormalizeID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"urn:uuid:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11", "urn:uuid:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11"},
		{"urn:uuid:6B4E0C2A-93E1-4F5B-8D8C-2E7A1A0C9F11", "urn:uuid:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11"},
		{"URN:UUID:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11", "urn:uuid:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11"},
		{"Urn:Uuid:6B4E0C2A-93e1-4F5B-8d8c-2E7A1A0C9F11", "urn:uuid:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11"},
		// Not a UUID: unchanged.
		{"urn:uuid:6B4E0C2A-93E1-4F5B-8D8C-2E7A1A0C9F1G", "urn:uuid:6B4E0C2A-93E1-4F5B-8D8C-2E7A1A0C9F1G"},
		{"urn:uuid:6B4E0C2A93E14F5B8D8C2E7A1A0C9F11", "urn:uuid:6B4E0C2A93E14F5B8D8C2E7A1A0C9F11"},
		{"https://example.edu/Credentials/ABC", "https://example.edu/Credentials/ABC"},
		{"urn:example:ABC", "urn:example:ABC"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeID(tt.in); got != tt.want {
			t.Errorf("NormalizeID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
