// Package app wires ecsd together: store, catalog, services, handlers, the API front
// and TLS. cmd/ecsd, the benchmarks and tests build servers through it.
package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/atomicfile"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/console"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/ecs"
	"github.com/ecsd/ecsd/internal/httpserve"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/objectstore"
	ramapi "github.com/ecsd/ecsd/internal/ram"
	"github.com/ecsd/ecsd/internal/service/accounts"
	"github.com/ecsd/ecsd/internal/service/deploymentset"
	"github.com/ecsd/ecsd/internal/service/disk"
	"github.com/ecsd/ecsd/internal/service/eni"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/keypair"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/service/secgroup"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/sts"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/store"
	stsapi "github.com/ecsd/ecsd/internal/sts"
	"github.com/ecsd/ecsd/internal/vpc"
)

// Options are the settings New needs from the command line.
type Options struct {
	// DataDir holds credentials.json and the generated TLS certificate.
	DataDir string
	// Topology is a YAML topology file; empty for the built-in one.
	Topology string
	// Endpoint is the host:port clients use; empty for the listen address.
	Endpoint string
	// TLSCert and TLSKey name a certificate; empty for a self-signed one in DataDir.
	TLSCert, TLSKey string
	// Driver is the compute driver: "sim" (the default when empty) or "qemu".
	Driver string
	// SimDelay is how long each transitional state lasts with the sim driver.
	SimDelay time.Duration
	// SimSnapshotTime is how long a snapshot (or a disk migration) takes with
	// the sim volume driver.
	SimSnapshotTime time.Duration
	// SimImageCopyTime is how long a CopyImage takes (zero: the image
	// service's default).
	SimImageCopyTime time.Duration
	// PublicIPPool is the CIDR block public IPs are allocated from; empty for
	// instance.DefaultPublicIPPool.
	PublicIPPool string
	// ConsoleURLLifetime is how long a VNC console URL can be opened; zero for
	// console.DefaultURLLifetime.
	ConsoleURLLifetime time.Duration
	// RootAccessKeyID and RootAccessKeySecret, when set, are the root account's key.
	RootAccessKeyID, RootAccessKeySecret string
	// TokenClockOffset shifts the clock STS tokens are issued and expire by;
	// for tests that need a token to expire without waiting (0 otherwise).
	TokenClockOffset time.Duration
	// OSSDomain is the base domain of the object service's virtual-host-style
	// addressing (<bucket>.<OSSDomain>); empty for "localhost".
	OSSDomain string
}

// App is the wired server: the HTTP handler, its TLS configuration and the
// background work beside it (interrupted disk and network interface
// attachments, the instance reconciler, the task runner and the snapshot
// scheduler).
type App struct {
	Handler http.Handler
	// OSSHandler serves the OSS-compatible object service (its own listener).
	OSSHandler http.Handler
	TLSConfig  *tls.Config
	background func(ctx context.Context)
}

// Start runs the background work until the returned stop function is called;
// stop waits for it to end, so call it before closing the store.
func (a *App) Start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if a.background != nil {
			a.background(ctx)
		}
	}()
	return func() { cancel(); <-done }
}

