package app

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/ecsd/ecsd/internal/dataplane/guestnet"
	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/service/sts"
	"github.com/ecsd/ecsd/internal/store"
)

// newNetworkPlane returns the network data plane of `serve --driver qemu`:
// one namespace per VPC under <data-dir>/net, prefix "ecsd". Where it cannot
// run (not root, or ip, nft or dnsmasq missing) it answers nil and logs why:
// the instances then boot without their network interfaces, and neither
// security groups nor the metadata service are served (docs/drivers.md).
func newNetworkPlane(o Options, logger *slog.Logger) (*netns.Plane, error) {
	if o.Driver != "qemu" {
		return nil, nil
	}
	if err := netns.Available(); err != nil {
		logger.Warn("guest networking is off: instances boot without network interfaces", "err", err)
		return nil, nil
	}
	dir, err := filepath.Abs(filepath.Join(o.DataDir, "net"))
	if err != nil {
		return nil, err
	}
	plane, err := netns.New(netns.Config{StateDir: dir, Prefix: "ecsd"})
	if err != nil {
		return nil, fmt.Errorf("network data plane: %w", err)
	}
	return plane, nil
}

// newGuestNet returns the reconciler that applies every VPC namespace's
// security groups and serves its metadata, with instance RAM role
// credentials issued by stsSvc; nil without a plane.
func newGuestNet(plane *netns.Plane, st store.Store, stsSvc *sts.Service, logger *slog.Logger) *guestnet.Reconciler {
	if plane == nil {
		return nil
	}
	return guestnet.New(guestnet.Config{Store: st, Plane: plane, Credentials: sts.NewInstanceRoles(stsSvc),
		Logger: logger.With("component", "guestnet")})
}
