// Package guestnet keeps the guest side of the QEMU data plane in step with
// the store: for every VPC that has a network namespace on this host, the
// security groups its nftables ruleset enforces, and the instance metadata
// service (http://100.100.100.200) its guests read.
//
// A Reconciler polls the store (every 250 ms by default, and at start): for
// each VPC the Plane reports it builds the nft.Ruleset of that VPC (VSwitches
// as bridges, every attached network interface as its tap, every security
// group they are in or name as a peer, with rules and members) and hands it to
// Plane.ApplyRules, which applies it atomically and does nothing when it is
// unchanged; so a rule, membership or interface change reaches the kernel
// within one poll. Beside it, one HTTP server per VPC namespace listens on
// 100.100.100.200:80 inside the namespace and serves internal/metadata's
// Handler for that VPC's instances.
package guestnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/dataplane/nft"
	"github.com/ecsd/ecsd/internal/metadata"
	"github.com/ecsd/ecsd/internal/store"
)

// Plane is what the reconciler needs of the network data plane
// (*netns.Plane implements it).
type Plane interface {
	// VPCs answers the VPCs that have a network namespace on this host.
	VPCs() ([]string, error)
	// ApplyRules replaces the VPC namespace's ruleset atomically; a no-op when unchanged.
	ApplyRules(ctx context.Context, vpcID string, rs nft.Ruleset) error
	// Listen answers a TCP listener on 100.100.100.200:port inside the VPC's namespace.
	Listen(ctx context.Context, vpcID string, port int) (net.Listener, error)
	// TapName is the tap of a network interface (eni-…).
	TapName(portID string) string
	// Owns reports whether this host's data plane of this ecsd made the VPC's
	// namespace (another ecsd on the host may share the prefix).
	Owns(vpcID string) bool
	// RemoveVPC deletes the VPC's namespace with everything in it.
	RemoveVPC(ctx context.Context, vpcID string) error
}

// BridgeNamer is implemented by a Plane that names VSwitch bridges itself;
// the names appear in the ruleset's comments only.
type BridgeNamer interface {
	// BridgeName is the bridge of a VSwitch (vsw-…), at most 15 bytes.
	BridgeName(vswitchID string) string
}

// Defaults of Config.
const (
	DefaultInterval     = 250 * time.Millisecond
	DefaultMetadataPort = 80
	// ReapplyInterval is how often an unchanged ruleset is handed to the
	// plane again.
	ReapplyInterval = 10 * time.Second
)

// Config configures a Reconciler.
type Config struct {
	Store store.Store
	Plane Plane
	// Credentials issues instance RAM role credentials (sts.InstanceRoles);
	// nil answers 404 for them.
	Credentials metadata.CredentialIssuer
	// Clock is the metadata tokens' clock; nil for the real one.
	Clock clock.Clock
	// Interval is the time between two passes; zero for DefaultInterval.
	Interval time.Duration
	// MetadataPort is the port the metadata service listens on; zero for 80.
	MetadataPort int
	// Hardened makes the metadata service require a token on every read.
	Hardened bool
	// Logger receives errors (once per change of a VPC's error); nil discards.
	Logger *slog.Logger
}

// Reconciler applies security groups and serves metadata for the VPCs of one
// host. It is safe for concurrent use: passes run one at a time.
type Reconciler struct {
	cfg   Config
	names names
	// pass serializes Sync.
	pass sync.Mutex

	mu      sync.Mutex
	vpcs    map[string]*vpcState
	lastErr map[string]string // per VPC (or "" for the listing): the last error logged
}

// vpcState is what the reconciler keeps about one VPC namespace.
type vpcState struct {
	loc location
	// applied is the ruleset last applied, at appliedAt.
	applied   *nft.Ruleset
	appliedAt time.Time
	server    *http.Server
	// served is closed when the server's Serve returns.
	served chan struct{}
}