// New wires the store, catalog, services, handlers and API front for a server
// listening on addr.
func New(ctx context.Context, o Options, st store.Store, addr string, stdout io.Writer, logger *slog.Logger) (*App, error) {
	gen := ids.Random()
	clk := clock.Real{}
	topo := catalog.DefaultTopology()
	if o.Topology != "" {
		var err error
		if topo, err = catalog.LoadTopology(o.Topology); err != nil {
			return nil, err
		}
	}
	cat, err := catalog.New(topo)
	if err != nil {
		return nil, err
	}
	accts := accounts.New(st, gen, clk)
	if err := bootstrapRoot(ctx, accts, o, addr, stdout); err != nil {
		return nil, err
	}
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = addr
	}
	plane, err := newNetworkPlane(o, logger)
	if err != nil {
		return nil, err
	}
	compute, err := newCompute(o, clk, plane)
	if err != nil {
		return nil, err
	}
	var pool netip.Prefix
	if o.PublicIPPool != "" {
		if pool, err = netip.ParsePrefix(o.PublicIPPool); err != nil {
			return nil, fmt.Errorf("--public-ip-pool %q: %w", o.PublicIPPool, err)
		}
	}
	drivers, err := newVolumes(o, compute, clk)
	if err != nil {
		return nil, err
	}
	owner, err := nodeID(o.DataDir)
	if err != nil {
		return nil, err
	}
	imageContent, err := image.NewContentStore(filepath.Join(o.DataDir, "images"))
	if err != nil {
		return nil, err
	}
	// The object service holds image files for ImportImage and ExportImage.
	objects := objectstore.New(objectstore.Deps{Store: st, Dir: filepath.Join(o.DataDir, "oss"), Clock: clk,
		DefaultRegion: topo.DefaultRegion, KnownRegion: cat.HasRegion})
	drivers.Compute, drivers.ImageContent, drivers.ImageCopyTime, drivers.Objects = compute, imageContent, o.SimImageCopyTime, objects
	svcs, err := NewServices(st, gen, clk, cat, drivers, logger, pool, owner)
	if err != nil {
		return nil, err
	}
	svcs.Objects = objects
	tokenClock := offsetClock{base: clk, offset: o.TokenClockOffset}
	svcs.STS = sts.New(sts.Deps{Store: st, IDs: gen, Clock: tokenClock})
	svcs.Console = console.New(console.Deps{Store: st, Clock: clk, URLLifetime: o.ConsoleURLLifetime, // the configured lifetime
		Screens: screens(compute)})
	guestNet := newGuestNet(plane, st, svcs.STS, logger)
	ossFront := objectstore.NewServer(objectstore.ServerConfig{Service: svcs.Objects, Credentials: ossCredentialSource{accts, tokenClock},
		Clock: clk, Domain: o.OSSDomain, HostID: endpoint, Logger: logger})
	reg, err := NewRegistry(cat, endpoint, svcs)
	if err != nil {
		return nil, err
	}
	// RAM users and assumed roles act within the policies the RAM service
	// holds for them; root accounts may do anything.
	authorizer, err := NewAuthorizer(st, svcs.RAM, clk, logger)
	if err != nil {
		return nil, err
	}
	front := api.NewServer(api.Config{
		Authorizer:    authorizer,
		Registry:      reg,
		Credentials:   credentialSource{accts},
		Nonces:        sign.NewNonceCache(30*time.Minute, 1_000_000),
		Clock:         clk,
		TokenClock:    tokenClock,
		IDs:           gen,
		DefaultRegion: topo.DefaultRegion,
		KnownRegion:   cat.HasRegion,
		HostID:        endpoint,
		Logger:        logger,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET "+console.Path, svcs.Console)
	mux.Handle("/", front)
	tlsConfig, err := loadTLS(o, addr)
	if err != nil {
		return nil, err
	}
	background := func(ctx context.Context) {
		// The task runner resumes interrupted tasks and the snapshot scheduler
		// catches up with the slots missed while ecsd was down (docs/tasks.md,
		// docs/snapshots.md); both run beside the instance reconciler.
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); svcs.Tasks.Run(ctx) }()
		go func() { defer wg.Done(); svcs.Snapshots.RunScheduler(ctx) }()
		if guestNet != nil {
			// security groups and metadata of the VPC namespaces (docs/metadata.md)
			wg.Add(1)
			go func() { defer wg.Done(); guestNet.Run(ctx) }()
		}
		defer wg.Wait()
		// Finish disk attachments a crash interrupted, then reconcile instances.
		if err := svcs.Disks.Resume(ctx); err != nil {
			logger.Error("resume disk attachments", "err", err)
		}
		if err := svcs.ENIs.Resume(ctx); err != nil {
			logger.Error("resume network interface attachments", "err", err)
		}
		svcs.Instances.Run(ctx)
		svcs.Console.Close() // the server stops: so do its console sessions
	}
	return &App{Handler: mux, OSSHandler: ossFront, TLSConfig: tlsConfig, background: background}, nil
}

