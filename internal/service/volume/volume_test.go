package volume

import (
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

func TestSourceOfMakesSystemDisksFromTheirImageAndDataDisksFromTheirSnapshot(t *testing.T) {
	for _, c := range []struct {
		name string
		disk store.Disk
		want Source
	}{
		{"system disk", store.Disk{ID: "d-1", Type: "system", SizeGiB: 40, ImageID: "m-1"},
			Source{DiskID: "d-1", SizeGiB: 40, ImageID: "m-1"}},
		{"data disk from a snapshot", store.Disk{ID: "d-2", Type: "data", SizeGiB: 30, SourceSnapshotID: "s-1"},
			Source{DiskID: "d-2", SizeGiB: 30, SnapshotID: "s-1"}},
		{"blank data disk", store.Disk{ID: "d-3", Type: "data", SizeGiB: 20},
			Source{DiskID: "d-3", SizeGiB: 20}},
		{"data disk naming an image", store.Disk{ID: "d-4", Type: "data", SizeGiB: 20, ImageID: "m-1"},
			Source{DiskID: "d-4", SizeGiB: 20}},
	} {
		if got := SourceOf(c.disk); got != c.want {
			t.Errorf("%s: SourceOf = %+v, want %+v", c.name, got, c.want)
		}
	}
}
