package llm

import (
	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

// EstimateTokens guesses how many model tokens s takes, offline; see
// text.EstimateTokens.
func EstimateTokens(s string) int { return text.EstimateTokens(s) }

// estimatePrompt estimates a request's prompt tokens: each message's
// content plus a few tokens of chat framing per message and per reply.
func estimatePrompt(msgs []knowledge.ChatMessage) int {
	n := 3
	for _, m := range msgs {
		n += 4 + EstimateTokens(m.Content)
	}
	return n
}