// Services are the resource services behind the handlers.
type Services struct {
	Network        *network.Service
	SecurityGroups *secgroup.Service
	KeyPairs       *keypair.Service
	Images         *image.Service
	Instances      *instance.Service
	Disks          *disk.Service
	Tags           *tag.Service
	DeploymentSets *deploymentset.Service
	// RAM holds the identities inside accounts; STS issues temporary credentials.
	RAM       *ram.Service
	STS       *sts.Service
	ENIs      *eni.Service
	Console   *console.Service
	Tasks     *task.Engine
	Snapshots *snapshot.Service
	// Objects is the OSS-compatible object service (set by New, which knows
	// the data dir); image import and export read and write through it.
	Objects *objectstore.Service
}

// Drivers are the data plane: the compute driver, and the volume driver that
// takes snapshots and moves disks.
type Drivers struct {
	Compute driver.Compute
	Volumes interface {
		driver.Snapshotter
		driver.DiskMigrator
	}
	// ImageContent keeps imported images' bytes (<data-dir>/images); nil
	// keeps them under the system's temporary directory.
	ImageContent *image.ContentStore
	// Objects is the object store ImportImage and ExportImage use; nil means
	// none (both answer InvalidRegion.NotSupport).
	Objects objectstore.Objects
	// ImageCopyTime is how long a CopyImage takes; zero means the default.
	ImageCopyTime time.Duration
	// Disks holds the disks' files and Goldens the images' golden files:
	// the qcow2 volume store with the qemu driver, nil with the sim driver
	// (disks and images hold no data; the system images are the embedded
	// catalog).
	Disks   volume.Disks
	Goldens image.Goldens
	// SnapshotFiles holds the snapshots' data for ImportSnapshot and
	// ExportSnapshot: the qcow2 volume store with the qemu driver, nil with
	// the sim driver.
	SnapshotFiles snapshot.SnapshotFiles
}

// NewServices builds every resource service on one store, ID generator, clock and
// drivers; owner names this node's task runner (stable across its restarts).
func NewServices(st store.Store, gen ids.Generator, clk clock.Waiter, cat *catalog.Catalog, drv Drivers,
	logger *slog.Logger, publicIPPool netip.Prefix, owner string) (Services, error) {
	compute := drv.Compute
	// A security group's members are its instances and secondary network interfaces.
	s := Services{
		Network:        network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}),
		SecurityGroups: secgroup.New(secgroup.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Instances: instance.GroupMembers}),
		KeyPairs:       keypair.New(keypair.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat}),
	}
	s.Tasks = task.New(task.Config{Store: st, IDs: gen, Clock: clk, Logger: logger, Owner: owner})
	var err error
	s.RAM = ram.New(ram.Deps{Store: st, IDs: gen, Clock: clk})
	// ImportSnapshot and ExportSnapshot use the object store through the
	// image roles (docs/snapshots.md).
	s.Snapshots, err = snapshot.New(snapshot.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Tasks: s.Tasks,
		Volumes: drv.Volumes, Migrator: drv.Volumes, Objects: drv.Objects,
		Roles: image.TransferRoles{Store: st, Policies: s.RAM}, Logger: logger, Files: drv.SnapshotFiles})
	if err != nil {
		return Services{}, err
	}
	// Custom images: snapshots of instances through the snapshot service,
	// copies, imports and exports on the task engine (docs/images.md).
	s.Images = image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Tasks: s.Tasks, Snapshots: s.Snapshots,
		Objects: drv.Objects, Content: drv.ImageContent, RolePolicies: s.RAM, CopyTime: drv.ImageCopyTime, Goldens: drv.Goldens})
	s.Instances = instance.New(instance.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: s.Network,
		Images: s.Images, Compute: compute, Logger: logger, PublicIPPool: publicIPPool, Snapshots: s.Snapshots,
		Volumes: drv.Disks})
	s.Tags = tag.New(tag.Deps{Store: st, Clock: clk, Images: s.Images})
	s.Disks = disk.New(disk.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Images: s.Images, Compute: compute,
		Snapshots: s.Snapshots, Volumes: drv.Disks, Logger: logger})
	s.DeploymentSets = deploymentset.New(deploymentset.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	s.STS = sts.New(sts.Deps{Store: st, IDs: gen, Clock: clk})
	s.ENIs = eni.New(eni.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: s.Network, Compute: compute})
	s.Console = console.New(console.Deps{Store: st, Clock: clk, Screens: screens(compute)})
	return s, nil
}

