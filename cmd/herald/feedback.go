package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge"
)

// jsonFeedback is one element of `herald feedback --json`: a vote with the
// answer it judged and the evidence that answer cited.
type jsonFeedback struct {
	VotedAt   string                   `json:"voted_at"`
	Vote      string                   `json:"vote"` // "up" or "down"
	UserID    string                   `json:"user_id"`
	AnswerID  int64                    `json:"answer_id"`
	GuildID   string                   `json:"guild_id"`
	ChannelID string                   `json:"channel_id"`
	AskedBy   string                   `json:"asked_by"`
	AskedAt   string                   `json:"asked_at"`
	Question  string                   `json:"question"`
	Answer    string                   `json:"answer"`
	Mode      string                   `json:"mode"`
	Deleted   bool                     `json:"deleted"`
	Sources   []knowledge.AnswerSource `json:"sources"`
}

func voteName(v int) string {
	if v < 0 {
		return "down"
	}
	return "up"
}

func runFeedback(ctx context.Context, e *env) error {
	fs := newFlags(e, "feedback", "", `Lists the votes members gave Herald's answers in Discord (the 👍 and 👎
buttons), newest first, each with the question, the answer, how it was made
and the articles and passages it cited: where Herald gets things wrong.`)
	asJSON := fs.Bool("json", false, "print the votes as a JSON array")
	limit := fs.Int("n", 50, "most votes to list (0 for all)")
	vote := fs.String("vote", "", "only the votes of this `KIND`: up or down (default: both)")
	guild := fs.String("guild", "", "only the votes of this Discord server `ID` (default: every server)")
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	f := knowledge.FeedbackFilter{Limit: *limit, GuildID: strings.TrimSpace(*guild)}
	switch strings.ToLower(strings.TrimSpace(*vote)) {
	case "":
	case "up":
		f.Vote = knowledge.VoteUp
	case "down":
		f.Vote = knowledge.VoteDown
	default:
		return knowledge.Errorf(knowledge.EINVALID, "--vote must be up or down, not %q.", *vote)
	}
	if *limit < 0 {
		return knowledge.Errorf(knowledge.EINVALID, "-n must be 0 (all) or more, not %d.", *limit)
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	votes, err := db.Feedback(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]jsonFeedback, 0, len(votes))
		for _, v := range votes {
			a := v.Answer
			sources := a.Sources
			if sources == nil {
				sources = []knowledge.AnswerSource{}
			}
			out = append(out, jsonFeedback{
				VotedAt: v.VotedAt.Format(time.RFC3339), Vote: voteName(v.Vote), UserID: v.UserID, AnswerID: a.ID,
				GuildID: a.GuildID, ChannelID: a.ChannelID, AskedBy: a.AskerID, AskedAt: a.CreatedAt.Format(time.RFC3339),
				Question: a.Question, Answer: a.Text, Mode: a.Mode, Deleted: a.Deleted, Sources: sources,
			})
		}
		return writeJSON(e.stdout, out)
	}
	printFeedback(e.stdout, votes)
	return nil
}

// printFeedback renders votes for a terminal: a summary, then each vote
// with its question, its answer (shortened) and what the answer cited.
func printFeedback(w io.Writer, votes []knowledge.Feedback) {
	if len(votes) == 0 {
		fmt.Fprintln(w, "No votes yet. Members vote with the 👍 and 👎 buttons under Herald's answers in Discord.")
		return
	}
	up, answers := 0, map[int64]bool{}
	for _, v := range votes {
		if v.Vote > 0 {
			up++
		}
		answers[v.Answer.ID] = true
	}
	fmt.Fprintf(w, "%s on %s: %d up, %d down (newest first)\n", plural(len(votes), "vote", "votes"), plural(len(answers), "answer", "answers"), up, len(votes)-up)
	for _, v := range votes {
		a := v.Answer
		where := "a direct message"
		if a.GuildID != "" {
			where = "server " + a.GuildID
		}
		deleted := ""
		if a.Deleted {
			deleted = ", deleted"
		}
		fmt.Fprintf(w, "\n%s  %-4s  by %s on answer %d (%s, %s%s)\n", v.VotedAt.Local().Format("2006-01-02 15:04"), voteName(v.Vote),
			v.UserID, a.ID, a.Mode, where, deleted)
		fmt.Fprintf(w, "  Q: %s\n", oneLine(a.Question, 300))
		fmt.Fprintf(w, "  A: %s\n", oneLine(a.Text, 300))
		for _, s := range a.Sources {
			fmt.Fprintf(w, "  %s %s\n", markers(s.Markers), sourceLine(s.Title, s.Source, s.PublishedAt))
			ids := "article " + strconv.FormatInt(s.ArticleID, 10)
			if len(s.PassageIDs) > 0 {
				var ps []string
				for _, p := range s.PassageIDs {
					ps = append(ps, strconv.FormatInt(p, 10))
				}
				ids += ", passages " + strings.Join(ps, ", ")
			}
			fmt.Fprintf(w, "      %s\n", ids)
		}
	}
}

func markers(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, "["+strconv.Itoa(n)+"]")
	}
	return strings.Join(parts, "")
}

// oneLine is s on one line, cut to max characters.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}
