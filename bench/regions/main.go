// Command regions measures the API front's throughput: signed DescribeRegions calls
// over loopback against a real ecsd handler (SQLite store, signature V1 check, nonce
// cache, JSON rendering), next to a bare net/http handler that returns the same body,
// measured in the same run with the same client. It prints requests/s for both and
// their ratio.
//
//	go run ./bench/regions -duration 5s -concurrency 16
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/httpserve"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

const (
	benchKeyID  = "LTAIbenchmarkkey000000001"
	benchSecret = "benchmarksecret00000000000001"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	concurrency := flag.Int("concurrency", 16, "concurrent client goroutines")
	rounds := flag.Int("rounds", 2, "measurements of each server, interleaved")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*duration, *concurrency, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(duration time.Duration, concurrency, rounds int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ecsd-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlstore.Open(ctx, "", dir)
	if err != nil {
		return err
	}
	defer st.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	ecsdLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	a, err := app.New(ctx, app.Options{DataDir: dir, RootAccessKeyID: benchKeyID, RootAccessKeySecret: benchSecret},
		st, ecsdLn.Addr().String(), io.Discard, logger)
	if err != nil {
		return err
	}
	ecsdSrv := httpserve.New(a.Handler, nil, logger)
	go ecsdSrv.Serve(ecsdLn)
	defer ecsdSrv.Shutdown(ctx)

	// The baseline answers with the body ecsd itself gives, so both move the same bytes.
	body, err := fetchOnce(ecsdLn.Addr().String())
	if err != nil {
		return err
	}
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	})}
	go bare.Serve(bareLn)
	defer bare.Close()

	var bareRPS, ecsdRPS float64
	for i := 0; i < rounds; i++ {
		b, err := measure(bareLn.Addr().String(), duration, concurrency)
		if err != nil {
			return err
		}
		e, err := measure(ecsdLn.Addr().String(), duration, concurrency)
		if err != nil {
			return err
		}
		fmt.Printf("round %d: bare net/http %8.0f req/s   ecsd DescribeRegions %8.0f req/s\n", i+1, b, e)
		bareRPS += b / float64(rounds)
		ecsdRPS += e / float64(rounds)
	}
	fmt.Printf("bare net/http handler:      %8.0f req/s\n", bareRPS)
	fmt.Printf("ecsd signed DescribeRegions: %8.0f req/s\n", ecsdRPS)
	fmt.Printf("ratio ecsd/bare:             %8.2f (target >= 0.5)\n", ecsdRPS/bareRPS)
	return nil
}

// signedURL returns a freshly signed DescribeRegions GET URL (a new nonce each time).
func signedURL(addr string, gen ids.Generator) string {
	p := url.Values{
		"Action": {"DescribeRegions"}, "Version": {"2014-05-26"}, "Format": {"JSON"}, "RegionId": {"cn-hangzhou"},
		"AccessKeyId": {benchKeyID}, "SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"},
		"SignatureNonce": {gen.NewRequestID()}, "Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
	}
	p.Set("Signature", sign.SignV1(http.MethodGet, p, benchSecret))
	return "http://" + addr + "/?" + p.Encode()
}

func fetchOnce(addr string) ([]byte, error) {
	resp, err := http.Get(signedURL(addr, ids.Random()))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("DescribeRegions: HTTP %d: %s", resp.StatusCode, body)
	}
	return body, err
}

// measure runs concurrency clients against addr for d and returns requests/s; any
// non-200 answer is an error.
func measure(addr string, d time.Duration, concurrency int) (float64, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}
	defer client.CloseIdleConnections()
	gen := ids.Random()
	var done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				resp, err := client.Get(signedURL(addr, gen))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds(), firstErr
}
