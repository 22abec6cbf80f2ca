package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// Limits of automatic snapshot policies (1.8.7–1.8.12).
const (
	// RetentionForever is RetentionDays' "keep until deleted" (the default).
	RetentionForever = -1
	// MaxPolicyDisks is how many disks one ApplyAutoSnapshotPolicy or
	// CancelAutoSnapshotPolicy may name (the guide's "最多 X 个").
	MaxPolicyDisks = 1000
	MaxPolicyPage  = 50
	maxPolicyIDs   = 100
)

// PolicyStatus is every policy's Status: Alibaba Cloud's Normal, which
// Terraform waits for (the guide's AutoSnapshotPolicyType says Available).
const PolicyStatus = "Normal"

// ParseHours reads TimePoints: a JSON array of 1 to 24 hours 0–23, as strings
// ("1", " 11 ") or numbers; repeats fold. The answer is ascending.
func ParseHours(raw string) ([]int, error) {
	return parseNumbers(raw, "TimePoints", 0, 23)
}

// ParseWeekdays reads RepeatWeekdays: a JSON array of 1 to 7 days, 1 (Monday)
// to 7 (Sunday).
func ParseWeekdays(raw string) ([]int, error) {
	return parseNumbers(raw, "RepeatWeekdays", 1, 7)
}

func parseNumbers(raw, name string, lo, hi int) ([]int, error) {
	var items []any
	if err := json.Unmarshal([]byte(raw), &items); err != nil || len(items) == 0 || len(items) > hi-lo+1 {
		return nil, apierr.InvalidParameter(name)
	}
	var out []int
	for _, it := range items {
		var n int
		switch v := it.(type) {
		case string:
			var err error
			if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
				return nil, apierr.InvalidParameter(name)
			}
		case float64:
			if v != float64(int(v)) {
				return nil, apierr.InvalidParameter(name)
			}
			n = int(v)
		default:
			return nil, apierr.InvalidParameter(name)
		}
		if n < lo || n > hi {
			return nil, apierr.InvalidParameter(name)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// FormatNumbers renders hours or weekdays as the API shows them: ["0","13"].
func FormatNumbers(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Quote(strconv.Itoa(n))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// checkRetention checks RetentionDays: -1 or 1–65536.
func checkRetention(days int) error {
	if days != RetentionForever && (days < 1 || days > MaxRetentionDays) {
		return apierr.InvalidParameter("RetentionDays")
	}
	return nil
}

// PolicyInput are the parameters of CreateAutoSnapshotPolicy (1.8.7) and
// ModifyAutoSnapshotPolicyEx (1.8.9). For Modify, empty strings and nil keep a
// value.
type PolicyInput struct {
	PolicyID       string
	Name           string
	TimePoints     string
	RepeatWeekdays string
	// RetentionDays is -1 (forever, Create's default) or 1–65536.
	RetentionDays *int
	ClientToken   string
}

// policyCreated is what a CreateAutoSnapshotPolicy call records for its ClientToken.
type policyCreated struct {
	PolicyID string
}

// CreatePolicy creates an automatic snapshot policy and returns its ID (p-…).
func (s *Service) CreatePolicy(ctx context.Context, c Caller, in PolicyInput) (string, error) {
	if in.Name != "" && !validName(in.Name) {
		return "", errPolicyNameMalformed()
	}
	if in.TimePoints == "" {
		return "", apierr.MissingParameter("TimePoints")
	}
	if in.RepeatWeekdays == "" {
		return "", apierr.MissingParameter("RepeatWeekdays")
	}
	hours, err := ParseHours(in.TimePoints)
	if err != nil {
		return "", err
	}
	days, err := ParseWeekdays(in.RepeatWeekdays)
	if err != nil {
		return "", err
	}
	retention := RetentionForever
	if in.RetentionDays != nil {
		retention = *in.RetentionDays
	}
	if err := checkRetention(retention); err != nil {
		return "", err
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return "", err
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "CreateAutoSnapshotPolicy", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var out policyCreated
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (policyCreated, error) {
			_, n, err := tx.ListAutoSnapshotPolicies(store.AutoSnapshotPolicyFilter{AccountID: c.AccountID, RegionID: c.RegionID,
				Page: store.Page{Number: 1, Size: 1}})
			if err != nil {
				return policyCreated{}, fmt.Errorf("count policies: %w", err)
			}
			if n >= s.deps.Limits.PoliciesPerRegion {
				return policyCreated{}, errPolicyQuota()
			}
			p := store.AutoSnapshotPolicy{ID: s.deps.IDs.NewID("p", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
				Name: in.Name, TimePoints: hours, RepeatWeekdays: days, RetentionDays: retention, CreatedAt: now}
			if err := tx.CreateAutoSnapshotPolicy(p); err != nil {
				return policyCreated{}, fmt.Errorf("create policy: %w", err)
			}
			return policyCreated{PolicyID: p.ID}, nil
		})
		return err
	})
	if err != nil {
		return "", err
	}
	s.sched.wake()
	return out.PolicyID, nil
}

// ModifyPolicy changes a policy (ModifyAutoSnapshotPolicyEx); the disks that
// execute it follow the new schedule at once. A new RetentionDays applies to
// the automatic snapshots the policy has already taken, too.
func (s *Service) ModifyPolicy(ctx context.Context, c Caller, in PolicyInput) error {
	if in.PolicyID == "" {
		return apierr.MissingParameter("AutoSnapshotPolicyId")
	}
	if in.Name != "" && !validName(in.Name) {
		return errPolicyNameMalformed()
	}
	var hours, days []int
	var err error
	if in.TimePoints != "" {
		if hours, err = ParseHours(in.TimePoints); err != nil {
			return err
		}
	}
	if in.RepeatWeekdays != "" {
		if days, err = ParseWeekdays(in.RepeatWeekdays); err != nil {
			return err
		}
	}
	if in.RetentionDays != nil {
		if err := checkRetention(*in.RetentionDays); err != nil {
			return err
		}
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return err
	}
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, c, in.PolicyID)
		if err != nil {
			return err
		}
		if in.Name != "" {
			p.Name = in.Name
		}
		if hours != nil {
			p.TimePoints = hours
		}
		if days != nil {
			p.RepeatWeekdays = days
		}
		if in.RetentionDays != nil && *in.RetentionDays != p.RetentionDays {
			p.RetentionDays = *in.RetentionDays
			if err := tx.SetPolicySnapshotsRetention(c.AccountID, p.ID, max(p.RetentionDays, 0)); err != nil {
				return err
			}
		}
		return tx.UpdateAutoSnapshotPolicy(p)
	})
	if err == nil {
		s.sched.wake()
	}
	return err
}

