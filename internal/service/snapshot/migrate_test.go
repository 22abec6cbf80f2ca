package snapshot

import (
	"testing"
	"time"
)

func TestMigrateDiskAnswersTheGuidesCodes(t *testing.T) {
	f := newFixture(t)
	ok := MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data", DestZoneID: "cn-hangzhou-b"}
	for _, c := range []struct {
		name string
		in   MigrateInput
		code int
	}{
		{"no region", MigrateInput{DiskID: "d-data", DestZoneID: "cn-hangzhou-b"}, MigrateParameterNull},
		{"no disk", MigrateInput{RegionID: "cn-hangzhou", DestZoneID: "cn-hangzhou-b"}, MigrateParameterNull},
		{"no zone", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data"}, MigrateParameterNull},
		{"an unknown region", MigrateInput{RegionID: "xx-nowhere", DiskID: "d-data", DestZoneID: "cn-hangzhou-b"}, MigrateParameterAbsent},
		{"an unknown zone", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data", DestZoneID: "cn-hangzhou-z"}, MigrateParameterAbsent},
		{"an unknown disk", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-nope", DestZoneID: "cn-hangzhou-b"}, MigrateParameterAbsent},
		{"a zone of another region", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data", DestZoneID: "cn-beijing-a"}, MigrateRegionInvalid},
		{"another zone of the region", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data", DestZoneID: "cn-hangzhou-g"}, MigrateRegionInvalid},
		{"an unknown disk type", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data", DestZoneID: "cn-hangzhou-b", DestDiskType: "io9"}, MigrateParameterAbsent},
		{"io7 without IOPS", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-data", DestZoneID: "cn-hangzhou-b", DestDiskType: "io7", DestDiskBPS: "1"}, MigrateParameterNull},
		{"a local disk", MigrateInput{RegionID: "cn-hangzhou", DiskID: "d-local", DestZoneID: "cn-hangzhou-b"}, MigrateFailNoRetry},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := f.svc.MigrateDisk(t.Context(), 1, c.in); got.Code != c.code || got.Msg != migrateMessages[c.code] {
				t.Errorf("got %+v, want %d", got, c.code)
			}
		})
	}
	if got := f.svc.LoadProgress(t.Context(), 1, "cn-hangzhou", "d-data"); got != (MigrateResult{200, "100"}) {
		t.Errorf("progress without a migration: %+v", got)
	}
	to := ok
	to.DestDiskType = "cloud_ssd"
	if got := f.svc.MigrateDisk(t.Context(), 1, to); got != (MigrateResult{200, "successful"}) {
		t.Fatalf("migrate: %+v", got)
	}
	if got := f.svc.MigrateDisk(t.Context(), 1, to); got.Code != MigrateOK {
		t.Errorf("the same migration again answers its task: %+v", got)
	}
	if got := f.svc.MigrateDisk(t.Context(), 1, ok); got.Code != MigrateTaskExists {
		t.Errorf("another migration while one runs: %+v", got)
	}
	f.settle()
	f.clk.Advance(3 * time.Second)
	f.settle()
	if got := f.svc.LoadProgress(t.Context(), 1, "cn-hangzhou", "d-data"); got != (MigrateResult{200, "30"}) {
		t.Errorf("progress after 3s of 10: %+v", got)
	}
	f.finish()
	if got := f.svc.LoadProgress(t.Context(), 1, "cn-hangzhou", "d-data"); got != (MigrateResult{200, "100"}) {
		t.Errorf("progress once done: %+v", got)
	}
	if d := f.disk("d-data"); d.Category != "cloud_ssd" || d.ZoneID != "cn-hangzhou-b" {
		t.Errorf("after migrating to cloud_ssd: %+v", d)
	}
	for _, c := range []struct {
		region, disk string
		code         int
	}{{"", "d-data", MigrateParameterNull}, {"cn-hangzhou", "d-nope", MigrateParameterAbsent}, {"xx", "d-data", MigrateParameterAbsent}} {
		if got := f.svc.LoadProgress(t.Context(), 1, c.region, c.disk); got.Code != c.code {
			t.Errorf("LoadProgress(%q, %q) = %+v, want %d", c.region, c.disk, got, c.code)
		}
	}
}
