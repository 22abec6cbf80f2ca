package instance

import (
	"slices"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// listIDs lists with q and returns the IDs and the total count.
func (f *launchFixture) listIDs(t *testing.T, q Query) ([]string, int) {
	t.Helper()
	res, err := f.svc.List(t.Context(), lfCaller(), q)
	if err != nil {
		t.Fatalf("List(%+v): %v", q, err)
	}
	var ids []string
	for _, v := range res.Instances {
		ids = append(ids, v.Instance.ID)
	}
	return ids, res.TotalCount
}

func TestDescribeInstancesAppliesEveryFilterOfTheGuide(t *testing.T) {
	f := newLaunchFixture(t)
	web := f.launch(t, runInput(func(in *RunInput) {
		in.Amount, in.InstanceName, in.UniqueSuffix = intp(2), "web", true
		in.Tags = []store.Tag{{Key: "role", Value: "web"}}
		in.InternetMaxBandwidthOut = intp(1)
	}))
	f.clock.Advance(time.Second)
	db := f.launch(t, runInput(func(in *RunInput) {
		in.InstanceName, in.VSwitchID, in.InstanceType = "db", "vsw-g", "ecs.s1.small"
		in.Tags = []store.Tag{{Key: "role", Value: "db"}}
		in.DataDisks = make([]DataDiskInput, MaxDataDisks)
		for i := range in.DataDisks {
			in.DataDisks[i].Size = intp(5)
		}
	}))[0]
	f.settle(t)
	if err := f.svc.Stop(t.Context(), lfCaller(), StopInput{InstanceID: db}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	webIn := f.get(t, web[0])
	ids := func(v ...string) []string { return v }
	empty := &[]string{}
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"all, newest first", Query{}, ids(db, web[1], web[0])},
		{"VpcId", Query{VpcID: "vpc-1"}, ids(db, web[1], web[0])},
		{"VSwitchId", Query{VSwitchID: "vsw-g"}, ids(db)},
		{"ZoneId", Query{ZoneID: "cn-hangzhou-b"}, ids(web[1], web[0])},
		{"InstanceIds", Query{InstanceIDs: &[]string{web[0], db, "i-nope"}}, ids(db, web[0])},
		{"InstanceIds []", Query{InstanceIDs: empty}, nil},
		{"InstanceType", Query{InstanceType: "ecs.s1.small"}, ids(db)},
		{"InstanceTypeFamily", Query{InstanceTypeFamily: "ecs.g5"}, ids(web[1], web[0])},
		{"InstanceNetworkType vpc", Query{InstanceNetworkType: "vpc"}, ids(db, web[1], web[0])},
		{"InstanceNetworkType classic", Query{InstanceNetworkType: "classic"}, nil},
		{"PrivateIpAddresses", Query{PrivateIPs: &[]string{webIn.PrivateIP}}, ids(web[0])},
		{"PublicIpAddresses", Query{PublicIPs: &[]string{webIn.PublicIP}}, ids(web[0])},
		{"SecurityGroupId", Query{SecurityGroupID: "sg-1"}, ids(db, web[1], web[0])},
		{"SecurityGroupId of no instance", Query{SecurityGroupID: "sg-1b"}, nil},
		{"InstanceName exact", Query{InstanceName: "web001"}, ids(web[0])},
		{"InstanceName wildcard", Query{InstanceName: "web*"}, ids(web[1], web[0])},
		{"InstanceName inner wildcard", Query{InstanceName: "w*2"}, ids(web[1])},
		{"ImageId", Query{ImageID: lfImage}, ids(db, web[1], web[0])},
		{"Status", Query{Status: StatusStopped}, ids(db)},
		{"IoOptimized false", Query{IoOptimized: boolp(false)}, ids(db)},
		{"DeviceAvailable false", Query{DeviceAvailable: boolp(false)}, ids(db)},
		{"DeviceAvailable true", Query{DeviceAvailable: boolp(true)}, ids(web[1], web[0])},
		{"Tag with value", Query{Tags: []store.Tag{{Key: "role", Value: "db"}}}, ids(db)},
		{"Tag without value", Query{Tags: []store.Tag{{Key: "role"}}}, ids(db, web[1], web[0])},
		{"EipAddresses", Query{EipAddrs: &[]string{"1.2.3.4"}}, nil},
		{"KeyPairName", Query{KeyPairName: "ops"}, nil},
		{"CreationStartTime", Query{Filters: []Filter{{Key: "CreationStartTime", Value: "2026-03-01T08:00Z"}}}, ids(db, web[1], web[0])},
		{"CreationEndTime", Query{Filters: []Filter{{Key: "CreationEndTime", Value: "2026-02-28T08:00Z"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, total := f.listIDs(t, c.q)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Fatalf("got %v (total %d), want %v", got, total, c.want)
			}
		})
	}
}

func TestDescribeInstancesPagesByNumberAndByToken(t *testing.T) {
	f := newLaunchFixture(t)
	var all []string
	for range 5 {
		all = append(f.launch(t, runInput(nil)), all...)
		f.clock.Advance(time.Second)
	}
	got, total := f.listIDs(t, Query{PageNumber: 2, PageSize: 2})
	if !slices.Equal(got, all[2:4]) || total != 5 {
		t.Fatalf("page 2 of 2: %v (%d), want %v", got, total, all[2:4])
	}
	for _, wildcard := range []string{"", "*"} { // the store's paging and the in-memory one
		var walked []string
		q := Query{TokenPaging: true, MaxResults: 2, InstanceName: wildcard}
		for pages := 0; ; pages++ {
			res, err := f.svc.List(t.Context(), lfCaller(), q)
			if err != nil || pages > 5 || res.TotalCount != 5 {
				t.Fatalf("token paging (name %q): %v, total %d", wildcard, err, res.TotalCount)
			}
			for _, v := range res.Instances {
				walked = append(walked, v.Instance.ID)
			}
			if res.NextToken == "" {
				break
			}
			q.NextToken = res.NextToken
		}
		if !slices.Equal(walked, all) {
			t.Fatalf("walked %v, want %v", walked, all)
		}
	}
	_, err := f.svc.List(t.Context(), lfCaller(), Query{TokenPaging: true, NextToken: "garbage"})
	wantCode(t, "bad NextToken", err, "InvalidParameter", 400)
}

func TestDescribeInstancesAnswersTheGuidesErrors(t *testing.T) {
	f := newLaunchFixture(t)
	_, err := f.svc.List(t.Context(), lfCaller(), Query{Status: "Sleeping"})
	wantCode(t, "unknown Status", err, "InvalidStatus.NotFound", 404)
	_, err = f.svc.List(t.Context(), lfCaller(), Query{InstanceNetworkType: "wired"})
	wantCode(t, "unknown InstanceNetworkType", err, "InvalidNetworkType.NotFound", 404)
	_, err = f.svc.List(t.Context(), lfCaller(), Query{Tags: make([]store.Tag, 6)})
	wantCode(t, "six tags", err, "InvalidTagCount", 400)
	raw := `["i-1",`
	_, err = ParseJSONList("InstanceIds", &raw)
	wantCode(t, "InstanceIds not JSON", err, "InvalidInstanceIds.Malformed", 400)
}

func TestDescribeInstancesShowsOnlyTheCallersInstancesOfTheRegion(t *testing.T) {
	f := newLaunchFixture(t)
	f.launch(t, runInput(nil))
	for _, c := range []Caller{{AccountID: 2, RegionID: "cn-hangzhou"}, {AccountID: 1, RegionID: "cn-beijing"}} {
		res, err := f.svc.List(t.Context(), c, Query{})
		if err != nil || res.TotalCount != 0 || len(res.Instances) != 0 {
			t.Fatalf("%+v sees %d instances, %v", c, res.TotalCount, err)
		}
	}
}

func TestWildcardMatchesLikeTheKeyPairFilter(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"web", "web", true}, {"web", "web1", false}, {"web*", "web1", true}, {"*1", "web1", true},
		{"*eb*", "web1", true}, {"w*b*1", "web1", true}, {"w*x", "web1", false}, {"*", "", true}, {"a*a", "a", false},
	} {
		if got := wildcardMatch(c.pattern, c.name); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestValidationRulesOfTheGuide(t *testing.T) {
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"web-01.example", validHostName("web-01.example", false, 128)},
		{"!windows dotted", !validHostName("web.example", true, 128)},
		{"!windows digits only", !validHostName("1234", true, 128)},
		{"!leading hyphen", !validHostName("-web", false, 128)},
		{"!dot-hyphen", !validHostName("web.-x", false, 128)},
		{"password of three kinds", validPassword("Abcdefg1")},
		{"!password of two kinds", !validPassword("abcdefg1")},
		{"!password with a space", !validPassword("Abc def1!")},
		{"Chinese name", validName("云服务器-1", ".:_-")},
		{"!name with a space", !validName("web 1", ".:_-")},
		{"!url description", !validDescription("http://x")},
	} {
		if !c.ok {
			t.Errorf("%s: wrong verdict", c.what)
		}
	}
}
