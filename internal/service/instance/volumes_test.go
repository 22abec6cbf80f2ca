package instance

import (
	"encoding/json"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/service/volume/volumetest"
	"github.com/ecsd/ecsd/internal/store"
)

// testBoot is how the fake volume store says lfImage boots.
var testBoot = driver.BootSpec{Kernel: "/volumes/images/ubuntu/kernel", Initrd: "/volumes/images/ubuntu/initrd",
	Cmdline: "console=ttyS0 quiet"}

// newVolumeFixture is newLaunchFixture with a fake volume store (the qemu
// driver's files) that has lfImage.
func newVolumeFixture(t *testing.T) (*launchFixture, *volumetest.Fake) {
	t.Helper()
	f := newLaunchFixture(t)
	vols := volumetest.New(map[string]driver.BootSpec{lfImage: testBoot})
	f.deps.Volumes = vols
	f.svc = New(f.deps)
	return f, vols
}

// driverSpec returns the spec the sim driver was given for an instance.
func (f *launchFixture) driverSpec(t *testing.T, id string) driver.InstanceSpec {
	t.Helper()
	h, err := decodeHandle(f.get(t, id).DriverHandle)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Spec driver.InstanceSpec `json:"spec"`
	}
	if err := json.Unmarshal(h.State, &st); err != nil {
		t.Fatalf("sim state: %v", err)
	}
	return st.Spec
}

// disks returns an instance's disks, the system disk first.
func (f *launchFixture) disks(t *testing.T, id string) []store.Disk {
	t.Helper()
	var out []store.Disk
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		var err error
		out, err = tx.InstanceDisks(id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range out {
		if d.Type == diskTypeSystem {
			out[0], out[i] = out[i], out[0]
		}
	}
	return out
}

func TestTheDriverSpecCarriesEveryDiskFileAndTheImagesBoot(t *testing.T) {
	f, vols := newVolumeFixture(t)
	id := f.launch(t, runInput(func(in *RunInput) {
		in.DataDisks = []DataDiskInput{{Size: intp(30), Category: CategoryEfficiency}}
	}))[0]
	f.settle(t)
	if got := f.status(t, id); got != StatusRunning {
		t.Fatalf("instance is %s, want Running", got)
	}
	disks := f.disks(t, id)
	sys, data := disks[0], disks[1]
	spec := f.driverSpec(t, id)
	if spec.SystemDisk.Path != volumetest.Path(sys.ID) || len(spec.DataDisks) != 1 || spec.DataDisks[0].Path != volumetest.Path(data.ID) {
		t.Fatalf("driver spec disks: system %+v, data %+v", spec.SystemDisk, spec.DataDisks)
	}
	if spec.Boot != testBoot {
		t.Fatalf("driver spec boots %+v, want the image's %+v", spec.Boot, testBoot)
	}
	if file, _ := vols.File(sys.ID); file.Source != (volume.Source{DiskID: sys.ID, SizeGiB: sys.SizeGiB, ImageID: lfImage}) {
		t.Fatalf("system disk file made from %+v, want an overlay on %s", file.Source, lfImage)
	}
	if file, _ := vols.File(data.ID); file.Source != (volume.Source{DiskID: data.ID, SizeGiB: 30}) {
		t.Fatalf("data disk file made from %+v, want a blank 30 GiB file", file.Source)
	}
}

func TestAnInstanceWhoseDiskFileCannotBeMadeStaysPendingAndIsRetried(t *testing.T) {
	f, vols := newVolumeFixture(t)
	vols.Err = driver.ErrTransient
	id := f.launch(t, runInput(nil))[0]
	_ = f.svc.Settle(t.Context())
	if in := f.get(t, id); in.Status != StatusPending || len(in.DriverHandle) != 0 {
		t.Fatalf("instance without its disk file: %s, handle %q; want Pending without a handle", in.Status, in.DriverHandle)
	}
	vols.Err = nil
	f.clock.Advance(10 * DefaultPollInterval)
	f.settle(t)
	if got := f.status(t, id); got != StatusRunning {
		t.Fatalf("after the store recovered the instance is %s, want Running", got)
	}
}

func TestDeleteInstanceRemovesTheFilesOfTheDisksReleasedWithIt(t *testing.T) {
	f, vols := newVolumeFixture(t)
	id := f.launch(t, runInput(func(in *RunInput) {
		in.DataDisks = []DataDiskInput{{Size: intp(20), Category: CategoryEfficiency},
			{Size: intp(20), Category: CategoryEfficiency, DeleteWithInstance: boolp(false)}}
	}))[0]
	f.settle(t)
	disks := f.disks(t, id)
	if len(vols.Files) != 3 {
		t.Fatalf("%d disk files made for 3 disks", len(vols.Files))
	}
	if err := f.svc.Delete(t.Context(), lfCaller(), id, true, false); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if !f.gone(t, id) {
		t.Fatal("instance not deleted")
	}
	for _, d := range disks {
		_, kept := vols.File(d.ID)
		if want := !d.DeleteWithInstance && d.Type != diskTypeSystem; kept != want {
			t.Errorf("disk %s (%s, DeleteWithInstance %v): file kept %v, want %v", d.ID, d.Type, d.DeleteWithInstance, kept, want)
		}
	}
}
