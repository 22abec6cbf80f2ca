package snapshot

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

var cst = time.FixedZone("UTC+08:00", 8*3600)

// local is a wall-clock time in cn-hangzhou during the week of t0 (Monday 3 June 2024).
func local(day, hour, minute int) time.Time {
	return time.Date(2024, 6, 3+day, hour, minute, 0, 0, cst)
}

func TestPolicyParametersFollowTheGuide(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name   string
		in     PolicyInput
		code   string
		status int
	}{
		{"no time points", PolicyInput{RepeatWeekdays: `["1"]`}, "MissingParameter", http.StatusBadRequest},
		{"no weekdays", PolicyInput{TimePoints: `["1"]`}, "MissingParameter", http.StatusBadRequest},
		{"hour 24", PolicyInput{TimePoints: `["24"]`, RepeatWeekdays: `["1"]`}, "InvalidParameter", http.StatusBadRequest},
		{"hour -1", PolicyInput{TimePoints: `[-1]`, RepeatWeekdays: `["1"]`}, "InvalidParameter", http.StatusBadRequest},
		{"not JSON", PolicyInput{TimePoints: `1,2`, RepeatWeekdays: `["1"]`}, "InvalidParameter", http.StatusBadRequest},
		{"an empty array", PolicyInput{TimePoints: `[]`, RepeatWeekdays: `["1"]`}, "InvalidParameter", http.StatusBadRequest},
		{"weekday 0", PolicyInput{TimePoints: `["1"]`, RepeatWeekdays: `["0"]`}, "InvalidParameter", http.StatusBadRequest},
		{"weekday 8", PolicyInput{TimePoints: `["1"]`, RepeatWeekdays: `["8"]`}, "InvalidParameter", http.StatusBadRequest},
		{"retention 0", PolicyInput{TimePoints: `["1"]`, RepeatWeekdays: `["1"]`, RetentionDays: ptr(0)}, "InvalidParameter", http.StatusBadRequest},
		{"retention -2", PolicyInput{TimePoints: `["1"]`, RepeatWeekdays: `["1"]`, RetentionDays: ptr(-2)}, "InvalidParameter", http.StatusBadRequest},
		{"retention 65537", PolicyInput{TimePoints: `["1"]`, RepeatWeekdays: `["1"]`, RetentionDays: ptr(65537)}, "InvalidParameter", http.StatusBadRequest},
		{"a name starting with a digit", PolicyInput{Name: "1x", TimePoints: `["1"]`, RepeatWeekdays: `["1"]`}, "InvalidAutoSnapshotPolicyName.Malformed", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.CreatePolicy(t.Context(), alice, c.in)
			wantAPIError(t, err, c.code, c.status)
		})
	}
	id, err := f.svc.CreatePolicy(t.Context(), alice, PolicyInput{Name: "nightly", TimePoints: `[ "0" , "11 " , "21 ", 11 ]`,
		RepeatWeekdays: `["7","1","2"]`, RetentionDays: ptr(65536)})
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.svc.DescribePolicies(t.Context(), alice, PolicyQuery{PolicyIDs: id})
	if err != nil || len(page.Policies) != 1 {
		t.Fatalf("DescribePolicies = %+v, %v", page, err)
	}
	p := page.Policies[0]
	if FormatNumbers(p.TimePoints) != `["0","11","21"]` || FormatNumbers(p.RepeatWeekdays) != `["1","2","7"]` || p.RetentionDays != 65536 {
		t.Errorf("stored as %v %v %d", p.TimePoints, p.RepeatWeekdays, p.RetentionDays)
	}
	forever, err := f.svc.CreatePolicy(t.Context(), alice, PolicyInput{TimePoints: `[1]`, RepeatWeekdays: `[1]`})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = f.svc.DescribePolicies(t.Context(), alice, PolicyQuery{PolicyIDs: fmt.Sprintf(`["%s"]`, forever)})
	if page.Policies[0].RetentionDays != RetentionForever {
		t.Errorf("default retention %d, want -1", page.Policies[0].RetentionDays)
	}
	f.svc.deps.Limits.PoliciesPerRegion = 2
	_, err = f.svc.CreatePolicy(t.Context(), alice, PolicyInput{TimePoints: `[1]`, RepeatWeekdays: `[1]`})
	wantAPIError(t, err, "QuotaExceed.AutoSnapshotPolicy", http.StatusForbidden)

	wantAPIError(t, f.svc.ModifyPolicy(t.Context(), alice, PolicyInput{PolicyID: "p-nope", Name: "x1"}), "InvalidAutoSnapshotPolicyId.NotFound", http.StatusNotFound)
	wantAPIError(t, f.svc.ModifyPolicy(t.Context(), alice, PolicyInput{PolicyID: id, TimePoints: `["25"]`}), "InvalidParameter", http.StatusBadRequest)
	if err := f.svc.ModifyPolicy(t.Context(), alice, PolicyInput{PolicyID: id, TimePoints: `["3"]`, RetentionDays: ptr(-1)}); err != nil {
		t.Fatal(err)
	}
	page, _ = f.svc.DescribePolicies(t.Context(), alice, PolicyQuery{PolicyIDs: id})
	if p = page.Policies[0]; p.Name != "nightly" || FormatNumbers(p.TimePoints) != `["3"]` || FormatNumbers(p.RepeatWeekdays) != `["1","2","7"]` || p.RetentionDays != -1 {
		t.Errorf("after modify: %+v (name and weekdays unchanged)", p)
	}

	wantAPIError(t, f.svc.ApplyPolicy(t.Context(), alice, id, ""), "MissingParameter", http.StatusBadRequest)
	wantAPIError(t, f.svc.ApplyPolicy(t.Context(), alice, id, `["d-data","d-nope"]`), "InvalidDiskId.NotFound", http.StatusNotFound)
	wantAPIError(t, f.svc.ApplyPolicy(t.Context(), alice, "p-nope", `["d-data"]`), "InvalidAutoSnapshotPolicyId.NotFound", http.StatusNotFound)
	if err := f.svc.ApplyPolicy(t.Context(), alice, id, `["d-data","d-sys"]`); err != nil {
		t.Fatal(err)
	}
	if d := f.disk("d-data"); !d.EnableAutoSnapshot {
		t.Error("an applied policy leaves EnableAutoSnapshot off")
	}
	if err := f.svc.ApplyPolicy(t.Context(), alice, forever, `["d-sys"]`); err != nil { // switches d-sys
		t.Fatal(err)
	}
	page, _ = f.svc.DescribePolicies(t.Context(), alice, PolicyQuery{})
	nums := map[string]int{}
	for _, p := range page.Policies {
		nums[p.ID] = p.DiskNums
	}
	if nums[id] != 1 || nums[forever] != 1 || page.TotalCount != 2 {
		t.Errorf("DiskNums %v of %d policies", nums, page.TotalCount)
	}
	if err := f.svc.CancelPolicy(t.Context(), alice, `["d-sys"]`); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeletePolicy(t.Context(), alice, id); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"d-data", "d-sys"} {
		if f.disk(d).EnableAutoSnapshot {
			t.Errorf("%s still executes a policy", d)
		}
	}
	wantAPIError(t, f.svc.DeletePolicy(t.Context(), alice, id), "InvalidAutoSnapshotPolicyId.NotFound", http.StatusNotFound)
}

