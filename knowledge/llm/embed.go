package llm

import (
	"context"
	"fmt"

	"github.com/herald-bot/herald/knowledge"
	openai "github.com/sashabaranov/go-openai"
)

// Embed returns one vector per text, in input order, from the configured
// embeddings model. Texts are sent in batches of Config.BatchSize; each
// batch is retried like a chat call and bounded by Config.Timeout on its
// own, so a long backfill is not cut short by one call's budget. Vectors are
// returned as the server sent them, not normalised. A response with the
// wrong number of vectors, an empty vector or vectors of differing
// dimensions is an EUNAVAILABLE error. Some servers reject empty strings;
// callers should not send them.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.embedModel == "" {
		return nil, knowledge.Errorf(knowledge.EINVALID, "No embeddings model is configured.")
	}
	out := make([][]float32, 0, len(texts))
	dims := 0
	for start := 0; start < len(texts); start += c.batchSize {
		if err := ctx.Err(); err != nil {
			return nil, c.interrupted(ctx, opEmbed, 0, err)
		}
		batch := texts[start:min(start+c.batchSize, len(texts))]
		var vecs [][]float32
		err := c.call(ctx, opEmbed, func(ctx context.Context) error {
			resp, err := c.api.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
				Input: batch,
				Model: openai.EmbeddingModel(c.embedModel),
			})
			if err != nil {
				return err
			}
			vecs, err = orderEmbeddings(resp.Data, len(batch))
			return err
		})
		if err != nil {
			return nil, err
		}
		if dims == 0 {
			dims = len(vecs[0])
		}
		if len(vecs[0]) != dims {
			return nil, c.fail(opEmbed, 1, failure{
				code: knowledge.EUNAVAILABLE, message: msgUnusable,
				detail: fmt.Sprintf("batches returned vectors of %d and %d dimensions", dims, len(vecs[0])),
			})
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// EmbedQuery returns the vector of one question with a single attempt:
// no retry and no backoff, bounded by ctx and Config.Timeout, so that a
// failing endpoint costs a question one quick try before it is answered
// from keyword search alone (knowledge.QueryEmbedder). The failure is
// classified as Embed's are.
func (c *Client) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if c.embedModel == "" {
		return nil, knowledge.Errorf(knowledge.EINVALID, "No embeddings model is configured.")
	}
	var vecs [][]float32
	err := c.callRetrying(ctx, opEmbed, 0, func(ctx context.Context) error {
		resp, err := c.api.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
			Input: []string{text},
			Model: openai.EmbeddingModel(c.embedModel),
		})
		if err != nil {
			return err
		}
		vecs, err = orderEmbeddings(resp.Data, 1)
		return err
	})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// orderEmbeddings checks one batch's response and puts its vectors in
// input order by their index field. Servers that leave every index at zero
// are trusted to answer in input order.
func orderEmbeddings(data []openai.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, unusable(fmt.Sprintf("asked for %d embeddings, got %d", n, len(data)))
	}
	out := make([][]float32, n)
	allZero := true
	for _, e := range data {
		if e.Index != 0 {
			allZero = false
			break
		}
	}
	for i, e := range data {
		idx := e.Index
		if allZero {
			idx = i
		}
		if idx < 0 || idx >= n || out[idx] != nil {
			return nil, unusable(fmt.Sprintf("embedding index %d is out of range or repeated", e.Index))
		}
		if len(e.Embedding) == 0 {
			return nil, unusable(fmt.Sprintf("embedding %d is empty", idx))
		}
		if len(e.Embedding) != len(data[0].Embedding) {
			return nil, unusable(fmt.Sprintf("embeddings have %d and %d dimensions", len(data[0].Embedding), len(e.Embedding)))
		}
		out[idx] = e.Embedding
	}
	return out, nil
}
