package text

import "testing"

func TestIsProse(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"U.S. National Highway Traffic & Safety Administration", false},
		{"Photo: AP / Getty Images", false},
		{"Olaf Scholz, Boris Pistorius, Annalena Baerbock", false},
		{"BREAKING NEWS: MARKETS FALL SHARPLY", false},
		{"Biden Signs Climate Bill Into Law", false},
		{"German Chancellor Olaf Scholz has refused to send Taurus missiles to Ukraine.", true},
		{"\"We will not do that,\" Scholz said on Monday.", true},
		{"Die Bundesregierung hat am Montag neue Zahlen vorgelegt.", true},
		{"iPhone sales rose in Europe", true},
		{"", false},
	} {
		if got := IsProse(c.s); got != c.want {
			t.Errorf("IsProse(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}
