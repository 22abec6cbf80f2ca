package app

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// TestQemuModeRunsTheGuestNetworkReconcilerAndStopsIt wires `serve --driver
// qemu` where the network data plane can run: the plane gets its state
// directory, the reconciler starts with the background work and stop returns
// once it has ended.
func TestQemuModeRunsTheGuestNetworkReconcilerAndStopsIt(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is not installed")
	}
	if err := netns.Available(); err != nil {
		t.Skipf("the network data plane cannot run here: %v", err)
	}
	dir, err := os.MkdirTemp("", "ecsdapp") // short: QMP socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(dir, "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := New(t.Context(), Options{DataDir: dir, Driver: "qemu"}, st, "127.0.0.1:0", io.Discard, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "net")); err != nil || !fi.IsDir() {
		t.Errorf("the network plane's state directory: %v", err)
	}
	stop := a.Start()
	stop()
}
