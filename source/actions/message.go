package actions

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/model/text"
)

// shownSkips is how many skipped tasks a message names before summing up the rest.
const shownSkips = 3

// showQueue, showID and showState make untrusted names safe and short for a message.
func showQueue(q string) string { return text.Truncate(q, 40) }

func showID(id string) string { return text.TruncateMiddle(id, 36) }

func showState(s model.State) string { return text.Truncate(string(s), 20) }

// commas writes n with thousands separators: 100000 -> "100,000".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// nowText says what became of a selected task that was not moved, from the state its
// record is in now or the problem found.
func nowText(why string) string {
	switch why {
	case "missing":
		return "no longer exists (deleted, or expired after completing)"
	case "nostate", "wrongtype":
		return "has a damaged record (open it in the task view)"
	case "unlisted":
		return "is not listed where its record says (inconsistent record)"
	case "active":
		return "is now active (being processed)"
	case "pending":
		return "is now pending (requeued meanwhile)"
	case "retry":
		return "is now waiting to retry"
	case "scheduled", "archived", "completed", "aggregating":
		return "is now " + why
	}
	return fmt.Sprintf("is in an unknown state %q", text.Truncate(why, 20))
}

// listedText says why a task listed in a state was left alone by a bulk move: the list
// and the move were one atomic step, so its record disagrees with the list.
func listedText(why string) string {
	switch why {
	case "missing":
		return "no task record (dangling ID)"
	case "nostate", "wrongtype":
		return "a damaged record"
	}
	return "a record saying " + text.Truncate(why, 20)
}

// selectedMessage sums up a move of selected tasks, naming the first few skipped ones:
// "queue emails: 1 requeued; 1 skipped: task abc is now active (being processed)".
func selectedMessage(m *mover, q string, done int, skipped []skip, dropped int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "queue %s: ", showQueue(q))
	if done == 0 {
		fmt.Fprintf(&b, "nothing %s", m.verb)
	} else {
		fmt.Fprintf(&b, "%s %s", commas(done), m.verb)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "; %s skipped: ", commas(len(skipped)))
		for i, sk := range skipped[:min(shownSkips, len(skipped))] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "task %s %s", showID(sk.id), nowText(sk.why))
		}
		if rest := len(skipped) - shownSkips; rest > 0 {
			fmt.Fprintf(&b, ", and %s more", commas(rest))
		}
	}
	b.WriteString(droppedText(dropped))
	return b.String()
}

func droppedText(dropped int) string {
	if dropped == 0 {
		return ""
	}
	return fmt.Sprintf("; asynq's archive limits (%s tasks, %d days) permanently dropped "+
		"the %s oldest archived %s", commas(archiveKeep), archiveDays, commas(dropped),
		plural(dropped, "task", "tasks"))
}

// bulkMessage sums up a finished bulk move:
// "queue emails: 100,000 archived tasks requeued in 1.2 s".
func bulkMessage(d *drain) string {
	var b strings.Builder
	fmt.Fprintf(&b, "queue %s: %s %s %s %s in %s", showQueue(d.q), commas(d.moved),
		showState(d.s), plural(d.moved, "task", "tasks"), d.m.verb, seconds(time.Since(d.began)))
	if len(d.skipped) > 0 {
		fmt.Fprintf(&b, "; %s left in place with %s", commas(len(d.skipped)),
			groupedSkips(d.skipped))
	}
	if gone := d.total - d.handled(); gone > 0 {
		fmt.Fprintf(&b, "; %s had already left %s (processed or moved by others)",
			commas(gone), showState(d.s))
	}
	if d.s == model.Pending && len(d.skipped) >= maxStuck {
		b.WriteString("; stopped: too many inconsistent records at the head of the list")
	}
	if d.arrived > 0 {
		fmt.Fprintf(&b, "; %s more arrived after you confirmed and were left alone",
			commas(d.arrived))
	}
	b.WriteString(droppedText(d.dropped))
	return b.String()
}

// groupedSkips counts skipped tasks by reason, most common first.
func groupedSkips(skipped map[string]string) string {
	counts := map[string]int{}
	for _, why := range skipped {
		counts[listedText(why)]++
	}
	reasons := make([]string, 0, len(counts))
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if counts[reasons[i]] != counts[reasons[j]] {
			return counts[reasons[i]] > counts[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s %s", commas(counts[r]), r)
	}
	return strings.Join(parts, ", ")
}

// stoppedMessage tells what a cancelled move did and what is left.
func stoppedMessage(m *mover, q string, s model.State, done, total int) string {
	return fmt.Sprintf("queue %s: stopped by the operator after %s of %s %s tasks were %s; "+
		"the rest were not touched", showQueue(q), commas(done), commas(total), showState(s),
		m.verb)
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
