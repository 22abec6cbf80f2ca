package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/ids"
)

// callOptions are the settings of `ecsd call`.
type callOptions struct {
	endpoint, dataDir, version, region, method string
	insecure                                   bool
}

func runCall(args []string, stdout, stderr io.Writer) int {
	var o callOptions
	fs := flag.NewFlagSet("ecsd call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.endpoint, "endpoint", "", "server URL or host:port (default: http:// + ECSD_LISTEN or 127.0.0.1:8080)")
	fs.StringVar(&o.dataDir, "data-dir", defaultDataDir(), "data dir whose credentials.json to use when ECSD_ACCESS_KEY_ID is not set")
	fs.StringVar(&o.version, "version", apispec.ECSVersion, "API version (2016-04-28 for the VPC API)")
	fs.StringVar(&o.region, "region", "", "RegionId to send (default: none, the server's default region)")
	fs.StringVar(&o.method, "method", http.MethodPost, "HTTP method: POST or GET")
	fs.BoolVar(&o.insecure, "insecure", false, "with https://, do not verify the server certificate")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ecsd call [flags] ACTION [Key=Value ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := applyLayeredConfig(fs, os.LookupEnv); err != nil {
		fmt.Fprintln(stderr, "ecsd call:", err)
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	status, body, err := doCall(o, fs.Arg(0), fs.Args()[1:])
	if err != nil {
		fmt.Fprintln(stderr, "ecsd call:", err)
		return 1
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") == nil {
		body = append(pretty.Bytes(), '\n')
	}
	if status >= 300 {
		stderr.Write(body)
		return 1
	}
	stdout.Write(body)
	return 0
}

// doCall signs one request with signature V1 and returns the answer's status and body.
func doCall(o callOptions, action string, kvs []string) (int, []byte, error) {
	akID, secret, err := callCredentials(o.dataDir)
	if err != nil {
		return 0, nil, err
	}
	params := url.Values{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return 0, nil, fmt.Errorf("argument %q is not Key=Value", kv)
		}
		params.Add(k, v)
	}
	if o.region != "" {
		params.Set("RegionId", o.region)
	}
	params.Set("Action", action)
	params.Set("Version", o.version)
	params.Set("Format", "JSON")
	params.Set("AccessKeyId", akID)
	params.Set("SignatureMethod", "HMAC-SHA1")
	params.Set("SignatureVersion", "1.0")
	params.Set("SignatureNonce", ids.Random().NewRequestID())
	params.Set("Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z"))
	method := strings.ToUpper(o.method)
	params.Set("Signature", sign.SignV1(method, params, secret))

	base := callEndpoint(o.endpoint)
	client, err := callClient(base, o)
	if err != nil {
		return 0, nil, err
	}
	var req *http.Request
	if method == http.MethodGet {
		req, err = http.NewRequest(method, base+"/?"+params.Encode(), nil)
	} else {
		req, err = http.NewRequest(method, base+"/", strings.NewReader(params.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

func callEndpoint(endpoint string) string {
	if endpoint == "" {
		endpoint = os.Getenv("ECSD_LISTEN")
	}
	if endpoint == "" {
		endpoint = "127.0.0.1:8080"
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	return strings.TrimRight(endpoint, "/")
}

// callClient trusts the data dir's self-signed certificate for https:// endpoints.
func callClient(base string, o callOptions) (*http.Client, error) {
	client := &http.Client{Timeout: 60 * time.Second}
	if !strings.HasPrefix(base, "https://") {
		return client, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: o.insecure} //nolint:gosec // explicit opt-in flag
	if pem, err := os.ReadFile(app.CertFile(o.dataDir)); err == nil && !o.insecure {
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(pem)
		cfg.RootCAs = pool
	}
	client.Transport = &http.Transport{TLSClientConfig: cfg}
	return client, nil
}

// callCredentials reads ECSD_ACCESS_KEY_ID/SECRET, or the data dir's credentials.json.
func callCredentials(dataDir string) (string, string, error) {
	akID, secret := os.Getenv("ECSD_ACCESS_KEY_ID"), os.Getenv("ECSD_ACCESS_KEY_SECRET")
	if akID != "" && secret != "" {
		return akID, secret, nil
	}
	data, err := os.ReadFile(app.CredentialsFile(dataDir))
	if err != nil {
		return "", "", errors.New("no credentials: set ECSD_ACCESS_KEY_ID and ECSD_ACCESS_KEY_SECRET, or point --data-dir at the server's data dir")
	}
	var c app.StoredCredentials
	if err := json.Unmarshal(data, &c); err != nil {
		return "", "", fmt.Errorf("read credentials.json: %w", err)
	}
	return c.AccessKeyId, c.AccessKeySecret, nil
}
