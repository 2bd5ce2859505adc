package summarize

import "testing"

// TestLeadIsRunningText: a story's lead skips the caption, the credit
// line and the headline repeated, and takes the first sentence of running
// text.
func TestLeadIsRunningText(t *testing.T) {
	body := "Recall of 2.1 million cars\n\nU.S. National Highway Traffic & Safety Administration\n\n" +
		"Photo: Jane Doe / Wire Images Agency Ltd\n\n" +
		"Carmakers are recalling 2.1 million vehicles over faulty airbag sensors, regulators said on Tuesday. More follows."
	got := Lead(body, "Recall of 2.1 million cars")
	if want := "Carmakers are recalling 2.1 million vehicles over faulty airbag sensors, regulators said on Tuesday."; got != want {
		t.Errorf("lead = %q, want %q", got, want)
	}
}
