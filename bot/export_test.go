package bot

import "time"

// SetInteractionDeadline changes the age after which b ignores interactions,
// so that tests on a loaded machine do not trip Discord's 3 s rule.
func SetInteractionDeadline(b *Bot, d time.Duration) { b.deadline = d }

// OnHandled makes b call fn when its handler of a message or an
// interaction returns (kind "message" or "interaction" and the event's
// ID), so that tests can wait for an event to be handled, even one the bot
// ignores, without sleeping. Set it before Run.
func OnHandled(b *Bot, fn func(kind, id string)) { b.handled = fn }

// BudgetNote is the note of an answer made extractive by the daily budget.
const BudgetNote = budgetNote

// SetIdentifyWait changes the pause between groups of shards connecting
// (Discord's 5 s), so that tests of many shards stay short.
func SetIdentifyWait(b *Bot, d time.Duration) { b.identifyWait = d }
