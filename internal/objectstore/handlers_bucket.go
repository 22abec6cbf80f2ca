package objectstore

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/ecsd/ecsd/internal/store"
)

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func ownerOf(accountID int64) owner {
	id := strconv.FormatInt(accountID, 10)
	return owner{id, id}
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	Location     string `xml:"Location"`
	CreationDate string `xml:"CreationDate"`
	StorageClass string `xml:"StorageClass"`
	Region       string `xml:"Region"`
}

func entryOf(b store.Bucket) bucketEntry {
	return bucketEntry{Name: b.Name, Location: "oss-" + b.RegionID, CreationDate: ossTime(b.CreatedAt), StorageClass: "Standard", Region: b.RegionID}
}

// maxKeys reads a max-keys style parameter: def when absent, 1..limit.
func maxKeys(v string, def, limit int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > limit {
		return 0, ErrInvalidArgument
	}
	return n, nil
}

func (h *Server) listBuckets(req *request) error {
	q := req.q
	max, err := maxKeys(q.Get("max-keys"), 100, 1000)
	if err != nil {
		return err
	}
	list, truncated, err := h.svc.ListBuckets(req.r.Context(), req.cred.AccountID, q.Get("prefix"), q.Get("marker"), max)
	if err != nil {
		return err
	}
	type result struct {
		XMLName     xml.Name      `xml:"ListAllMyBucketsResult"`
		Prefix      string        `xml:"Prefix"`
		Marker      string        `xml:"Marker"`
		MaxKeys     int           `xml:"MaxKeys"`
		IsTruncated bool          `xml:"IsTruncated"`
		NextMarker  string        `xml:"NextMarker,omitempty"`
		Owner       owner         `xml:"Owner"`
		Buckets     []bucketEntry `xml:"Buckets>Bucket"`
	}
	out := result{Prefix: q.Get("prefix"), Marker: q.Get("marker"), MaxKeys: max, IsTruncated: truncated, Owner: ownerOf(req.cred.AccountID)}
	for _, b := range list {
		out.Buckets = append(out.Buckets, entryOf(b))
	}
	if truncated && len(list) > 0 {
		out.NextMarker = list[len(list)-1].Name
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}

// putBucket creates a bucket in the region the endpoint names
// (oss-<region>.…), else the region of a V4 signature's scope, else the
// body's LocationConstraint, else the default region.
func (h *Server) putBucket(req *request) error {
	var conf struct {
		XMLName            xml.Name `xml:"CreateBucketConfiguration"`
		LocationConstraint string   `xml:"LocationConstraint"`
	}
	if req.r.ContentLength != 0 {
		if err := readXML(req.r, 64<<10, &conf); err != nil && req.r.ContentLength > 0 {
			return err
		}
	}
	region := req.addr.region
	if region == "" {
		region = req.sig.region
	}
	if region == "" {
		region = conf.LocationConstraint
		if len(region) > 4 && region[:4] == "oss-" {
			region = region[4:]
		}
	}
	if err := h.svc.CreateBucket(req.r.Context(), req.cred.AccountID, req.addr.bucket, region); err != nil {
		return err
	}
	req.w.Header().Set("Location", "/"+req.addr.bucket)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Server) getBucketLocation(req *request) error {
	b, err := h.svc.Bucket(req.r.Context(), req.cred.AccountID, req.addr.bucket)
	if err != nil {
		return err
	}
	type result struct {
		XMLName  xml.Name `xml:"LocationConstraint"`
		Location string   `xml:",chardata"`
	}
	writeXML(req.w, http.StatusOK, result{Location: "oss-" + b.RegionID})
	return nil
}

func (h *Server) getBucketInfo(req *request) error {
	b, err := h.svc.Bucket(req.r.Context(), req.cred.AccountID, req.addr.bucket)
	if err != nil {
		return err
	}
	type info struct {
		Name             string `xml:"Name"`
		Location         string `xml:"Location"`
		CreationDate     string `xml:"CreationDate"`
		ExtranetEndpoint string `xml:"ExtranetEndpoint"`
		IntranetEndpoint string `xml:"IntranetEndpoint"`
		ACL              string `xml:"AccessControlList>Grant"`
		Redundancy       string `xml:"DataRedundancyType"`
		Owner            owner  `xml:"Owner"`
		StorageClass     string `xml:"StorageClass"`
		Region           string `xml:"Region"`
	}
	type result struct {
		XMLName xml.Name `xml:"BucketInfo"`
		Bucket  info     `xml:"Bucket"`
	}
	e := entryOf(b)
	writeXML(req.w, http.StatusOK, result{Bucket: info{Name: b.Name, Location: e.Location, CreationDate: e.CreationDate,
		ExtranetEndpoint: req.r.Host, IntranetEndpoint: req.r.Host, ACL: "private", Redundancy: "LRS",
		Owner: ownerOf(b.AccountID), StorageClass: "Standard", Region: b.RegionID}})
	return nil
}

func (h *Server) getBucketACL(req *request) error {
	b, err := h.svc.Bucket(req.r.Context(), req.cred.AccountID, req.addr.bucket)
	if err != nil {
		return err
	}
	type result struct {
		XMLName xml.Name `xml:"AccessControlPolicy"`
		Owner   owner    `xml:"Owner"`
		Grant   string   `xml:"AccessControlList>Grant"`
	}
	writeXML(req.w, http.StatusOK, result{Owner: ownerOf(b.AccountID), Grant: "private"})
	return nil
}

type objectEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
}

