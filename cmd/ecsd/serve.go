package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/console"
	"github.com/ecsd/ecsd/internal/httpserve"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// serveOptions are the settings of `ecsd serve`.
type serveOptions struct {
	listen, dataDir, driver, storeDSN, config   string
	tlsCert, tlsKey, topology, endpoint         string
	publicIPPool                                string
	ossListen, ossDomain                        string
	logLevel                                    string
	simDelay, simSnapshotTime, simImageCopyTime time.Duration
	tokenClockOffset                            time.Duration
	consoleURLLifetime                          time.Duration
}

func serveFlags(o *serveOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("ecsd serve", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve the API on (plain HTTP and TLS on the same port)")
	fs.StringVar(&o.dataDir, "data-dir", defaultDataDir(), "directory for the SQLite store, credentials and TLS certificate")
	fs.StringVar(&o.driver, "driver", "sim", "compute driver: sim (simulated) or qemu (a QEMU process per instance, state in --data-dir/qemu; see docs/drivers.md)")
	fs.DurationVar(&o.simDelay, "sim-delay", 2*time.Second, "how long each transitional state (Pending, Starting, Stopping …) lasts with the sim driver")
	fs.DurationVar(&o.simImageCopyTime, "sim-image-copy-time", 10*time.Second, "how long a CopyImage takes: the copy's progress goes from 0% to 100% over it")
	fs.DurationVar(&o.simSnapshotTime, "sim-snapshot-time", 10*time.Second, "how long a snapshot (and a migrate_disk copy) takes with the sim volume driver: progress goes from 0% to 100% over it")
	fs.StringVar(&o.storeDSN, "store", "", "store: empty for SQLite in --data-dir, or postgres://user:pass@host/db")
	fs.StringVar(&o.config, "config", "", "YAML file whose keys are these flag names")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate (PEM); default: a self-signed one generated into --data-dir/tls")
	fs.StringVar(&o.tlsKey, "tls-key", "", "TLS private key (PEM) for --tls-cert")
	fs.StringVar(&o.topology, "topology", "", "YAML file with regions, zones and what each zone offers; default: built-in")
	fs.StringVar(&o.endpoint, "endpoint", "", "host:port clients use to reach this server (DescribeRegions' RegionEndpoint); default: --listen")
	fs.StringVar(&o.publicIPPool, "public-ip-pool", "", "CIDR block public IPs are allocated from (default 198.18.0.0/15)")
	fs.StringVar(&o.ossListen, "oss-listen", "127.0.0.1:8081", "address to serve the OSS-compatible object service on (plain HTTP and TLS); empty to disable it")
	fs.StringVar(&o.ossDomain, "oss-domain", "localhost", "base domain of virtual-host-style bucket addressing (<bucket>.<domain>); <bucket>.oss-<region>.<any host> works too")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&o.tokenClockOffset, "token-clock-offset", 0, "for tests only: shift the clock STS tokens are issued and expire by (e.g. 20m to see a 15-minute token expire)")
	fs.DurationVar(&o.consoleURLLifetime, "console-url-lifetime", console.DefaultURLLifetime, "how long a DescribeInstanceVncUrl URL can be opened")
	return fs
}

func defaultDataDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".ecsd")
	}
	return ".ecsd"
}

func runServe(args []string, stdout, stderr io.Writer) int {
	var o serveOptions
	fs := serveFlags(&o)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := applyLayeredConfig(fs, os.LookupEnv); err != nil {
		fmt.Fprintln(stderr, "ecsd serve:", err)
		return 2
	}
	logger := newLogger(stderr, o.logLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, o, stdout, logger); err != nil {
		logger.Error("ecsd serve failed", "err", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// serve runs the server until ctx is cancelled, then shuts down cleanly: in-flight
// requests finish and the store is closed.
func serve(ctx context.Context, o serveOptions, stdout io.Writer, logger *slog.Logger) error {
	if o.driver != "sim" && o.driver != "qemu" {
		return fmt.Errorf("--driver %q is not available: choose sim or qemu", o.driver)
	}
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	app.TuneGC(os.Getenv)
	st, err := sqlstore.Open(ctx, o.storeDSN, o.dataDir)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	a, err := app.New(ctx, app.Options{
		DataDir: o.dataDir, Driver: o.driver, Topology: o.topology, SimDelay: o.simDelay, SimSnapshotTime: o.simSnapshotTime, SimImageCopyTime: o.simImageCopyTime, PublicIPPool: o.publicIPPool, Endpoint: o.endpoint, TLSCert: o.tlsCert, TLSKey: o.tlsKey,
		ConsoleURLLifetime: o.consoleURLLifetime,
		RootAccessKeyID:    os.Getenv("ECSD_ACCESS_KEY_ID"), RootAccessKeySecret: os.Getenv("ECSD_ACCESS_KEY_SECRET"),
		TokenClockOffset: o.tokenClockOffset, OSSDomain: o.ossDomain,
	}, st, ln.Addr().String(), stdout, logger)
	if err != nil {
		ln.Close()
		return err
	}
	stopBackground := a.Start()
	defer stopBackground()
	// Both listeners are bound before either serves, so that a ready /healthz
	// means the object service is reachable too.
	var ossLn net.Listener
	if o.ossListen != "" {
		if ossLn, err = net.Listen("tcp", o.ossListen); err != nil {
			ln.Close()
			return fmt.Errorf("listen (--oss-listen): %w", err)
		}
	}
	srv := httpserve.New(a.Handler, a.TLSConfig, logger)
	served := make(chan error, 2)
	if ossLn != nil {
		ossSrv := httpserve.New(a.OSSHandler, a.TLSConfig, logger)
		go func() { served <- ossSrv.Serve(ossLn) }()
		defer func() {
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = ossSrv.Shutdown(shutdownCtx)
		}()
		logger.Info("object service listening", "addr", ossLn.Addr().String())
	}
	go func() { served <- srv.Serve(ln) }()
	logger.Info("ecsd listening", "addr", ln.Addr().String(), "data_dir", o.dataDir, "store", storeKind(o.storeDSN))

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func storeKind(dsn string) string {
	if dsn == "" {
		return "sqlite"
	}
	return "postgres"
}
