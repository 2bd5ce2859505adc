package text

import (
	"strings"
	"testing"
)

func TestFingerprint(t *testing.T) {
	article := articleText(t)
	fp := Fingerprint(article)

	// Another outlet runs the same wire story with a few words edited and
	// different typography.
	edited := strings.NewReplacer(
		"voted 7-2 on Tuesday", "voted 7-2 late on Tuesday",
		"more than 400 residents", "over 400 residents",
		"Mayor Ellen R. Whitaker", "Mayor Whitaker",
		"\n\n", "\n",
	).Replace(article)
	if edited == article {
		t.Fatal("replacer changed nothing")
	}
	if d := HammingDistance(fp, Fingerprint(edited)); d > 6 {
		t.Errorf("near-duplicate at distance %d, want <= 6", d)
	}
	if d := HammingDistance(fp, Fingerprint(strings.ToUpper(article))); d != 0 {
		t.Errorf("case change moved the fingerprint by %d bits", d)
	}

	unrelated := []string{
		sentenceText(30, 40, 50), // synthetic filler
		strings.Repeat("The central bank held interest rates steady on Wednesday, citing stubborn inflation and a cooling labour market. ", 8),
		"Heavy snow closed mountain passes across the Alps, stranding hundreds of skiers and forcing rail operators to cancel dozens of trains. Avalanche warnings remained at their highest level in several regions, and officials urged travellers to postpone trips until the weekend.",
	}
	for _, u := range unrelated {
		if d := HammingDistance(fp, Fingerprint(u)); d <= 15 {
			t.Errorf("unrelated text at distance %d, want > 15: %.40q", d, u)
		}
	}

	if Fingerprint("") != 0 || Fingerprint(" ,.; ") != 0 {
		t.Error("text without tokens should fingerprint to 0")
	}
	if Fingerprint("one") == Fingerprint("two") || Fingerprint("one two") == Fingerprint("two one") {
		t.Error("short texts should still fingerprint by their words and order")
	}
}

func TestHammingDistance(t *testing.T) {
	tests := []struct {
		a, b uint64
		want int
	}{
		{0, 0, 0},
		{0, ^uint64(0), 64},
		{0b1011, 0b0001, 2},
		{1 << 63, 1, 2},
	}
	for _, tt := range tests {
		if got := HammingDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("HammingDistance(%b, %b) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
