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
	connected prometheus.Gauge
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
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "herald_gateway_connected",
			Help: "1 while the Discord gateway is connected, 0 otherwise.",
		}),
	}
	for _, c := range []prometheus.Collector{m.questions, m.latency, m.tokens, m.errors, m.votes, m.connected} {
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

// Handler serves /healthz (200 while the gateway is connected, 503
// otherwise) and /metrics (Prometheus text format).
func (b *Bot) Handler() http.Handler {
	b.init()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !b.connected.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("disconnected\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.metrics.reg, promhttp.HandlerOpts{}))
	return mux
}
