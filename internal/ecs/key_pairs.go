package ecs

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/keypair"
	"github.com/ecsd/ecsd/internal/store"
)

// Paging and list limits of the key-pair actions (guide 1.12.5, 1.12.6).
const (
	keyPairPageSizeDefault = 10
	maxKeyPairNames        = 100
)

// keyPairTimeLayout is how Alibaba Cloud renders CreationTime: ISO 8601 in UTC,
// to the minute (guide 1.18.8).
const keyPairTimeLayout = "2006-01-02T15:04Z"

// KeyPairTagParam is one Tag.N of a key-pair request.
type KeyPairTagParam struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

// CreateKeyPairRequest holds the parameters of CreateKeyPair (guide 1.12.1).
type CreateKeyPairRequest struct {
	// RegionId is the key pair's region (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// KeyPairName names the key pair, unique per account and region.
	KeyPairName string `param:"KeyPairName,required"`
	// Tag are the SDK's Tag.N (up to 20): tags to put on the key pair.
	Tag []KeyPairTagParam `param:"Tag" maxItems:"20"`
}

// CreateKeyPairResponse is the answer of CreateKeyPair.
type CreateKeyPairResponse struct {
	KeyPairName        string `json:"KeyPairName"`
	KeyPairFingerPrint string `json:"KeyPairFingerPrint"`
	// PrivateKeyBody is the unencrypted PEM PKCS #8 private key; it is not kept.
	PrivateKeyBody string `json:"PrivateKeyBody"`
}

// CreateKeyPair generates a 2048-bit RSA key pair, keeps its public key and
// answers its private key (guide 1.12.1).
func (h *Handlers) CreateKeyPair(ctx context.Context, req *CreateKeyPairRequest) (*CreateKeyPairResponse, error) {
	c, err := h.deps.KeyPairs.Create(ctx, keypair.Request{Owner: keyPairOwner(ctx), Name: req.KeyPairName, Tags: keyPairTags(req.Tag)})
	if err != nil {
		return nil, err
	}
	return &CreateKeyPairResponse{
		KeyPairName:        c.KeyPair.Name,
		KeyPairFingerPrint: c.KeyPair.FingerPrint,
		PrivateKeyBody:     c.PrivateKeyPEM,
	}, nil
}

// ImportKeyPairRequest holds the parameters of ImportKeyPair (guide 1.12.2).
type ImportKeyPairRequest struct {
	// RegionId is the key pair's region (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// KeyPairName names the key pair, unique per account and region.
	KeyPairName string `param:"KeyPairName,required"`
	// PublicKeyBody is the public key (formats: keypair.ParsePublicKey).
	PublicKeyBody string `param:"PublicKeyBody,required"`
	// Tag are the SDK's Tag.N (up to 20): tags to put on the key pair.
	Tag []KeyPairTagParam `param:"Tag" maxItems:"20"`
}

// ImportKeyPairResponse is the answer of ImportKeyPair.
type ImportKeyPairResponse struct {
	KeyPairName        string `json:"KeyPairName"`
	KeyPairFingerPrint string `json:"KeyPairFingerPrint"`
}

// ImportKeyPair keeps a public key made elsewhere (guide 1.12.2).
func (h *Handlers) ImportKeyPair(ctx context.Context, req *ImportKeyPairRequest) (*ImportKeyPairResponse, error) {
	r := keypair.Request{Owner: keyPairOwner(ctx), Name: req.KeyPairName, Tags: keyPairTags(req.Tag)}
	k, err := h.deps.KeyPairs.Import(ctx, r, req.PublicKeyBody)
	if err != nil {
		return nil, err
	}
	return &ImportKeyPairResponse{KeyPairName: k.Name, KeyPairFingerPrint: k.FingerPrint}, nil
}

// DescribeKeyPairsRequest holds the parameters of DescribeKeyPairs (guide 1.12.6).
type DescribeKeyPairsRequest struct {
	// RegionId is the region listed (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// KeyPairName selects by name; '*' matches any run of characters.
	KeyPairName string `param:"KeyPairName"`
	// KeyPairFingerPrint selects by fingerprint (colons and case do not matter).
	KeyPairFingerPrint string `param:"KeyPairFingerPrint"`
	// PageNumber (from 1, default 1) and PageSize (1 to 50, default 10) page the list.
	PageNumber *int32 `param:"PageNumber" min:"1"`
	PageSize   *int32 `param:"PageSize" min:"1" max:"50"`
	// IncludePublicKey (an SDK parameter) adds each key pair's PublicKey.
	IncludePublicKey bool `param:"IncludePublicKey"`
	// Tag are the SDK's Tag.N: key pairs must carry them all (an empty Value
	// matches any value).
	Tag []KeyPairTagParam `param:"Tag" maxItems:"20"`
}

// DescribeKeyPairsResponse is the answer of DescribeKeyPairs. The guide's
// RegionId is left out: the SDK's response has no such field.
type DescribeKeyPairsResponse struct {
	PageNumber int      `json:"PageNumber"`
	PageSize   int      `json:"PageSize"`
	TotalCount int      `json:"TotalCount"`
	KeyPairs   KeyPairs `json:"KeyPairs"`
}