// objectType is x-oss-object-type: Multipart for assembled objects.
func objectType(o store.Object) string {
	if len(o.ETag) > 2 && containsDash(o.ETag) {
		return "Multipart"
	}
	return "Normal"
}

func containsDash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			return true
		}
	}
	return false
}

// listObjects is ListObjects, and ListObjectsV2 with list-type=2.
func (h *Server) listObjects(req *request) error {
	q := req.q
	max, err := maxKeys(q.Get("max-keys"), 100, 1000)
	if err != nil {
		return err
	}
	v2 := q.Get("list-type") == "2"
	marker := q.Get("marker")
	if v2 {
		marker = q.Get("start-after")
		if t := q.Get("continuation-token"); t > marker {
			marker = t
		}
	}
	l, err := h.svc.ListObjects(req.r.Context(), req.cred.AccountID, req.addr.bucket, q.Get("prefix"), marker, q.Get("delimiter"), max)
	if err != nil {
		return err
	}
	enc := urlEncoder(q)
	var contents []objectEntry
	var own *owner
	if !v2 || q.Get("fetch-owner") == "true" {
		o := ownerOf(req.cred.AccountID)
		own = &o
	}
	for _, o := range l.Objects {
		contents = append(contents, objectEntry{Key: enc(o.Key), LastModified: ossTime(o.ModifiedAt), ETag: o.ETag,
			Type: objectType(o), Size: o.Size, StorageClass: "Standard", Owner: own})
	}
	var prefixes []string
	for _, p := range l.CommonPrefixes {
		prefixes = append(prefixes, enc(p))
	}
	if v2 {
		type result struct {
			XMLName               xml.Name      `xml:"ListBucketResult"`
			Name                  string        `xml:"Name"`
			Prefix                string        `xml:"Prefix"`
			StartAfter            string        `xml:"StartAfter,omitempty"`
			ContinuationToken     string        `xml:"ContinuationToken,omitempty"`
			MaxKeys               int           `xml:"MaxKeys"`
			Delimiter             string        `xml:"Delimiter"`
			EncodingType          string        `xml:"EncodingType,omitempty"`
			IsTruncated           bool          `xml:"IsTruncated"`
			NextContinuationToken string        `xml:"NextContinuationToken,omitempty"`
			KeyCount              int           `xml:"KeyCount"`
			Contents              []objectEntry `xml:"Contents"`
			CommonPrefixes        []string      `xml:"CommonPrefixes>Prefix"`
		}
		writeXML(req.w, http.StatusOK, result{Name: req.addr.bucket, Prefix: enc(q.Get("prefix")), StartAfter: enc(q.Get("start-after")),
			ContinuationToken: q.Get("continuation-token"), MaxKeys: max, Delimiter: enc(q.Get("delimiter")), EncodingType: q.Get("encoding-type"),
			IsTruncated: l.Truncated, NextContinuationToken: l.NextMarker, KeyCount: len(contents) + len(prefixes),
			Contents: contents, CommonPrefixes: prefixes})
		return nil
	}
	type result struct {
		XMLName        xml.Name      `xml:"ListBucketResult"`
		Name           string        `xml:"Name"`
		Prefix         string        `xml:"Prefix"`
		Marker         string        `xml:"Marker"`
		MaxKeys        int           `xml:"MaxKeys"`
		Delimiter      string        `xml:"Delimiter"`
		EncodingType   string        `xml:"EncodingType,omitempty"`
		IsTruncated    bool          `xml:"IsTruncated"`
		NextMarker     string        `xml:"NextMarker,omitempty"`
		Contents       []objectEntry `xml:"Contents"`
		CommonPrefixes []string      `xml:"CommonPrefixes>Prefix"`
	}
	writeXML(req.w, http.StatusOK, result{Name: req.addr.bucket, Prefix: enc(q.Get("prefix")), Marker: enc(marker), MaxKeys: max,
		Delimiter: enc(q.Get("delimiter")), EncodingType: q.Get("encoding-type"), IsTruncated: l.Truncated, NextMarker: enc(l.NextMarker),
		Contents: contents, CommonPrefixes: prefixes})
	return nil
}

