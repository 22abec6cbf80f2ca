package objectstore

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// contentMD5 decodes the Content-MD5 header (nil when absent).
func contentMD5(r *http.Request) ([]byte, error) {
	v := r.Header.Get("Content-MD5")
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 16 {
		return nil, ErrInvalidDigest
	}
	return b, nil
}

func contentType(r *http.Request) string {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

func (h *Server) putObject(req *request) error {
	md5, err := contentMD5(req.r)
	if err != nil {
		return err
	}
	o, err := h.svc.PutObject(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key, contentType(req.r), req.r.Body, md5)
	if err != nil {
		return err
	}
	req.w.Header().Set("ETag", o.ETag)
	req.w.Header().Set("x-oss-hash-crc64ecma", o.CRC64)
	req.w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(etagMD5(o.ETag)))
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// etagMD5 returns the MD5 of a single-part ETag.
func etagMD5(etag string) []byte {
	var b [16]byte
	n, _ := fmt.Sscanf(strings.Trim(etag, `"`), "%32X", &b)
	if n != 1 {
		return nil
	}
	return b[:]
}

// objectHeaders sets the metadata headers of GetObject and HeadObject.
func objectHeaders(w http.ResponseWriter, o store.Object) {
	w.Header().Set("Content-Type", o.ContentType)
	w.Header().Set("ETag", o.ETag)
	w.Header().Set("Last-Modified", o.ModifiedAt.UTC().Format(http.TimeFormat))
	w.Header().Set("x-oss-object-type", objectType(o))
	w.Header().Set("x-oss-storage-class", "Standard")
	w.Header().Set("Accept-Ranges", "bytes")
}

func (h *Server) headObject(req *request) error {
	o, err := h.svc.HeadObject(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key)
	if err != nil {
		return err
	}
	objectHeaders(req.w, o)
	req.w.Header().Set("Content-Length", strconv.FormatInt(o.Size, 10))
	req.w.Header().Set("x-oss-hash-crc64ecma", o.CRC64)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// parseRange reads a single "bytes=first-last", "bytes=first-" or
// "bytes=-suffix" range of an object of size bytes. ok is false for a missing
// or malformed range (OSS then sends the whole object); a range that starts
// past the end is ErrInvalidRange.
func parseRange(v string, size int64) (start, end int64, ok bool, err error) {
	spec, found := strings.CutPrefix(v, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, nil
	}
	if first == "" {
		n, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || n <= 0 {
			return 0, 0, false, nil
		}
		if n > size {
			n = size
		}
		if size == 0 {
			return 0, 0, false, ErrInvalidRange
		}
		return size - n, size - 1, true, nil
	}
	start, perr := strconv.ParseInt(first, 10, 64)
	if perr != nil || start < 0 {
		return 0, 0, false, nil
	}
	end = size - 1
	if last != "" {
		if end, perr = strconv.ParseInt(last, 10, 64); perr != nil || end < start {
			return 0, 0, false, nil
		}
		if end > size-1 {
			end = size - 1
		}
	}
	if start >= size {
		return 0, 0, false, ErrInvalidRange
	}
	return start, end, true, nil
}

func (h *Server) getObject(req *request) error {
	o, f, err := h.svc.GetObject(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key)
	if err != nil {
		return err
	}
	defer f.Close()
	start, end, partial, err := parseRange(req.r.Header.Get("Range"), o.Size)
	if err != nil {
		return err
	}
	objectHeaders(req.w, o)
	for _, k := range []string{"content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"} {
		if v := req.q.Get("response-" + k); v != "" {
			req.w.Header().Set(k, v)
		}
	}
	if !partial {
		req.w.Header().Set("Content-Length", strconv.FormatInt(o.Size, 10))
		req.w.Header().Set("x-oss-hash-crc64ecma", o.CRC64)
		req.w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(req.w, f)
		return nil
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return err
	}
	req.w.Header().Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	req.w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, o.Size))
	req.w.WriteHeader(http.StatusPartialContent)
	_, _ = io.CopyN(req.w, f, end-start+1)
	return nil
}

