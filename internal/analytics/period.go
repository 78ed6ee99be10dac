package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Problem is a bad parameter: the field and a message naming it.
type Problem struct {
	Field, Message string
}

// Period is the period a report covers: [From, To).
type Period struct {
	Key       string // 30d, 12m, all, custom
	From, To  time.Time
	FromInput string // the custom form's values, as typed
	ToInput   string
	Label     string
}

// allTimeStart is where "all time" begins; the months before the first
// with any figure are trimmed from the report.
var allTimeStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ParsePeriod reads a period: key 30d, 12m (the default), all, or custom
// with from and to (dates, to inclusive; given dates alone mean custom).
func ParsePeriod(key, fromInput, toInput string, now time.Time) (Period, []Problem) {
	var errs []Problem
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	tomorrow := today.AddDate(0, 0, 1)
	p := Period{Key: key, FromInput: fromInput, ToInput: toInput}
	if p.Key == "" {
		p.Key = "12m"
		if p.FromInput != "" || p.ToInput != "" {
			p.Key = "custom"
		}
	}
	switch p.Key {
	case "30d":
		p.From, p.To, p.Label = today.AddDate(0, 0, -29), tomorrow, "the last 30 days"
	case "12m":
		p.From, p.To, p.Label = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0), tomorrow, "the last 12 months"
	case "all":
		p.From, p.To, p.Label = allTimeStart, tomorrow, "all time"
	case "custom":
		from, err := time.Parse(time.DateOnly, strings.TrimSpace(p.FromInput))
		if err != nil {
			errs = append(errs, Problem{"from", "From: enter a date such as 2026-01-31."})
		}
		to, err := time.Parse(time.DateOnly, strings.TrimSpace(p.ToInput))
		if err != nil {
			errs = append(errs, Problem{"to", "To: enter a date such as 2026-12-31."})
		}
		if len(errs) > 0 {
			break
		}
		switch {
		case to.Before(from):
			errs = append(errs, Problem{"to", "To must be on or after From."})
		case from.Before(allTimeStart):
			errs = append(errs, Problem{"from", "From must be in the year 2000 or later."})
		case to.Sub(from) > 30*366*24*time.Hour:
			errs = append(errs, Problem{"to", "The period can be at most 30 years long."})
		}
		p.From, p.To = from, to.AddDate(0, 0, 1)
		p.Label = fmt.Sprintf("%s to %s", from.Format("2 January 2006"), to.Format("2 January 2006"))
	default:
		errs = append(errs, Problem{"period", "Period: choose one of the listed periods."})
	}
	if len(errs) > 0 {
		// Show the default period rather than nothing.
		p.From, p.To = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0), tomorrow
		p.Label = "the last 12 months"
		if p.Key != "custom" {
			p.Key = "12m"
		}
	}
	return p, errs
}