// KeyPairs is the SDK's KeyPairs container (the guide's KeyPairSetType).
type KeyPairs struct {
	KeyPair []KeyPair `json:"KeyPair"`
}

// KeyPair is one key pair (the guide's KeyPairItemType, with the SDK's
// CreationTime, PublicKey and Tags).
type KeyPair struct {
	KeyPairName        string      `json:"KeyPairName"`
	KeyPairFingerPrint string      `json:"KeyPairFingerPrint"`
	CreationTime       string      `json:"CreationTime"`
	PublicKey          string      `json:"PublicKey,omitempty"`
	Tags               KeyPairTags `json:"Tags"`
}

// KeyPairTags is the SDK's TagsInDescribeKeyPairs container.
type KeyPairTags struct {
	Tag []KeyPairTag `json:"Tag"`
}

// KeyPairTag is one tag of a key pair, named as DescribeKeyPairs names them.
type KeyPairTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// DescribeKeyPairs lists the caller's key pairs in the region, newest first
// (guide 1.12.6).
func (h *Handlers) DescribeKeyPairs(ctx context.Context, req *DescribeKeyPairsRequest) (*DescribeKeyPairsResponse, error) {
	page := store.Page{Number: 1, Size: keyPairPageSizeDefault}
	if req.PageNumber != nil {
		page.Number = int(*req.PageNumber)
	}
	if req.PageSize != nil {
		page.Size = int(*req.PageSize)
	}
	list, total, err := h.deps.KeyPairs.Describe(ctx, keypair.Query{
		Owner:       keyPairOwner(ctx),
		Name:        req.KeyPairName,
		FingerPrint: req.KeyPairFingerPrint,
		Tags:        keyPairTags(req.Tag),
		Page:        page,
	})
	if err != nil {
		return nil, err
	}
	resp := &DescribeKeyPairsResponse{PageNumber: page.Number, PageSize: page.Size, TotalCount: total,
		KeyPairs: KeyPairs{KeyPair: make([]KeyPair, 0, len(list))}}
	for _, k := range list {
		item := KeyPair{
			KeyPairName:        k.Name,
			KeyPairFingerPrint: k.FingerPrint,
			CreationTime:       k.CreatedAt.UTC().Format(keyPairTimeLayout),
			Tags:               KeyPairTags{Tag: make([]KeyPairTag, 0, len(k.Tags))},
		}
		if req.IncludePublicKey {
			item.PublicKey = k.PublicKey
		}
		for _, t := range k.Tags {
			item.Tags.Tag = append(item.Tags.Tag, KeyPairTag{TagKey: t.Key, TagValue: t.Value})
		}
		resp.KeyPairs.KeyPair = append(resp.KeyPairs.KeyPair, item)
	}
	return resp, nil
}

// DeleteKeyPairsRequest holds the parameters of DeleteKeyPairs (guide 1.12.5).
type DeleteKeyPairsRequest struct {
	// RegionId is the key pairs' region (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// KeyPairNames is a JSON array of up to 100 names, ["a", "b"], or one bare
	// name, as in the guide's example (KeyPairNames=test).
	KeyPairNames string `param:"KeyPairNames"`
}

// DeleteKeyPairsResponse is the answer of DeleteKeyPairs: only the RequestId.
type DeleteKeyPairsResponse struct{}

// DeleteKeyPairs deletes the caller's key pairs of these names (guide 1.12.5).
// Names the caller has no key pair of are skipped, since the guide lists no
// error for them.
func (h *Handlers) DeleteKeyPairs(ctx context.Context, req *DeleteKeyPairsRequest) (*DeleteKeyPairsResponse, error) {
	names, err := parseKeyPairNames(req.KeyPairNames)
	if err != nil {
		return nil, err
	}
	if err := h.deps.KeyPairs.Delete(ctx, keyPairOwner(ctx), names); err != nil {
		return nil, err
	}
	return &DeleteKeyPairsResponse{}, nil
}

// parseKeyPairNames reads KeyPairNames: a JSON array of strings, or one bare
// name. More than 100 items is InvalidParameter; duplicates and empty names are
// dropped, and none left is the guide's MissingParameter (1.12.5, with its
// message).
func parseKeyPairNames(raw string) ([]string, error) {
	raw = strings.TrimSpace(raw)
	names := []string{raw}
	if strings.HasPrefix(raw, "[") {
		if err := json.Unmarshal([]byte(raw), &names); err != nil {
			return nil, apierr.InvalidParameter("KeyPairNames").WithCause(err)
		}
	}
	if len(names) > maxKeyPairNames {
		return nil, apierr.InvalidParameter("KeyPairNames")
	}
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, apierr.BadRequest("MissingParameter",
			"The input parameter KeyPairName that is mandatory for processing this request is not supplied.")
	}
	return out, nil
}

// keyPairOwner is the caller's account and the call's region.
func keyPairOwner(ctx context.Context) keypair.Owner {
	c := reqctx.From(ctx)
	return keypair.Owner{AccountID: c.AccountID, RegionID: c.RegionID}
}

// keyPairTags converts Tag.N parameters.
func keyPairTags(params []KeyPairTagParam) []store.Tag {
	tags := make([]store.Tag, len(params))
	for i, p := range params {
		tags[i] = store.Tag{Key: p.Key, Value: p.Value}
	}
	return tags
}