// DeletePolicy deletes a policy (DeleteAutoSnapshotPolicy); the disks that
// executed it stop (their EnableAutoSnapshot becomes false). The automatic
// snapshots it took stay, with their retention.
func (s *Service) DeletePolicy(ctx context.Context, c Caller, id string) error {
	if id == "" {
		return apierr.MissingParameter("AutoSnapshotPolicyId")
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getPolicy(tx, c, id); err != nil {
			return err
		}
		bindings, err := tx.ListDiskPolicies(id, "", 0)
		if err != nil {
			return err
		}
		for _, b := range bindings {
			if b.AccountID == c.AccountID {
				if err := setAutoSnapshot(tx, c.AccountID, b.DiskID, false); err != nil {
					return err
				}
			}
		}
		return tx.DeleteAutoSnapshotPolicy(c.AccountID, id)
	})
}

// PolicyQuery are the filters and page of DescribeAutoSnapshotPolicyEx (1.8.10).
type PolicyQuery struct {
	// PolicyIDs is one ID or a JSON array of IDs; empty lists every policy.
	PolicyIDs            string
	Name                 string
	PageNumber, PageSize int
}

// PolicyView is a policy with the number of disks executing it.
type PolicyView struct {
	store.AutoSnapshotPolicy
	DiskNums int
}

// PolicyPage is one page of policies.
type PolicyPage struct {
	Policies                         []PolicyView
	TotalCount, PageNumber, PageSize int
}

