package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/accounts"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

const adminAccountUsage = `usage: ecsd admin account create NAME            create an account (a tenant), print its first AccessKey as JSON
       ecsd admin account disable|enable NAME_OR_ID  refuse (or accept again) every key of the account at once
       ecsd admin account list                    print every account as JSON
flags, anywhere on the line: --data-dir D --store DSN, as for ecsd serve (or ECSD_DATA_DIR, ECSD_STORE)`

// accountJSON is how `ecsd admin account` prints an account.
type accountJSON struct {
	AccountId       int64  `json:"AccountId"`
	AccountName     string `json:"AccountName"`
	AccessKeyId     string `json:"AccessKeyId,omitempty"`
	AccessKeySecret string `json:"AccessKeySecret,omitempty"`
	Status          string `json:"Status,omitempty"`
	CreateTime      string `json:"CreateTime,omitempty"`
}

// runAdminAccount runs `ecsd admin account VERB …` against the server's store.
func runAdminAccount(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, adminAccountUsage)
		return 2
	}
	verb := args[0]
	wantArgs := map[string]int{"create": 1, "disable": 1, "enable": 1, "list": 0}
	n, ok := wantArgs[verb]
	if !ok {
		fmt.Fprintln(stderr, adminAccountUsage)
		return 2
	}
	fs := flag.NewFlagSet("ecsd admin account "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", defaultDataDir(), "the server's data dir")
	storeDSN := fs.String("store", "", "the server's store (empty: SQLite in --data-dir)")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return 2
	}
	if err := applyLayeredConfig(fs, os.LookupEnv); err != nil {
		fmt.Fprintln(stderr, "ecsd admin:", err)
		return 2
	}
	if len(positional) != n {
		fmt.Fprintln(stderr, adminAccountUsage)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlstore.Open(ctx, *storeDSN, *dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "ecsd admin: open store:", err)
		return 1
	}
	defer st.Close()
	svc := accounts.New(st, ids.Random(), clock.Real{})
	out, err := adminAccount(ctx, svc, verb, positional)
	if err != nil {
		fmt.Fprintln(stderr, "ecsd admin:", err)
		return 1
	}
	data, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintln(stdout, string(data))
	return 0
}

// adminAccount performs one verb and returns what to print.
func adminAccount(ctx context.Context, svc *accounts.Service, verb string, args []string) (any, error) {
	switch verb {
	case "create":
		a, err := svc.CreateAccount(ctx, args[0])
		if err != nil {
			return nil, err
		}
		return accountJSON{AccountId: a.AccountID, AccountName: a.AccountName, AccessKeyId: a.AccessKeyID, AccessKeySecret: a.AccessKeySecret}, nil
	case "disable", "enable":
		a, err := svc.SetAccountEnabled(ctx, args[0], verb == "enable")
		if err != nil {
			return nil, err
		}
		return accountJSON{AccountId: a.ID, AccountName: a.Name, Status: a.Status}, nil
	default:
		list, err := svc.ListAccounts(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]accountJSON, 0, len(list))
		for _, a := range list {
			out = append(out, accountJSON{AccountId: a.ID, AccountName: a.Name, Status: a.Status,
				CreateTime: a.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")})
		}
		return out, nil
	}
}
