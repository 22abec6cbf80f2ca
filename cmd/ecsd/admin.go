package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/accounts"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// runAdmin runs administrative commands against the store a server uses; they
// work while `ecsd serve` runs (SQLite in WAL mode and PostgreSQL both allow it).
//
//	ecsd admin instance lock|unlock [--account-id N] INSTANCE_ID
//	ecsd admin account create NAME | disable|enable NAME_OR_ID | list
//	ecsd admin image import FILE [--image-id m-… --name N --kernel K …]
func runAdmin(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "account" {
		return runAdminAccount(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "image" {
		return runAdminImage(args[1:], stdout, stderr)
	}
	if len(args) < 2 || args[0] != "instance" || (args[1] != "lock" && args[1] != "unlock") {
		fmt.Fprintln(stderr, "usage: ecsd admin instance lock|unlock [--data-dir D] [--store DSN] [--account-id N] INSTANCE_ID")
		fmt.Fprintln(stderr, "       ecsd admin account create NAME | disable|enable NAME_OR_ID | list [--data-dir D] [--store DSN]")
		fmt.Fprintln(stderr, "       ecsd admin image import FILE [--image-id m-…] [--name N] [--kernel K --initrd I --cmdline C] [--data-dir D]")
		return 2
	}
	locked := args[1] == "lock"
	fs := flag.NewFlagSet("ecsd admin instance "+args[1], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", defaultDataDir(), "the server's data dir")
	storeDSN := fs.String("store", "", "the server's store (empty: SQLite in --data-dir)")
	accountID := fs.Int64("account-id", 0, "the instance's account (default: the root account)")
	positional, err := parseInterspersed(fs, args[2:])
	if err != nil {
		return 2
	}
	if err := applyLayeredConfig(fs, os.LookupEnv); err != nil {
		fmt.Fprintln(stderr, "ecsd admin:", err)
		return 2
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "ecsd admin: name exactly one instance")
		return 2
	}
	instanceID := positional[0]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := lockInstance(ctx, *dataDir, *storeDSN, *accountID, instanceID, locked); err != nil {
		fmt.Fprintln(stderr, "ecsd admin:", err)
		return 1
	}
	state := "unlocked"
	if locked {
		state = "locked for security"
	}
	fmt.Fprintf(stdout, "%s %s\n", instanceID, state)
	return 0
}

// lockInstance sets or clears an instance's security lock (guide 1.18.7).
func lockInstance(ctx context.Context, dataDir, dsn string, accountID int64, instanceID string, locked bool) error {
	st, err := sqlstore.Open(ctx, dsn, dataDir)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	gen, clk := ids.Random(), clock.Real{}
	if accountID == 0 {
		if accountID, err = accounts.New(st, gen, clk).RootAccountID(ctx); err != nil {
			return fmt.Errorf("find the root account: %w", err)
		}
	}
	cat, err := catalog.NewDefault()
	if err != nil {
		return err
	}
	compute, err := sim.New(sim.Config{}, clk)
	if err != nil {
		return err
	}
	volumes, err := sim.NewVolumes(sim.VolumeConfig{}, clk)
	if err != nil {
		return err
	}
	// The admin command runs no task runner: "admin" names it in leases it never takes.
	svcs, err := app.NewServices(st, gen, clk, cat, app.Drivers{Compute: compute, Volumes: volumes},
		slog.New(slog.NewTextHandler(io.Discard, nil)), netip.Prefix{}, "admin")
	if err != nil {
		return err
	}
	return svcs.Instances.LockForSecurity(ctx, accountID, instanceID, locked)
}

// parseInterspersed parses fs's flags wherever they come among args and
// returns the positional arguments, in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
}