// DescribePolicies lists the caller's policies in the region, newest first.
func (s *Service) DescribePolicies(ctx context.Context, c Caller, q PolicyQuery) (PolicyPage, error) {
	out := PolicyPage{Policies: []PolicyView{}, PageNumber: max(q.PageNumber, 1), PageSize: q.PageSize}
	if out.PageSize == 0 {
		out.PageSize = DefaultPageSize
	}
	if q.PageNumber < 0 {
		return PolicyPage{}, apierr.InvalidParameter("PageNumber")
	}
	if out.PageSize < 1 || out.PageSize > MaxPolicyPage {
		return PolicyPage{}, apierr.InvalidParameter("PageSize")
	}
	f := store.AutoSnapshotPolicyFilter{AccountID: c.AccountID, RegionID: c.RegionID, Name: q.Name,
		Page: store.Page{Number: out.PageNumber, Size: out.PageSize}}
	if raw := strings.TrimSpace(q.PolicyIDs); strings.HasPrefix(raw, "[") {
		f.IDs = []string{}
		if err := json.Unmarshal([]byte(raw), &f.IDs); err != nil || len(f.IDs) > maxPolicyIDs {
			return PolicyPage{}, apierr.InvalidParameter("AutoSnapshotPolicyId")
		}
		if len(f.IDs) == 0 {
			return out, nil
		}
	} else if raw != "" {
		f.IDs = []string{raw}
	}
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		list, total, err := tx.ListAutoSnapshotPolicies(f)
		if err != nil {
			return err
		}
		ids := make([]string, len(list))
		for i, p := range list {
			ids[i] = p.ID
		}
		counts, err := tx.CountPolicyDisks(c.AccountID, ids)
		if err != nil {
			return err
		}
		out.TotalCount = total
		for _, p := range list {
			out.Policies = append(out.Policies, PolicyView{AutoSnapshotPolicy: p, DiskNums: counts[p.ID]})
		}
		return nil
	})
	if err != nil {
		return PolicyPage{}, fmt.Errorf("describe policies: %w", err)
	}
	return out, nil
}

// ApplyPolicy makes disks execute a policy (ApplyAutoSnapshotPolicy, 1.8.11): a
// disk that executed another one switches to it. A disk starts with the first
// time point after the call; its EnableAutoSnapshot becomes true.
func (s *Service) ApplyPolicy(ctx context.Context, c Caller, policyID, diskIDs string) error {
	if policyID == "" {
		return apierr.MissingParameter("AutoSnapshotPolicyId")
	}
	ids, err := parsePolicyDisks(diskIDs)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getPolicy(tx, c, policyID); err != nil {
			return err
		}
		for _, id := range ids {
			d, err := getDisk(tx, c, id, ErrDiskNotFound())
			if err != nil {
				return err
			}
			if d.Category == localCategory {
				return errCategoryNotSupported()
			}
			b := store.DiskPolicy{DiskID: d.ID, AccountID: c.AccountID, RegionID: c.RegionID, PolicyID: policyID, AppliedAt: now}
			if old, err := tx.GetDiskPolicy(c.AccountID, d.ID); err == nil {
				b.LastSlot = old.LastSlot
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := tx.PutDiskPolicy(b); err != nil {
				return err
			}
			if err := setAutoSnapshot(tx, c.AccountID, d.ID, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.sched.wake()
	}
	return err
}

// CancelPolicy makes disks stop executing their policies (CancelAutoSnapshotPolicy, 1.8.12).
func (s *Service) CancelPolicy(ctx context.Context, c Caller, diskIDs string) error {
	ids, err := parsePolicyDisks(diskIDs)
	if err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			d, err := getDisk(tx, c, id, ErrDiskNotFound())
			if err != nil {
				return err
			}
			if err := tx.DeleteDiskPolicy(c.AccountID, d.ID); err != nil {
				return err
			}
			if err := setAutoSnapshot(tx, c.AccountID, d.ID, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// parsePolicyDisks reads DiskIds: a JSON array of 1 to MaxPolicyDisks IDs.
func parsePolicyDisks(raw string) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, apierr.MissingParameter("DiskIds")
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) == 0 || len(ids) > MaxPolicyDisks {
		return nil, apierr.InvalidParameter("DiskIds")
	}
	return ids, nil
}

// setAutoSnapshot sets a disk's EnableAutoSnapshot.
func setAutoSnapshot(tx store.Tx, accountID int64, diskID string, on bool) error {
	d, err := tx.GetDisk(accountID, diskID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.EnableAutoSnapshot == on {
		return nil
	}
	d.EnableAutoSnapshot = on
	return tx.UpdateDisk(d)
}

// getPolicy returns the caller's policy in the region, or ErrPolicyNotFound.
func getPolicy(tx store.Tx, c Caller, id string) (store.AutoSnapshotPolicy, error) {
	p, err := tx.GetAutoSnapshotPolicy(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.RegionID != c.RegionID) {
		return store.AutoSnapshotPolicy{}, ErrPolicyNotFound()
	}
	if err != nil {
		return store.AutoSnapshotPolicy{}, fmt.Errorf("policy %s: %w", id, err)
	}
	return p, nil
}