func (h *Server) initiateUpload(req *request) error {
	id, err := h.svc.InitiateUpload(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key, contentType(req.r))
	if err != nil {
		return err
	}
	type result struct {
		XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		UploadID     string   `xml:"UploadId"`
		EncodingType string   `xml:"EncodingType,omitempty"`
	}
	writeXML(req.w, http.StatusOK, result{Bucket: req.addr.bucket, Key: urlEncoder(req.q)(req.addr.key), UploadID: id,
		EncodingType: req.q.Get("encoding-type")})
	return nil
}

func (h *Server) uploadPart(req *request) error {
	n, err := strconv.Atoi(req.q.Get("partNumber"))
	if err != nil {
		return ErrInvalidArgument
	}
	md5, err := contentMD5(req.r)
	if err != nil {
		return err
	}
	p, err := h.svc.UploadPart(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key, req.q.Get("uploadId"), n, req.r.Body, md5)
	if err != nil {
		return err
	}
	req.w.Header().Set("ETag", p.ETag)
	req.w.Header().Set("x-oss-hash-crc64ecma", p.CRC64)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Server) completeUpload(req *request) error {
	var in struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []struct {
			Number int    `xml:"PartNumber"`
			ETag   string `xml:"ETag"`
		} `xml:"Part"`
	}
	if err := readXML(req.r, 4<<20, &in); err != nil {
		return err
	}
	want := make([]CompletedPart, len(in.Parts))
	for i, p := range in.Parts {
		want[i] = CompletedPart{p.Number, p.ETag}
	}
	o, err := h.svc.CompleteUpload(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key, req.q.Get("uploadId"), want)
	if err != nil {
		return err
	}
	type result struct {
		XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
		EncodingType string   `xml:"EncodingType,omitempty"`
		Location     string   `xml:"Location"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		ETag         string   `xml:"ETag"`
	}
	req.w.Header().Set("x-oss-hash-crc64ecma", o.CRC64)
	writeXML(req.w, http.StatusOK, result{EncodingType: req.q.Get("encoding-type"), Location: "http://" + req.r.Host + "/" + req.addr.bucket + "/" + req.addr.key,
		Bucket: req.addr.bucket, Key: urlEncoder(req.q)(req.addr.key), ETag: o.ETag})
	return nil
}

func (h *Server) listParts(req *request) error {
	max, err := maxKeys(req.q.Get("max-parts"), 1000, 1000)
	if err != nil {
		return err
	}
	after := 0
	if v := req.q.Get("part-number-marker"); v != "" {
		if after, err = strconv.Atoi(v); err != nil || after < 0 {
			return ErrInvalidArgument
		}
	}
	uploadID := req.q.Get("uploadId")
	parts, truncated, err := h.svc.ListParts(req.r.Context(), req.cred.AccountID, req.addr.bucket, req.addr.key, uploadID, after, max)
	if err != nil {
		return err
	}
	type part struct {
		Number       int    `xml:"PartNumber"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
	}
	type result struct {
		XMLName              xml.Name `xml:"ListPartsResult"`
		EncodingType         string   `xml:"EncodingType,omitempty"`
		Bucket               string   `xml:"Bucket"`
		Key                  string   `xml:"Key"`
		UploadID             string   `xml:"UploadId"`
		PartNumberMarker     int      `xml:"PartNumberMarker"`
		NextPartNumberMarker int      `xml:"NextPartNumberMarker"`
		MaxParts             int      `xml:"MaxParts"`
		IsTruncated          bool     `xml:"IsTruncated"`
		Parts                []part   `xml:"Part"`
	}
	out := result{EncodingType: req.q.Get("encoding-type"), Bucket: req.addr.bucket, Key: urlEncoder(req.q)(req.addr.key), UploadID: uploadID,
		PartNumberMarker: after, MaxParts: max, IsTruncated: truncated}
	for _, p := range parts {
		out.Parts = append(out.Parts, part{p.Number, ossTime(p.ModifiedAt), p.ETag, p.Size})
		out.NextPartNumberMarker = p.Number
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}
