package bot

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of a question, as counted in herald_questions_total.
const (
	outcomeAnswered  = "answered"
	outcomeAbstained = "abstained"
	outcomeError     = "error"
	outcomeCancelled = "cancelled"
	outcomeRefused   = "refused" // cooldown or concurrency limit
)

// modeNone labels questions that ended before any answer was made.
const modeNone = "none"

type metrics struct {
	questions *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	tokens    prometheus.Counter
	errors    *prometheus.CounterVec
	votes     *prometheus.CounterVec
	reg       *prometheus.Registry
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_questions_total",
			Help: "Questions handled, by answer mode (llm, extractive, none) and outcome (answered, abstained, error, cancelled, refused).",
		}, []string{"mode", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_answer_duration_seconds",
			Help:    "Time from accepting a question to posting its final answer, by answer mode.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120},
		}, []string{"mode"}),
		tokens: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "herald_llm_tokens_total",
			Help: "Language model tokens spent on answers.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_errors_total",
			Help: "Errors shown to users, by error code.",
		}, []string{"code"}),
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_feedback_votes_total",
			Help: "Members' votes on answers, by vote (up, down) and whether it changed an earlier vote (new, changed).",
		}, []string{"vote", "kind"}),
	}
	for _, c := range []prometheus.Collector{m.questions, m.latency, m.tokens, m.errors, m.votes} {
		reg.MustRegister(c)
	}
	// The registry may be shared with other components; they may have
	// registered the runtime collectors already.
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			if _, dup := err.(prometheus.AlreadyRegisteredError); !dup {
				panic(err)
			}
		}
	}
	return m
}

func (m *metrics) question(mode, outcome string) {
	if mode == "" {
		mode = modeNone
	}
	m.questions.WithLabelValues(mode, outcome).Inc()
}

// vote counts a vote that was recorded (not a repeat of the same vote).
func (m *metrics) vote(vote int, changed bool) {
	v, kind := "up", "new"
	if vote < 0 {
		v = "down"
	}
	if changed {
		kind = "changed"
	}
	m.votes.WithLabelValues(v, kind).Inc()
}

// Handler serves /healthz (200 while every shard of this process is
// connected to the gateway, 503 otherwise, with each shard's state as JSON,
// see Health) and /metrics (Prometheus text format; the gateway's metrics
// carry a shard label).
func (b *Bot) Handler() http.Handler {
	b.init()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", b.serveHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.metrics.reg, promhttp.HandlerOpts{}))
	return mux
}
