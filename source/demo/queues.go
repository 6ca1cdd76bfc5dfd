package demo

import (
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// The demo's queues, each with its own personality.
const (
	queueCritical = "critical" // fast and few
	queueDefault  = "default"  // steady mixed work
	queueEmails   = "emails"   // bursty newsletters, transient SMTP failures, digest groups
	queuePayments = "billing"  // sealed payloads, declines go straight to the archive
	queueReports  = "reports"  // slow, mostly scheduled
	queueWebhooks = "webhooks" // one dead endpoint keeps the archive growing
	queueLow      = "low"      // paused at start with a backlog
)

// deadWebhookHost is the endpoint whose deliveries always fail, so Archived grows steadily.
const deadWebhookHost = "hooks.legacy-crm.example"

// queue is one queue's personality: its priority weight, its steady arrival rate and the
// tasks that arrive.
type queue struct {
	name      string
	weight    int
	perSecond float64
	next      func(g *gen) job
}

// queues lists the demo queues. The steady rates add up to about 30 tasks a second, a
// third of what ten workers get through, so surges drain within a minute.
func queues() []queue {
	return []queue{
		{name: queueCritical, weight: 6, perSecond: 3, next: criticalJob},
		{name: queueDefault, weight: 3, perSecond: 11, next: defaultJob},
		{name: queueEmails, weight: 3, perSecond: 6, next: emailJob},
		{name: queuePayments, weight: 2, perSecond: 2, next: paymentJob},
		{name: queueReports, weight: 1, perSecond: 0.5, next: reportJob},
		{name: queueWebhooks, weight: 2, perSecond: 6, next: webhookJob},
		{name: queueLow, weight: 1, perSecond: 0.3, next: lowJob},
	}
}

// queueWeights is the asynq.Config.Queues value for the demo queues.
func queueWeights() map[string]int {
	weights := map[string]int{}
	for _, q := range queues() {
		weights[q.name] = q.weight
	}
	return weights
}

// backlog is what the world holds before the server starts: a paused pile in "low", some
// pending work, scheduled reports and webhooks bound for the dead endpoint, so the first
// screen is not empty and Archived starts growing at once.
func backlog(g *gen) []job {
	var jobs []job
	for range 240 {
		jobs = append(jobs, lowJob(g))
	}
	for range 60 {
		jobs = append(jobs, defaultJob(g))
	}
	for range 25 {
		jobs = append(jobs, scheduledReport(g))
	}
	for range 40 {
		jobs = append(jobs, webhookJob(g))
	}
	return jobs
}

func criticalJob(g *gen) job {
	user := g.userID()
	if g.chance(0.7) {
		p := mustJSON(map[string]any{
			"user_id": user,
			"phone":   fmt.Sprintf("+1-202-555-%04d", g.r.IntN(10000)),
			"channel": pick(g, "sms", "sms", "voice", "whatsapp"),
		})
		return g.job(queueCritical, "auth:otp:send", p,
			asynq.MaxRetry(3), asynq.Timeout(5*time.Second), asynq.Retention(10*time.Minute))
	}
	p := mustJSON(map[string]any{
		"user_id":    user,
		"session_id": "sess_" + g.token(16),
		"reason":     pick(g, "password_changed", "logout_everywhere", "admin_action"),
	})
	return g.job(queueCritical, "session:revoke", p, asynq.MaxRetry(5))
}

func defaultJob(g *gen) job {
	switch n := g.r.IntN(10); {
	case n < 5:
		id := g.token(10)
		p := mustJSON(map[string]any{
			"image_id": "img_" + id,
			"url":      fmt.Sprintf("https://cdn.example.com/u/%d/%s.jpg", g.userID(), id),
			"sizes":    []int{64, 256, 1024},
		})
		return g.job(queueDefault, "image:resize", p)
	case n < 8:
		p := mustJSON(map[string]any{
			"key":    fmt.Sprintf("product:%d", g.between(1, 90000)),
			"region": pick(g, "eu-west-1", "us-east-1", "ap-southeast-2"),
		})
		return g.job(queueDefault, "cache:warm", p, asynq.MaxRetry(3))
	default:
		// A protobuf-like record: a field tag, a length and opaque bytes.
		body := g.bytes(g.between(24, 96))
		p := append([]byte{0x0a, byte(len(body))}, body...)
		return g.job(queueDefault, "search:index", p)
	}
}

func emailJob(g *gen) job {
	user, addr := g.userID(), g.email()
	switch n := g.r.IntN(20); {
	case n < 3:
		tenant := pick(g, "acme", "globex", "initech")
		p := mustJSON(map[string]any{
			"user_id": user,
			"email":   addr,
			"event":   pick(g, "comment.created", "mention", "task.assigned"),
			"ref":     fmt.Sprintf("%s/issues/%d", tenant, g.between(1, 4000)),
		})
		return g.job(queueEmails, "email:digest:item", p, asynq.Group("digest:"+tenant))
	case n < 5:
		p := emailPayload(g, user, addr, "trial_ending")
		delay := time.Duration(g.between(30, 300)) * time.Second
		return g.job(queueEmails, "email:send", p, asynq.MaxRetry(2), asynq.ProcessIn(delay))
	default:
		template := pick(g, "welcome", "password_reset", "order_shipped", "invoice_ready")
		return g.job(queueEmails, "email:send", emailPayload(g, user, addr, template),
			asynq.MaxRetry(2))
	}
}

// newsletterJob is one task of a surge: a campaign sent to many users at once.
func newsletterJob(g *gen, campaign string) job {
	p := mustJSON(map[string]any{
		"campaign": campaign,
		"user_id":  g.userID(),
		"email":    g.email(),
		"variant":  pick(g, "A", "B"),
	})
	return g.job(queueEmails, "email:newsletter", p, asynq.MaxRetry(2))
}

// emailPayload is an email:send payload; a password reset carries its one-time token,
// which the default mask_fields hide.
func emailPayload(g *gen, user int, addr, template string) []byte {
	p := map[string]any{
		"user_id":  user,
		"email":    addr,
		"template": template,
		"locale":   pick(g, "en-US", "en-GB", "de-DE", "pt-BR", "ja-JP"),
	}
	if template == "password_reset" {
		p["token"] = "prt_" + g.token(32)
	}
	return mustJSON(p)
}

func paymentJob(g *gen) job {
	cents := g.between(199, 250000)
	if g.chance(0.8) {
		p := mustJSON(map[string]any{
			"order_id":     "ord_" + g.token(12),
			"customer":     "cus_" + g.token(14),
			"amount_cents": cents,
			"currency":     pick(g, "EUR", "USD", "GBP"),
			"card":         g.card(),
		})
		return g.sealed(queuePayments, "payment:charge", p,
			asynq.MaxRetry(1), asynq.Retention(30*time.Minute))
	}
	p := mustJSON(map[string]any{
		"charge_id":    "ch_" + g.token(14),
		"amount_cents": cents,
		"reason":       pick(g, "requested_by_customer", "duplicate", "fraudulent"),
	})
	return g.sealed(queuePayments, "payment:refund", p, asynq.MaxRetry(1))
}

func reportJob(g *gen) job {
	if g.chance(0.8) {
		return scheduledReport(g)
	}
	// An export is a gzipped CSV: a binary payload that is not JSON underneath.
	csv := "date,orders,revenue_cents\n"
	for d := 1; d <= 14; d++ {
		csv += fmt.Sprintf("2024-05-%02d,%d,%d\n", d, g.between(80, 900), g.between(1e5, 9e6))
	}
	return g.job(queueReports, "report:export", gzipped([]byte(csv)),
		asynq.Retention(time.Hour), asynq.Timeout(2*time.Minute))
}

// scheduledReport is a report due in the next few minutes, with a gzipped JSON payload.
func scheduledReport(g *gen) job {
	p := gzipped(mustJSON(map[string]any{
		"report": pick(g, "monthly-revenue", "churn", "inventory", "cohorts"),
		"tenant": pick(g, "acme", "globex", "initech", "umbrella"),
		"range":  map[string]string{"from": "2024-05-01", "to": "2024-05-31"},
		"format": pick(g, "csv", "xlsx", "pdf"),
	}))
	delay := time.Duration(g.between(10, 180)) * time.Second
	return g.job(queueReports, "report:generate", p, asynq.ProcessIn(delay),
		asynq.Retention(time.Hour), asynq.Timeout(2*time.Minute))
}

func webhookJob(g *gen) job {
	host := "hooks.example.com"
	if g.chance(0.3) {
		host = deadWebhookHost
	}
	p := mustJSON(map[string]any{
		"endpoint":    fmt.Sprintf("https://%s/t/%s", host, g.token(8)),
		"event":       pick(g, "order.created", "order.paid", "invoice.finalized", "user.deleted"),
		"delivery_id": "dlv_" + g.token(16),
		"body":        map[string]any{"order_id": "ord_" + g.token(12), "livemode": false},
	})
	return g.job(queueWebhooks, "webhook:deliver", p, asynq.MaxRetry(1))
}

func lowJob(g *gen) job {
	switch g.r.IntN(3) {
	case 0:
		p := mustJSON(map[string]any{
			"bucket":     "thumbs",
			"prefix":     fmt.Sprintf("2024/%02d/", g.between(1, 12)),
			"older_than": "720h",
		})
		return g.job(queueLow, "thumbnail:gc", p)
	case 1:
		return g.job(queueLow, "search:reindex", g.bytes(g.between(16, 64)))
	default:
		p := mustJSON(map[string]any{
			"metric": pick(g, "page_views", "signups", "api_calls"),
			"bucket": "1h",
		})
		return g.job(queueLow, "analytics:rollup", p)
	}
}
