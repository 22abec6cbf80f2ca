// Package keypair owns SSH key pairs (guide 1.12): CreateKeyPair generates an RSA
// key pair and hands out its private key once, ImportKeyPair takes a public key
// made elsewhere; both keep only the public key and its MD5 fingerprint, under a
// name unique per account and region, at most 500 per account and region.
package keypair

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// DefaultQuota is how many key pairs an account may hold in one region (guide
// 1.12.1: "您在每个地域的密钥对数最高为 500 对").
const DefaultQuota = 500

// idPrefix starts the internal IDs of key pairs (store.KeyPair.ID).
const idPrefix = "kp"

// generatedKeyBits is the size of the RSA keys CreateKeyPair generates (Alibaba
// Cloud creates 2048-bit RSA key pairs).
const generatedKeyBits = 2048

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	// Quota is how many key pairs an account may hold per region; 0 means
	// DefaultQuota.
	Quota int
}

// Service implements the use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.Quota <= 0 {
		deps.Quota = DefaultQuota
	}
	return &Service{deps: deps}
}

// Owner is the account and region a key pair belongs to.
type Owner struct {
	AccountID int64
	RegionID  string
}

// ErrNameMalformed is the guide's answer for a KeyPairName that is not valid or
// already taken (1.12.1, 1.12.2).
func ErrNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidKeyPairName.Malformed", "Specified Key Pair name is not valid.")
}

// ErrQuotaExceeded is the guide's answer when the account already holds its
// quota of key pairs in the region (1.12.1).
func ErrQuotaExceeded() *apierr.Error {
	return apierr.New("QuotaExceed.KeyPair", http.StatusForbidden, "The key pair quota exceeds.")
}

// ErrPublicKeyMalformed is the guide's answer for a PublicKeyBody that is not a
// supported public key (1.12.2).
func ErrPublicKeyMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidPublicKeyBody.Malformed", "The PublicKeyBody format is not supported.")
}

