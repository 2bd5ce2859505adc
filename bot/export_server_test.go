package bot

import "context"

// PostFeedsNow runs one pass of n's posting of feeds' new articles and
// alerts on b, as its worker does every PostInterval.
func PostFeedsNow(ctx context.Context, n *News, b *Bot) FeedPassResult {
	b.init()
	return n.postPass(ctx, b)
}
