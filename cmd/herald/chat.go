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
over. Ctrl-C stops the answer being written; Ctrl-C at the prompt, Ctrl-D or
an empty line ends the session.`)
	var ff filterFlags
	ff.register(fs)
	mode := fs.String("mode", "auto", "who writes the answers (`MODE`): auto (the model when one is configured), llm or extractive")
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if _, err := checkMode(*mode); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	db.PrepareSearch() // a session asks many questions; Close stops it
	f, err := ff.filter(db.Now())
	if err != nil {
		return err
	}
	f.Language = e.cfg.Language
	if err := checkSources(ctx, db, f); err != nil {
		return err
	}
	an, err := newAnswerer(e, db, *mode, false)
	if err != nil {
		return err
	}
	return chatLoop(ctx, e, an, f, *mode)
}

// chatLoop reads questions until the input ends or the user leaves.
// Interrupts arrive as ctx ending: during an answer, that answer stops
// and the session goes on with a fresh interrupt context (e.rearm); at
// the prompt, the session ends with status 130.
func chatLoop(ctx context.Context, e *env, an *knowledge.Answerer, f knowledge.Filter, mode string) error {
	lines := make(chan string)
	readDone := make(chan error, 1)
	stopRead := make(chan struct{})
	// The reader stops at the end of the input or when the session ends
	// (a read already waiting on a terminal ends with the process).
	go func() {
		in := bufio.NewScanner(e.stdin)
		in.Buffer(make([]byte, 64<<10), 1<<20)
		for in.Scan() {
			select {
			case lines <- in.Text():
			case <-stopRead:
				return
			}
		}
		readDone <- in.Err()
	}()
	defer close(stopRead)

	var history []knowledge.Turn
	for {
		fmt.Fprint(e.stdout, e.out.bold("> "))
		var line string
		select {
		case <-ctx.Done():
			fmt.Fprintln(e.stdout)
			return exitError{exitInterrupt}
		case err := <-readDone:
			fmt.Fprintln(e.stdout) // Ctrl-D
			if err != nil {
				return knowledge.WrapError(knowledge.EINVALID, "Cannot read the input.", err)
			}
			return nil
		case line = <-lines:
		}
		line = strings.TrimSpace(line)
		if line == "" || line == "/quit" || line == "/exit" {
			return nil
		}
		q := knowledge.Question{Text: line, Filter: f, Mode: mode, History: history}
		ans, err := ask(ctx, e, an, q, false)
		if ctx.Err() != nil {
			// Interrupted while answering: that answer stops, the session
			// goes on, and the next interrupt at the prompt leaves.
			var stop context.CancelFunc
			ctx, stop = e.rearm(context.WithoutCancel(ctx))
			defer stop()
			if err != nil {
				fmt.Fprintln(e.stderr, e.errs.warn("Answer stopped.")+" Ask again, or press Ctrl-C or Ctrl-D to leave.")
				continue
			}
		}
		if err != nil {
			// One bad turn does not end the session.
			fmt.Fprintln(e.stderr, e.errs.err("herald:")+" "+e.explain("cannot answer", err))
			continue
		}
		history = append(history, knowledge.Turn{Question: line, Answer: ans.Text})
		if len(history) > chatHistory {
			history = history[len(history)-chatHistory:]
		}
		fmt.Fprintln(e.stdout)
	}
}