// ValidName reports whether name is a valid KeyPairName (guide 1.12.1): 2 to 128
// characters, starting with an upper- or lower-case letter or a Chinese
// character, followed by letters, Chinese characters, digits, '.', '_' or '-';
// not starting with http:// or https://.
func ValidName(name string) bool {
	if n := utf8.RuneCountInString(name); n < 2 || n > 128 {
		return false
	}
	if strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
		return false
	}
	for i, r := range name {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || unicode.Is(unicode.Han, r)
		if i == 0 && !letter {
			return false
		}
		if !letter && !('0' <= r && r <= '9') && r != '.' && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// Request names a key pair to create or import, with its tags.
type Request struct {
	Owner
	Name string
	// Tags are checked by the rules of guide 1.15.1; of two tags with one key
	// the later wins.
	Tags []store.Tag
}

// Created is the answer of Create: the stored key pair and its private key.
type Created struct {
	KeyPair store.KeyPair
	// PrivateKeyPEM is the private key, unencrypted PKCS #8 in PEM ("PRIVATE
	// KEY"). It is not stored.
	PrivateKeyPEM string
}

// Create generates a 2048-bit RSA key pair (guide 1.12.1), stores its public
// key and returns the private key.
func (s *Service) Create(ctx context.Context, r Request) (Created, error) {
	if err := checkRequest(&r); err != nil {
		return Created{}, err
	}
	// Generated before the transaction: it takes a while, and Update may run its
	// function more than once.
	key, err := rsa.GenerateKey(rand.Reader, generatedKeyBits)
	if err != nil {
		return Created{}, fmt.Errorf("create key pair %q: generate: %w", r.Name, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Created{}, fmt.Errorf("create key pair %q: encode: %w", r.Name, err)
	}
	pub, err := PublicKeyOf(&key.PublicKey)
	if err != nil {
		return Created{}, fmt.Errorf("create key pair %q: %w", r.Name, err)
	}
	k, err := s.add(ctx, r, pub)
	if err != nil {
		return Created{}, fmt.Errorf("create key pair %q: %w", r.Name, err)
	}
	privatePEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return Created{KeyPair: k, PrivateKeyPEM: string(privatePEM)}, nil
}

// Import stores a public key made elsewhere, given as ImportKeyPair's
// PublicKeyBody (guide 1.12.2; see ParsePublicKey).
func (s *Service) Import(ctx context.Context, r Request, publicKeyBody string) (store.KeyPair, error) {
	if err := checkRequest(&r); err != nil {
		return store.KeyPair{}, err
	}
	pub, err := ParsePublicKey(publicKeyBody)
	if err != nil {
		return store.KeyPair{}, ErrPublicKeyMalformed().WithCause(err)
	}
	k, err := s.add(ctx, r, pub)
	if err != nil {
		return store.KeyPair{}, fmt.Errorf("import key pair %q: %w", r.Name, err)
	}
	return k, nil
}

// checkRequest checks the name and tags of r, and folds tags with one key.
func checkRequest(r *Request) error {
	if !ValidName(r.Name) {
		return ErrNameMalformed()
	}
	tags, err := tag.Validate(r.Tags)
	if err != nil {
		return err
	}
	r.Tags = tags
	return nil
}

// add stores a key pair, within the owner's quota.
func (s *Service) add(ctx context.Context, r Request, pub PublicKey) (store.KeyPair, error) {
	k := store.KeyPair{
		ID:          s.deps.IDs.NewID(idPrefix, r.RegionID),
		AccountID:   r.AccountID,
		RegionID:    r.RegionID,
		Name:        r.Name,
		FingerPrint: pub.FingerPrint(),
		PublicKey:   pub.AuthorizedKey(),
		Tags:        r.Tags,
		CreatedAt:   s.deps.Clock.Now().UTC(),
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.CountKeyPairs(r.AccountID, r.RegionID)
		if err != nil {
			return err
		}
		if n >= s.deps.Quota {
			return ErrQuotaExceeded()
		}
		err = tx.CreateKeyPair(k)
		if errors.Is(err, store.ErrConflict) {
			return ErrNameMalformed().WithCause(err)
		}
		return err
	})
	if err != nil {
		return store.KeyPair{}, err
	}
	return k, nil
}

// Query selects key pairs for Describe.
type Query struct {
	Owner
	// Name is a name, where '*' matches any run of characters (guide 1.12.6).
	Name string
	// FingerPrint is a fingerprint, in the form NormalizeFingerPrint accepts.
	FingerPrint string
	// Tags must all be on a key pair; an empty Value matches any value. Tags
	// with an empty key are ignored.
	Tags []store.Tag
	Page store.Page
}

// Describe returns one page of the owner's key pairs matching q, newest first,
// and how many match in all (guide 1.12.6).
func (s *Service) Describe(ctx context.Context, q Query) ([]store.KeyPair, int, error) {
	f := store.KeyPairFilter{AccountID: q.AccountID, RegionID: q.RegionID, Name: q.Name, Page: q.Page}
	if q.FingerPrint != "" {
		f.FingerPrint = NormalizeFingerPrint(q.FingerPrint)
	}
	for _, tag := range q.Tags {
		if tag.Key != "" {
			f.Tags = append(f.Tags, tag)
		}
	}
	var list []store.KeyPair
	var total int
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		list, total, err = tx.ListKeyPairs(f)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("describe key pairs: %w", err)
	}
	return list, total, nil
}

// Delete removes the owner's key pairs with these names (guide 1.12.5). Names
// that do not exist are skipped: the guide lists no error for them.
func (s *Service) Delete(ctx context.Context, owner Owner, names []string) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		for _, name := range names {
			err := tx.DeleteKeyPair(owner.AccountID, owner.RegionID, name)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete key pairs: %w", err)
	}
	return nil
}