// nodeID returns the name of this node's task runner, kept in the data dir so
// that a restarted server takes back its own task leases at once.
func nodeID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "node-id")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return string(bytes.TrimSpace(b)), nil
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := "node-" + hex.EncodeToString(b[:])
	if err := atomicfile.Write(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("store node id: %w", err)
	}
	return id, nil
}

// NewRegistry routes every action of the checked-in specs to its handlers.
func NewRegistry(cat *catalog.Catalog, endpoint string, svcs Services) (*api.Registry, error) {
	reg := api.NewRegistry()
	ecsAPI, err := apispec.ECS()
	if err != nil {
		return nil, err
	}
	if err := reg.Bind(ecsAPI, ecs.New(ecs.Deps{Catalog: cat, Endpoint: endpoint,
		SecurityGroups: svcs.SecurityGroups, KeyPairs: svcs.KeyPairs, Images: svcs.Images,
		Instances: svcs.Instances, Disks: svcs.Disks, Tags: svcs.Tags, DeploymentSets: svcs.DeploymentSets,
		ENIs: svcs.ENIs, Console: svcs.Console, Snapshots: svcs.Snapshots, Tasks: svcs.Tasks})); err != nil {
		return nil, err
	}
	vpcAPI, err := apispec.VPC()
	if err != nil {
		return nil, err
	}
	if err := reg.Bind(vpcAPI, vpc.New(vpc.Deps{Catalog: cat, Endpoint: endpoint, Network: svcs.Network, Tags: svcs.Tags})); err != nil {
		return nil, err
	}
	ramAPI, err := apispec.RAM()
	if err != nil {
		return nil, err
	}
	if err := reg.Bind(ramAPI, ramapi.New(ramapi.Deps{RAM: svcs.RAM})); err != nil {
		return nil, err
	}
	stsAPI, err := apispec.STS()
	if err != nil {
		return nil, err
	}
	if err := reg.Bind(stsAPI, stsapi.New(stsapi.Deps{STS: svcs.STS})); err != nil {
		return nil, err
	}
	return reg, nil
}

// credentialSource adapts the accounts service to the API front.
type credentialSource struct{ accts *accounts.Service }

func (c credentialSource) LookupAccessKey(ctx context.Context, id string) (api.Credential, error) {
	cred, err := c.accts.LookupAccessKey(ctx, id)
	if errors.Is(err, accounts.ErrUnknownAccessKey) {
		return api.Credential{}, api.ErrUnknownAccessKey
	}
	if err != nil {
		return api.Credential{}, err
	}
	return api.Credential{AccessKeyID: cred.AccessKeyID, Secret: cred.Secret, AccountID: cred.AccountID, Active: cred.Active,
		Principal: cred.Principal, SecurityToken: cred.SecurityToken, Expiration: cred.ExpiresAt}, nil
}

// ossCredentialSource adapts the accounts service to the object service: the
// same AccessKeys, RAM users' keys and STS tokens as the ECS API.
type ossCredentialSource struct {
	accts *accounts.Service
	clock clock.Clock
}

