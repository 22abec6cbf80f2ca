package disk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// pageIDs returns the IDs of a page.
func pageIDs(res ListResult) []string {
	out := []string{}
	for _, v := range res.Disks {
		out = append(out, v.Disk.ID)
	}
	return out
}

func (e *env) list(t *testing.T, c Caller, q ListQuery) ListResult {
	t.Helper()
	res, err := e.svc.List(t.Context(), c, q)
	if err != nil {
		t.Fatalf("List(%+v): %v", q, err)
	}
	return res
}

func TestParseDiskIDsTakesAJSONArrayOfAtMost100(t *testing.T) {
	if got, err := ParseDiskIDs(""); got != nil || err != nil {
		t.Errorf(`ParseDiskIDs("") = %v, %v; want no filter`, got, err)
	}
	if got, err := ParseDiskIDs("[]"); got == nil || len(got) != 0 || err != nil {
		t.Errorf(`ParseDiskIDs("[]") = %#v, %v; want an empty filter`, got, err)
	}
	if got, err := ParseDiskIDs(`["d-1","d-2"]`); !slices.Equal(got, []string{"d-1", "d-2"}) || err != nil {
		t.Errorf("ParseDiskIDs = %v, %v", got, err)
	}
	many := `["d-0"` + strings.Repeat(`,"d-x"`, 100) + `]`
	for _, raw := range []string{"d-1", `["d-1"`, `[1]`, many} {
		_, err := ParseDiskIDs(raw)
		wantCode(t, raw[:min(len(raw), 12)], err, "InvalidDiskIds.Malformed", 403)
	}
}

// listFixture makes, newest last: a locked Running instance i-1 (system disk
// d-sys-i-1, efficiency, 40 GiB), a data disk attached to it, and Available disks
// of several kinds; bob has one disk of his own.
func listFixture(t *testing.T, e *env) (attached string, loose []string) {
	t.Helper()
	e.instance(t, "i-1", func(in *store.Instance) { in.OperationLocks = "security" })
	e.clk.Advance(time.Minute)
	attached = e.createDisk(t, alice, CreateInput{Name: "attached"})
	if err := e.svc.Attach(t.Context(), alice, AttachInput{InstanceID: "i-1", DiskID: attached}); err == nil {
		t.Fatal("attach to a locked instance succeeded")
	}
	e.update(t, func(tx store.Tx) error { // attach behind the lock's back
		d, _ := tx.GetDisk(1, attached)
		d.Status, d.InstanceID, d.Device, d.AttachedAt = StatusInUse, "i-1", "/dev/xvdb", e.clk.Now()
		return tx.UpdateDisk(d)
	})
	for _, in := range []CreateInput{
		{Name: "ssd", Category: CategorySSD},
		{Name: "other-zone", ZoneID: otherZone},
		{Name: "encrypted", Encrypted: true},
	} {
		e.clk.Advance(time.Minute)
		loose = append(loose, e.createDisk(t, alice, in))
	}
	e.createDisk(t, bob, CreateInput{Name: "bobs"})
	return attached, loose
}

func TestDescribeDisksFiltersAreANDedAndScopedToTheCaller(t *testing.T) {
	e := newEnv(t)
	attached, loose := listFixture(t, e)
	ssd, otherZ, enc := loose[0], loose[1], loose[2]
	yes, no := ptr(true), ptr(false)
	for _, c := range []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"everything, newest first", ListQuery{}, []string{enc, otherZ, ssd, attached, "d-sys-i-1"}},
		{"DiskIds", ListQuery{IDs: []string{ssd, attached, "d-unknown"}}, []string{ssd, attached}},
		{"DiskIds=[]", ListQuery{IDs: []string{}}, []string{}},
		{"zone", ListQuery{ZoneID: otherZone}, []string{otherZ}},
		{"instance and system (Terraform)", ListQuery{InstanceID: "i-1", DiskType: "system"}, []string{"d-sys-i-1"}},
		{"instance", ListQuery{InstanceID: "i-1"}, []string{attached, "d-sys-i-1"}},
		{"data", ListQuery{DiskType: "DATA"}, []string{enc, otherZ, ssd, attached}},
		{"all types", ListQuery{DiskType: "all"}, []string{enc, otherZ, ssd, attached, "d-sys-i-1"}},
		{"category", ListQuery{Category: CategorySSD}, []string{ssd}},
		{"category all", ListQuery{Category: "all", Status: "All"}, []string{enc, otherZ, ssd, attached, "d-sys-i-1"}},
		{"status In_use", ListQuery{Status: "In_use"}, []string{attached, "d-sys-i-1"}},
		{"status available, any case", ListQuery{Status: "available"}, []string{enc, otherZ, ssd}},
		{"name", ListQuery{Name: "ssd"}, []string{ssd}},
		{"snapshot", ListQuery{SnapshotID: "s-1"}, []string{}},
		{"not portable", ListQuery{Portable: no}, []string{"d-sys-i-1"}},
		{"deleted with instance", ListQuery{DeleteWithInstance: yes}, []string{"d-sys-i-1"}},
		{"auto snapshots kept", ListQuery{DeleteAutoSnapshot: no}, []string{}},
		{"auto snapshot policy off", ListQuery{EnableAutoSnapshot: no, Category: CategoryCloud}, []string{enc, otherZ, attached}},
		{"encrypted", ListQuery{Encrypted: yes}, []string{enc}},
		{"post-paid", ListQuery{DiskChargeType: "PostPaid", DiskType: "system"}, []string{"d-sys-i-1"}},
		{"pre-paid", ListQuery{DiskChargeType: "PrePaid"}, []string{}},
		{"locked for security", ListQuery{LockReason: "security"}, []string{attached, "d-sys-i-1"}},
		{"locked for arrears", ListQuery{LockReason: "financial"}, []string{}},
	} {
		res := e.list(t, alice, c.q)
		if got := pageIDs(res); !slices.Equal(got, c.want) || res.TotalCount != len(c.want) {
			t.Errorf("%s: got %v (TotalCount %d), want %v", c.name, got, res.TotalCount, c.want)
		}
	}
	if got := pageIDs(e.list(t, bob, ListQuery{IDs: []string{ssd}})); len(got) != 0 {
		t.Errorf("bob lists alice's disk: %v", got)
	}
	res := e.list(t, alice, ListQuery{IDs: []string{attached, ssd}})
	if l := res.Disks[1].OperationLocks; !slices.Equal(l, []string{"security"}) {
		t.Errorf("In_use disk of a locked instance has locks %v, want [security]", l)
	}
	if l := res.Disks[0].OperationLocks; len(l) != 0 || res.Disks[0].ChargeType != "PostPaid" {
		t.Errorf("Available disk: locks %v, charge type %q", l, res.Disks[0].ChargeType)
	}
}

