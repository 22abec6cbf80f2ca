package sign

import (
	"math"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2026-11-28T14:17:19Z", want: time.Date(2026, 11, 28, 14, 17, 19, 0, time.UTC)},
		{in: "2016-02-23T12:46:24Z", want: time.Date(2016, 2, 23, 12, 46, 24, 0, time.UTC)},
		{in: "2026-11-28T14:17:19.000Z", want: time.Date(2026, 11, 28, 14, 17, 19, 0, time.UTC)},
		{in: "2026-11-28T14:17:19.5Z", want: time.Date(2026, 11, 28, 14, 17, 19, 500_000_000, time.UTC)},
		{in: "2026-11-28T14:17:19.123456789Z", want: time.Date(2026, 11, 28, 14, 17, 19, 123456789, time.UTC)},
		{in: "2024-02-29T00:00:00Z", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{in: "", wantErr: true},
		{in: "2026-11-28", wantErr: true},
		{in: "2026-11-28T14:17:19", wantErr: true},
		{in: "2026-11-28T14:17:19z", wantErr: true},
		{in: "2026-11-28 14:17:19Z", wantErr: true},
		{in: "2026-11-28T14:17:19+08:00", wantErr: true},
		{in: "2026-11-28T14:17:19.Z", wantErr: true},
		{in: "2026-11-28T14:17:19.1234567890Z", wantErr: true},
		{in: "2026-11-28T14:17:19,000Z", wantErr: true},
		{in: "2026-11-28T14:17:19.0a0Z", wantErr: true},
		{in: "2026-11-28T4:17:19Z", wantErr: true},
		{in: "2026-1-28T14:17:19Z", wantErr: true},
		{in: "2026-11-28T14:17:19ZZ", wantErr: true},
		{in: " 2026-11-28T14:17:19Z", wantErr: true},
		{in: "2026-13-28T14:17:19Z", wantErr: true},
		{in: "2023-02-29T14:17:19Z", wantErr: true},
		{in: "2026-11-28T24:00:00Z", wantErr: true},
		{in: "2026-11-28T14:60:19Z", wantErr: true},
		{in: "１２３４-11-28T14:17:19Z", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseTimestamp(tc.in)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseTimestamp(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTimestampRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 28, 14, 17, 19, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		ts := now.Add(time.Duration(i) * 7919 * time.Second)
		got, err := ParseTimestamp(ts.Format(TimestampLayout))
		if err != nil || !got.Equal(ts) {
			t.Fatalf("round trip of %v: %v, %v", ts, got, err)
		}
	}
}

func TestWithinWindow(t *testing.T) {
	now := time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	const w = 15 * time.Minute
	farFuture := time.Unix(math.MaxInt64/2, 0)
	tests := []struct {
		name   string
		ts     time.Time
		window time.Duration
		want   bool
	}{
		{"equal", now, w, true},
		{"past edge", now.Add(-w), w, true},
		{"future edge", now.Add(w), w, true},
		{"just too old", now.Add(-w - time.Nanosecond), w, false},
		{"just too new", now.Add(w + time.Nanosecond), w, false},
		{"other zone same instant", now.In(time.FixedZone("CST", 8*3600)), w, true},
		{"zero window equal", now, 0, true},
		{"zero window off", now.Add(time.Second), 0, false},
		{"negative window", now, -time.Second, false},
		{"zero time", time.Time{}, w, false},
		{"far future", farFuture, w, false},
		{"far future, max window", farFuture, time.Duration(math.MaxInt64), false},
		{"far past, max window", time.Time{}, time.Duration(math.MaxInt64), false},
		{"200 years, max window", now.AddDate(-200, 0, 0), time.Duration(math.MaxInt64), true},
	}
	for _, tc := range tests {
		if got := WithinWindow(tc.ts, now, tc.window); got != tc.want {
			t.Errorf("%s: WithinWindow = %v, want %v", tc.name, got, tc.want)
		}
	}
}
