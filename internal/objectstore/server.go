package objectstore

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
)

// ServerConfig wires a Server.
type ServerConfig struct {
	Service     *Service
	Credentials CredentialSource
	Clock       clock.Clock
	// Domain is the base domain of virtual-host-style addressing:
	// <bucket>.<Domain> names a bucket (besides <bucket>.oss-<region>.<any>).
	// Empty for "localhost".
	Domain string
	// HostID is shown in error answers (<HostId>).
	HostID string
	Logger *slog.Logger
}

// Server serves the OSS HTTP API (XML) for the object service.
type Server struct {
	svc    *Service
	creds  CredentialSource
	clock  clock.Clock
	domain string
	hostID string
	logger *slog.Logger
}

// NewServer returns the OSS HTTP front of svc.
func NewServer(c ServerConfig) *Server {
	domain := strings.ToLower(c.Domain)
	if domain == "" {
		domain = "localhost"
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Server{svc: c.Service, creds: c.Credentials, clock: c.Clock, domain: domain, hostID: c.HostID, logger: logger}
}

// address is where a request points.
type address struct {
	bucket, key string
	// region is named by the host (oss-<region>.…), "" otherwise.
	region string
}

// parseAddress reads the bucket, key and region of a request: virtual-host
// style (<bucket>.oss-<region>.<any>, <bucket>.<domain>) or path style
// (/<bucket>/<key>, on an IP address, localhost, oss-<region>.<any> or any
// other host).
func (h *Server) parseAddress(r *http.Request) address {
	host := strings.ToLower(r.Host)
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	host = strings.Trim(host, "[]")
	var a address
	virtual := false
	if net.ParseIP(host) == nil {
		labels := strings.Split(host, ".")
		for i, l := range labels {
			if strings.HasPrefix(l, "oss-") && i <= 1 {
				a.region = strings.TrimSuffix(strings.TrimPrefix(l, "oss-"), "-internal")
				if i == 1 {
					a.bucket, virtual = labels[0], true
				}
				break
			}
		}
		if !virtual && a.region == "" && strings.HasSuffix(host, "."+h.domain) {
			if b := strings.TrimSuffix(host, "."+h.domain); !strings.Contains(b, ".") {
				a.bucket, virtual = b, true
			}
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if virtual {
		a.key = path
	} else {
		a.bucket, a.key, _ = strings.Cut(path, "/")
	}
	return a
}

// request is one call being served.
type request struct {
	w         http.ResponseWriter
	r         *http.Request
	q         url.Values
	addr      address
	cred      Credential
	sig       signature
	requestID string
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// ServeHTTP authenticates the request and dispatches it on method, address
// and subresource.
func (h *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{w: w, r: r, q: r.URL.Query(), addr: h.parseAddress(r), requestID: newRequestID()}
	w.Header().Set("x-oss-request-id", req.requestID)
	w.Header().Set("Server", "AliyunOSS")
	w.Header().Set("Date", h.clock.Now().UTC().Format(http.TimeFormat))
	cred, sig, err := h.authenticate(r, req.addr.bucket, req.addr.key)
	if err != nil {
		h.fail(req, err)
		return
	}
	req.cred, req.sig = cred, sig
	if err := h.dispatch(req); err != nil {
		h.fail(req, err)
	}
}

func (h *Server) dispatch(req *request) error {
	a, q, method := req.addr, req.q, req.r.Method
	has := func(k string) bool { _, ok := q[k]; return ok }
	switch {
	case a.bucket == "":
		if method == http.MethodGet {
			return h.listBuckets(req)
		}
	case a.key == "":
		switch method {
		case http.MethodPut:
			if has("acl") {
				return ErrNotImplemented
			}
			return h.putBucket(req)
		case http.MethodGet:
			switch {
			case has("location"):
				return h.getBucketLocation(req)
			case has("bucketInfo"):
				return h.getBucketInfo(req)
			case has("acl"):
				return h.getBucketACL(req)
			case has("uploads"):
				return h.listUploads(req)
			default:
				return h.listObjects(req)
			}
		case http.MethodHead:
			_, err := h.svc.Bucket(req.r.Context(), req.cred.AccountID, a.bucket)
			return err
		case http.MethodDelete:
			if err := h.svc.DeleteBucket(req.r.Context(), req.cred.AccountID, a.bucket); err != nil {
				return err
			}
			req.w.WriteHeader(http.StatusNoContent)
			return nil
		case http.MethodPost:
			if has("delete") {
				return h.deleteObjects(req)
			}
		}
	default:
		switch method {
		case http.MethodPut:
			if has("uploadId") {
				return h.uploadPart(req)
			}
			if req.r.Header.Get("X-Oss-Copy-Source") != "" || has("acl") || has("tagging") || has("symlink") {
				return ErrNotImplemented
			}
			return h.putObject(req)
		case http.MethodGet:
			if has("uploadId") {
				return h.listParts(req)
			}
			return h.getObject(req)
		case http.MethodHead:
			return h.headObject(req)
		case http.MethodPost:
			if has("uploads") {
				return h.initiateUpload(req)
			}
			if has("uploadId") {
				return h.completeUpload(req)
			}
		case http.MethodDelete:
			if has("uploadId") {
				if err := h.svc.AbortUpload(req.r.Context(), req.cred.AccountID, a.bucket, a.key, q.Get("uploadId")); err != nil {
					return err
				}
				req.w.WriteHeader(http.StatusNoContent)
				return nil
			}
			if err := h.svc.DeleteObject(req.r.Context(), req.cred.AccountID, a.bucket, a.key); err != nil {
				return err
			}
			req.w.WriteHeader(http.StatusNoContent)
			return nil
		}
	}
	return ErrMethodNotAllowed
}

// errorBody is OSS's error document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
	Bucket    string   `xml:"BucketName,omitempty"`
}

// fail answers err as an OSS error (no body for HEAD).
func (h *Server) fail(req *request, err error) {
	e := errorOf(err)
	if e.Status >= 500 {
		h.logger.Error("object service", "method", req.r.Method, "bucket", req.addr.bucket, "key", req.addr.key, "err", err)
	}
	req.w.Header().Set("x-oss-ec", "0000-00000000")
	if req.r.Method == http.MethodHead {
		req.w.WriteHeader(e.Status)
		return
	}
	body := errorBody{Code: e.Code, Message: e.Message, RequestID: req.requestID, HostID: h.hostID}
	if e.Code == "NoSuchBucket" || e.Code == "BucketNotEmpty" || e.Code == "BucketAlreadyExists" {
		body.Bucket = req.addr.bucket
	}
	writeXML(req.w, e.Status, body)
}

// writeXML renders v as an XML document.
func writeXML(w http.ResponseWriter, status int, v any) {
	data, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(data)
}

// readXML decodes a small XML request body into v (MalformedXML otherwise).
func readXML(r *http.Request, limit int64, v any) error {
	if err := xml.NewDecoder(io.LimitReader(r.Body, limit)).Decode(v); err != nil {
		return ErrMalformedXML
	}
	return nil
}

// ossTime is OSS's time format in XML.
func ossTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// urlEncoder returns the encoding of keys in listings: url.QueryEscape with
// encoding-type=url (the SDK asks for it and decodes), identity otherwise.
func urlEncoder(q url.Values) func(string) string {
	if q.Get("encoding-type") == "url" {
		return url.QueryEscape
	}
	return func(s string) string { return s }
}