// New returns a Reconciler; it does nothing until Sync or Run.
func New(cfg Config) *Reconciler {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MetadataPort == 0 {
		cfg.MetadataPort = DefaultMetadataPort
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := names{tap: cfg.Plane.TapName, bridge: defaultBridgeName}
	if bn, ok := cfg.Plane.(BridgeNamer); ok {
		n.bridge = bn.BridgeName
	}
	return &Reconciler{cfg: cfg, names: n, vpcs: map[string]*vpcState{}, lastErr: map[string]string{}}
}

// Run syncs at once and then every Interval until ctx ends, then stops the
// metadata servers and returns.
func (r *Reconciler) Run(ctx context.Context) {
	defer r.Close()
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		r.Sync(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sync makes one pass: for every VPC with a namespace, applies its ruleset
// and makes sure its metadata server runs; stops the servers of VPCs whose
// namespace is gone. Errors are logged and retried on the next pass; Sync
// answers the first one (nil when every VPC is in step).
func (r *Reconciler) Sync(ctx context.Context) error {
	r.pass.Lock()
	defer r.pass.Unlock()
	vpcs, err := r.cfg.Plane.VPCs()
	if r.report("", "list VPC namespaces", err) != nil {
		return err
	}
	var first error
	present := map[string]bool{}
	for _, vpc := range vpcs {
		present[vpc] = true
		if err := r.syncVPC(ctx, vpc); r.report(vpc, "sync VPC "+vpc, err) != nil && first == nil {
			first = err
		}
	}
	r.mu.Lock()
	var gone []*vpcState
	for vpc, s := range r.vpcs {
		if !present[vpc] {
			gone = append(gone, s)
			delete(r.vpcs, vpc)
			delete(r.lastErr, vpc)
		}
	}
	r.mu.Unlock()
	for _, s := range gone {
		s.stop()
	}
	return first
}

// syncVPC applies one VPC's ruleset and starts its metadata server.
func (r *Reconciler) syncVPC(ctx context.Context, vpc string) error {
	r.mu.Lock()
	s := r.vpcs[vpc]
	r.mu.Unlock()
	if s == nil {
		loc, err := locate(ctx, r.cfg.Store, vpc)
		if errors.Is(err, errVPCGone) {
			return r.removeGone(ctx, vpc, err)
		}
		if err != nil {
			return err
		}
		s = &vpcState{loc: loc}
		r.mu.Lock()
		r.vpcs[vpc] = s
		r.mu.Unlock()
	}
	rs, err := buildRuleset(ctx, r.cfg.Store, s.loc, r.names)
	if errors.Is(err, errVPCGone) {
		// the VPC was deleted (it had no VSwitch, so no instance, left): its
		// namespace goes, with its DHCP server
		r.forget(vpc)
		return r.removeGone(ctx, vpc, err)
	}
	if err != nil {
		return err
	}
	if err := r.apply(ctx, vpc, s, rs); err != nil {
		return err
	}
	return r.serve(ctx, vpc, s)
}

// apply hands the ruleset to the plane unless it is the one applied last,
// less than ReapplyInterval ago (the plane would compare it again, which
// costs a render; now and then it does, so that rules lost under the
// reconciler come back).
func (r *Reconciler) apply(ctx context.Context, vpc string, s *vpcState, rs nft.Ruleset) error {
	now := r.cfg.Clock.Now()
	if s.applied != nil && now.Sub(s.appliedAt) < ReapplyInterval && now.Sub(s.appliedAt) >= 0 && reflect.DeepEqual(*s.applied, rs) {
		return nil
	}
	if err := r.cfg.Plane.ApplyRules(ctx, vpc, rs); err != nil {
		s.applied = nil
		return fmt.Errorf("apply rules: %w", err)
	}
	s.applied, s.appliedAt = &rs, now
	return nil
}

// removeGone removes the namespace of a VPC the store no longer has, when
// this ecsd's plane made it; a namespace of another ecsd's is left alone and
// reported (gone).
func (r *Reconciler) removeGone(ctx context.Context, vpc string, gone error) error {
	if !r.cfg.Plane.Owns(vpc) {
		return gone
	}
	if err := r.cfg.Plane.RemoveVPC(ctx, vpc); err != nil {
		return fmt.Errorf("remove the namespace of deleted %s: %w", vpc, err)
	}
	r.cfg.Logger.Info("removed the namespace of a deleted VPC", "vpc", vpc)
	return nil
}

// forget drops what the reconciler knows of a VPC and stops its server.
func (r *Reconciler) forget(vpc string) {
	r.mu.Lock()
	s := r.vpcs[vpc]
	delete(r.vpcs, vpc)
	r.mu.Unlock()
	if s != nil {
		s.stop()
	}
}

// serve starts the VPC's metadata server unless it runs.
func (r *Reconciler) serve(ctx context.Context, vpc string, s *vpcState) error {
	if s.server != nil {
		select {
		case <-s.served: // the listener died (the namespace was rebuilt): serve again
			s.server = nil
		default:
			return nil
		}
	}
	ln, err := r.cfg.Plane.Listen(ctx, vpc, r.cfg.MetadataPort)
	if err != nil {
		return fmt.Errorf("metadata listener: %w", err)
	}
	h := metadata.New(metadata.Options{
		Lookup:      metadata.StoreLookup{Store: r.cfg.Store, AccountID: s.loc.AccountID, RegionID: s.loc.RegionID, VpcID: vpc},
		Credentials: r.cfg.Credentials, Clock: r.cfg.Clock, Hardened: r.cfg.Hardened,
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(r.cfg.Logger.Handler(), slog.LevelDebug)}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.cfg.Logger.Warn("metadata server stopped", "vpc", vpc, "err", err)
		}
	}()
	s.server, s.served = srv, served
	return nil
}

// stop closes the VPC's metadata server and waits for it.
func (s *vpcState) stop() {
	if s.server != nil {
		s.server.Close()
		<-s.served
		s.server = nil
	}
}

// Close stops every metadata server (a later Sync starts them again).
func (r *Reconciler) Close() {
	r.pass.Lock()
	defer r.pass.Unlock()
	r.mu.Lock()
	all := r.vpcs
	r.vpcs = map[string]*vpcState{}
	r.mu.Unlock()
	for _, s := range all {
		s.stop()
	}
}

// report logs err when it differs from the last one logged for key, and
// notes recovery; it answers err.
func (r *Reconciler) report(key, what string, err error) error {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	r.mu.Lock()
	last := r.lastErr[key]
	r.lastErr[key] = msg
	r.mu.Unlock()
	switch {
	case msg == last:
	case err != nil:
		r.cfg.Logger.Error(what, "err", err)
	default:
		r.cfg.Logger.Info(what + ": recovered")
	}
	return err
}