func TestSlotsAreTheLocalHoursOfThePolicysWeekdays(t *testing.T) {
	p := store.AutoSnapshotPolicy{TimePoints: []int{1, 13}, RepeatWeekdays: []int{1, 3, 7}}
	for _, c := range []struct {
		now, latest, next time.Time
	}{
		{local(0, 0, 30), local(-1, 13, 0), local(0, 1, 0)}, // Monday 00:30: Sunday 13:00, then Monday 01:00
		{local(0, 1, 0), local(0, 1, 0), local(0, 13, 0)},
		{local(0, 14, 0), local(0, 13, 0), local(2, 1, 0)}, // then Wednesday
		{local(3, 12, 0), local(2, 13, 0), local(6, 1, 0)}, // Thursday: Wednesday's, then Sunday's
	} {
		if got := latestSlot(p, cst, c.now.UTC()); !got.Equal(c.latest) {
			t.Errorf("latest slot at %v = %v, want %v", c.now, got.In(cst), c.latest)
		}
		if got := nextSlot(p, cst, c.now.UTC()); !got.Equal(c.next) {
			t.Errorf("next slot after %v = %v, want %v", c.now, got.In(cst), c.next)
		}
	}
}

// TestAPolicyRunsForAWeekAcrossRestartsWithoutDoubleOrStaleSnapshots drives
// the scheduler for one simulated week with a policy at 01:00 and 13:00 on
// Monday, Wednesday and Friday, keeping automatic snapshots three days. ecsd
// restarts right after a snapshot (Monday 01:20: nothing fires twice), is down
// across Wednesday 13:00 and back 40 minutes later (the slot fires late), and
// down across Friday 01:00 for two hours (the stale slot is skipped).
func TestAPolicyRunsForAWeekAcrossRestartsWithoutDoubleOrStaleSnapshots(t *testing.T) {
	f := newFixture(t)
	id, err := f.svc.CreatePolicy(t.Context(), alice, PolicyInput{Name: "weekly", TimePoints: `["1","13"]`,
		RepeatWeekdays: `["1","3","5"]`, RetentionDays: ptr(3)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ApplyPolicy(t.Context(), alice, id, `["d-data"]`); err != nil {
		t.Fatal(err)
	}
	down := []struct{ from, to time.Time }{
		{local(0, 1, 20), local(0, 1, 20)}, // a restart with no downtime
		{local(2, 12, 30), local(2, 13, 40)},
		{local(4, 0, 30), local(4, 3, 0)},
	}
	created := map[string]time.Time{} // snapshot ID → when it was taken
	seen := func() {
		var list []store.Snapshot
		_ = f.st.View(t.Context(), func(tx store.Tx) error {
			list, _, _ = tx.ListSnapshots(store.SnapshotFilter{AccountID: 1, Types: []string{store.SnapshotTypeAuto}})
			return nil
		})
		for _, sn := range list {
			if _, ok := created[sn.ID]; !ok {
				created[sn.ID] = sn.CreatedAt
			}
		}
	}
	end := local(7, 0, 0)
	for now := f.clk.Now(); now.Before(end); now = now.Add(10 * time.Minute) {
		restarted := false
		for _, d := range down {
			if !now.Before(d.from) && now.Before(d.from.Add(10*time.Minute)) {
				now = d.to
				f.restart()
				restarted = true
			}
		}
		f.clk.Set(now)
		if _, err := f.svc.Tick(t.Context()); err != nil {
			t.Fatalf("tick at %v: %v", now.In(cst), err)
		}
		if restarted {
			if _, err := f.svc.Tick(t.Context()); err != nil { // a second pass in the same slot takes nothing
				t.Fatal(err)
			}
		}
		f.finish()
		f.clk.Set(now)
		seen()
	}
	var taken []string
	for _, at := range created {
		taken = append(taken, at.In(cst).Format("Mon 15:04"))
	}
	sort.Slice(taken, func(i, j int) bool { return order(taken[i]) < order(taken[j]) })
	want := []string{"Mon 01:00", "Mon 13:00", "Wed 01:00", "Wed 13:40", "Fri 13:00"}
	if !slices.Equal(taken, want) {
		t.Errorf("snapshots taken during the week: %v\nwant %v", taken, want)
	}
	var left []store.Snapshot
	_ = f.st.View(t.Context(), func(tx store.Tx) error {
		left, _, _ = tx.ListSnapshots(store.SnapshotFilter{AccountID: 1})
		return nil
	})
	if len(left) != 1 || left[0].CreatedAt.In(cst).Format("Mon 15:04") != "Fri 13:00" || left[0].Name != "auto_20240607_2" ||
		left[0].Status != store.SnapshotAccomplished || left[0].RetentionDays != 3 || left[0].PolicyID != id {
		t.Errorf("snapshots left on Sunday night: %+v; want only Friday 13:00's (the others are past their 3 days)", left)
	}
}

// order sorts "Mon 15:04" labels within one week.
func order(label string) string {
	days := map[string]string{"Mon": "1", "Tue": "2", "Wed": "3", "Thu": "4", "Fri": "5", "Sat": "6", "Sun": "7"}
	return days[label[:3]] + label[3:]
}

func TestASlotFiresOnceEvenWhenTwoPassesRace(t *testing.T) {
	f := newFixture(t)
	id, _ := f.svc.CreatePolicy(t.Context(), alice, PolicyInput{TimePoints: `["1"]`, RepeatWeekdays: `["1"]`})
	if err := f.svc.ApplyPolicy(t.Context(), alice, id, `["d-data"]`); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(local(0, 1, 5))
	other := *f.svc // a second node's scheduler on the same store
	other.sched = newScheduler(&other)
	for _, s := range []*Service{f.svc, &other, f.svc} {
		if _, err := s.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	_ = f.st.View(t.Context(), func(tx store.Tx) error {
		_, n, _ = tx.ListSnapshots(store.SnapshotFilter{AccountID: 1})
		return nil
	})
	if n != 1 {
		t.Errorf("%d snapshots for one slot", n)
	}
}

func TestAPolicyMakesRoomByDeletingTheOldestAutomaticSnapshot(t *testing.T) {
	f := newFixture(t)
	f.svc.deps.Limits.SnapshotsPerDisk = 2
	user := f.take("d-data")
	id, _ := f.svc.CreatePolicy(t.Context(), alice, PolicyInput{TimePoints: `["1","2","3"]`, RepeatWeekdays: `["1"]`})
	if err := f.svc.ApplyPolicy(t.Context(), alice, id, `["d-data"]`); err != nil {
		t.Fatal(err)
	}
	for h := 1; h <= 3; h++ {
		f.clk.Set(local(0, h, 0))
		if _, err := f.svc.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
		f.finish()
	}
	var names []string
	_ = f.st.View(t.Context(), func(tx store.Tx) error {
		list, _, _ := tx.ListSnapshots(store.SnapshotFilter{AccountID: 1})
		for _, sn := range list {
			names = append(names, sn.Name)
		}
		return nil
	})
	if fmt.Sprint(names) != "[auto_20240603_3 ]" {
		t.Errorf("snapshots %q; want the newest automatic one and the user one %s", names, user)
	}
}