func (h *Server) listUploads(req *request) error {
	ups, err := h.svc.ListUploads(req.r.Context(), req.cred.AccountID, req.addr.bucket, 1000)
	if err != nil {
		return err
	}
	enc := urlEncoder(req.q)
	type upload struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiated string `xml:"Initiated"`
	}
	type result struct {
		XMLName    xml.Name `xml:"ListMultipartUploadsResult"`
		Bucket     string   `xml:"Bucket"`
		MaxUploads int      `xml:"MaxUploads"`
		Truncated  bool     `xml:"IsTruncated"`
		Uploads    []upload `xml:"Upload"`
	}
	out := result{Bucket: req.addr.bucket, MaxUploads: 1000}
	for _, u := range ups {
		out.Uploads = append(out.Uploads, upload{enc(u.Key), u.ID, ossTime(u.InitiatedAt)})
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}

// deleteObjects is DeleteMultipleObjects.
func (h *Server) deleteObjects(req *request) error {
	var in struct {
		XMLName xml.Name `xml:"Delete"`
		Quiet   bool     `xml:"Quiet"`
		Objects []struct {
			Key string `xml:"Key"`
		} `xml:"Object"`
	}
	if err := readXML(req.r, 2<<20, &in); err != nil {
		return err
	}
	if len(in.Objects) == 0 || len(in.Objects) > 1000 {
		return ErrMalformedXML
	}
	type deleted struct {
		Key string `xml:"Key"`
	}
	type result struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}
	enc := urlEncoder(req.q)
	out := result{EncodingType: req.q.Get("encoding-type")}
	for _, o := range in.Objects {
		if err := h.svc.DeleteObject(req.r.Context(), req.cred.AccountID, req.addr.bucket, o.Key); err != nil {
			return err
		}
		if !in.Quiet {
			out.Deleted = append(out.Deleted, deleted{enc(o.Key)})
		}
	}
	writeXML(req.w, http.StatusOK, out)
	return nil
}