func (c ossCredentialSource) LookupAccessKey(ctx context.Context, id string) (objectstore.Credential, error) {
	cred, err := c.accts.LookupAccessKey(ctx, id)
	if errors.Is(err, accounts.ErrUnknownAccessKey) {
		return objectstore.Credential{}, objectstore.ErrUnknownAccessKey
	}
	if err != nil {
		return objectstore.Credential{}, err
	}
	// Token expiry is judged on the token clock (see Options.TokenClockOffset):
	// shift the expiration onto the object service's real clock.
	exp := cred.ExpiresAt
	if !exp.IsZero() {
		exp = exp.Add(time.Now().Sub(c.clock.Now()))
	}
	return objectstore.Credential{AccessKeyID: cred.AccessKeyID, Secret: cred.Secret, AccountID: cred.AccountID, Active: cred.Active,
		SecurityToken: cred.SecurityToken, Expiration: exp}, nil
}

// offsetClock is a clock shifted by a fixed offset.
type offsetClock struct {
	base   clock.Clock
	offset time.Duration
}

func (c offsetClock) Now() time.Time { return c.base.Now().Add(c.offset) }

func loadTLS(o Options, addr string) (*tls.Config, error) {
	certFile, keyFile := o.TLSCert, o.TLSKey
	if certFile == "" {
		certFile, keyFile = CertFile(o.DataDir), filepath.Join(o.DataDir, "tls", "key.pem")
	}
	host, _, _ := net.SplitHostPort(addr)
	cert, err := httpserve.EnsureSelfSigned(certFile, keyFile, []string{host})
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// CertFile is where the self-signed certificate of a data dir lives.
func CertFile(dataDir string) string { return filepath.Join(dataDir, "tls", "cert.pem") }

// CredentialsFile is where the generated root AccessKey of a data dir is kept, for
// `ecsd call` and for people.
func CredentialsFile(dataDir string) string { return filepath.Join(dataDir, "credentials.json") }

// StoredCredentials is the content of credentials.json.
type StoredCredentials struct {
	AccountId       int64  `json:"AccountId"`
	AccessKeyId     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
}

// bootstrapRoot makes sure the root account has an AccessKey. With
// Options.RootAccessKeyID/Secret (ECSD_ACCESS_KEY_ID/SECRET) that key is used; otherwise the first
// start generates one, stores it in the data dir and prints it once.
func bootstrapRoot(ctx context.Context, accts *accounts.Service, o Options, addr string, stdout io.Writer) error {
	akID, secret := o.RootAccessKeyID, o.RootAccessKeySecret
	if (akID == "") != (secret == "") {
		return errors.New("set both ECSD_ACCESS_KEY_ID and ECSD_ACCESS_KEY_SECRET, or neither")
	}
	root, err := accts.EnsureRoot(ctx, akID, secret)
	if err != nil {
		return fmt.Errorf("bootstrap root account: %w", err)
	}
	if akID != "" {
		return nil
	}
	// Write the file whenever it is missing, not only when the key was created: a
	// crash between the store's commit and this write must not lose the secret.
	path := CredentialsFile(o.DataDir)
	if _, err := os.Stat(path); err != nil {
		data, _ := json.MarshalIndent(StoredCredentials{root.AccountID, root.AccessKeyID, root.AccessKeySecret}, "", "  ")
		if err := atomicfile.Write(path, append(data, '\n'), 0o600); err != nil {
			return fmt.Errorf("store root credentials: %w", err)
		}
	}
	if !root.Created {
		return nil
	}
	fmt.Fprintf(stdout, `ecsd generated the root AccessKey (shown this once; also in %s):
  AccessKeyId:     %s
  AccessKeySecret: %s
Point clients at it, e.g.: aliyun ecs DescribeRegions --endpoint %s --insecure --region cn-hangzhou --access-key-id %s --access-key-secret <secret>
`, path, root.AccessKeyID, root.AccessKeySecret, addr, root.AccessKeyID)
	return nil
}