func TestDescribeDisksAnswersTheGuidesFilterErrors(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name   string
		q      ListQuery
		code   string
		status int
	}{
		{"disk type", ListQuery{DiskType: "boot"}, "InvalidDiskType.ValueNotSupported", 400},
		{"category", ListQuery{Category: "floppy"}, "InvalidCategory.ValueNotSupported", 400},
		{"status", ListQuery{Status: "Gone"}, "InvalidStatus.ValueNotSupported", 400},
		{"zone", ListQuery{ZoneID: "cn-beijing-a"}, "InvalidZoneId.NotFound", 404},
		{"charge type", ListQuery{DiskChargeType: "Free"}, "InvalidDiskChargeType.NotFound", 404},
		{"lock reason", ListQuery{LockReason: "whim"}, "InvalidLockReason.NotFound", 404},
		{"tag without key", ListQuery{Tags: []store.Tag{{Value: "v"}}}, "InvalidTag.Mismatch", 400},
		{"six tags", ListQuery{Tags: make([]store.Tag, 6)}, "InvalidTagCount", 400},
		{"page size", ListQuery{PageSize: 101}, "InvalidParameter", 400},
		{"max results", ListQuery{MaxResults: ptr(501)}, "InvalidParameter", 400},
		{"zero max results", ListQuery{MaxResults: ptr(0)}, "InvalidParameter", 400},
		{"next token", ListQuery{NextToken: "not-a-token"}, "InvalidParameter", 400},
	} {
		_, err := e.svc.List(t.Context(), alice, c.q)
		wantCode(t, c.name, err, c.code, c.status)
	}
}

// manyDisks creates n disks a second apart and returns them newest first.
func manyDisks(t *testing.T, e *env, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		e.clk.Advance(time.Second)
		out = append([]string{e.createDisk(t, alice, CreateInput{Name: fmt.Sprintf("disk%02d", i), Encrypted: i%2 == 0})}, out...)
	}
	return out
}

func TestDescribeDisksPagesWithPageNumberDefaultingToTenPerPage(t *testing.T) {
	e := newEnv(t)
	all := manyDisks(t, e, 12)
	res := e.list(t, alice, ListQuery{})
	if res.PageNumber != 1 || res.PageSize != 10 || res.TotalCount != 12 || !slices.Equal(pageIDs(res), all[:10]) || res.NextToken != "" {
		t.Errorf("default page: %d/%d of %d: %v (next %q)", res.PageNumber, res.PageSize, res.TotalCount, pageIDs(res), res.NextToken)
	}
	for page, want := range map[int][]string{1: all[:5], 2: all[5:10], 3: all[10:], 4: {}} {
		res := e.list(t, alice, ListQuery{PageNumber: page, PageSize: 5})
		if !slices.Equal(pageIDs(res), want) || res.TotalCount != 12 || res.PageNumber != page || res.PageSize != 5 {
			t.Errorf("page %d: %v (total %d), want %v", page, pageIDs(res), res.TotalCount, want)
		}
	}
	var odd []string // created with Encrypted false: filtered outside the store
	for i, id := range all {
		if i%2 == 0 {
			odd = append(odd, id)
		}
	}
	res = e.list(t, alice, ListQuery{Encrypted: ptr(false), PageNumber: 2, PageSize: 4})
	if !slices.Equal(pageIDs(res), odd[4:]) || res.TotalCount != 6 {
		t.Errorf("filtered page 2: %v (total %d), want %v", pageIDs(res), res.TotalCount, odd[4:])
	}
}

func TestDescribeDisksNextTokenWalksEveryDiskOnce(t *testing.T) {
	e := newEnv(t)
	all := manyDisks(t, e, 12)
	for _, c := range []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"store paging", ListQuery{MaxResults: ptr(5)}, all},
		{"filtered here", ListQuery{MaxResults: ptr(4), Encrypted: ptr(true)}, []string{all[1], all[3], all[5], all[7], all[9], all[11]}},
		{"default size", ListQuery{NextToken: ""}, all},
	} {
		var got []string
		q := c.q
		if q.MaxResults == nil {
			q.MaxResults = ptr(10)
		}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("%s: NextToken never ends", c.name)
			}
			res := e.list(t, alice, q)
			if res.TotalCount != len(c.want) {
				t.Errorf("%s: TotalCount %d, want %d", c.name, res.TotalCount, len(c.want))
			}
			got = append(got, pageIDs(res)...)
			if res.NextToken == "" {
				break
			}
			q.NextToken = res.NextToken
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: walked %v, want %v", c.name, got, c.want)
		}
	}
}
