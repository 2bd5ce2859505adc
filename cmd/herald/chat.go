package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/herald-bot/herald/knowledge"
)

// chatHistory is how many earlier turns a follow-up is condensed with.
const chatHistory = 6

func runChat(ctx context.Context, e *env) error {
	fs := newFlags(e, "chat", "", `An interactive session: ask a question, then follow-ups ("and what did
Pistorius say?"). With a language model, follow-ups are rewritten into
standalone questions; without one, the previous question's key terms carry
over. An empty line or Ctrl-D ends the session.`)
	var ff filterFlags
	ff.register(fs)
	mode := fs.String("mode", "auto", "who writes the answers: auto, llm or extractive")
	dbFlag := dbPathFlag(fs)
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	db.PrepareSearch() // a session asks many questions; Close stops it
	f, err := ff.filter(db.Now())
	if err != nil {
		return err
	}
	an, err := newAnswerer(e, db)
	if err != nil {
		return err
	}
	in := bufio.NewScanner(e.stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	var history []knowledge.Turn
	for {
		fmt.Fprint(e.stdout, "> ")
		if !in.Scan() {
			fmt.Fprintln(e.stdout)
			return nil
		}
		line := strings.TrimSpace(in.Text())
		if line == "" || line == "/quit" || line == "/exit" {
			return nil
		}
		q := knowledge.Question{Text: line, Filter: f, Mode: *mode, History: history}
		ans, err := ask(ctx, e, an, q, false)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// One bad turn does not end the session.
			fmt.Fprintln(e.stderr, "herald: "+knowledge.ErrorMessage(err))
			continue
		}
		history = append(history, knowledge.Turn{Question: line, Answer: ans.Text})
		if len(history) > chatHistory {
			history = history[len(history)-chatHistory:]
		}
		fmt.Fprintln(e.stdout)
	}
}
