package store

import "time"

// KeyPair is an SSH key pair of one account in one region (guide 1.12). Only the
// public half is kept: CreateKeyPair hands the private key to the caller once.
//
// A key pair is identified by its name, unique per account and region. Instances
// will refer to a key pair by that name too (a key_pair_name column on instances,
// not a foreign key): the guide keeps the name on the instances a deleted key pair
// was attached to (1.12.5), so AttachKeyPair and DetachKeyPair only need
// GetKeyPair here and an instance update in the instance group's Tx.
type KeyPair struct {
	// ID is internal (the API names key pairs by Name): unique across accounts,
	// it is the resource_id of the key pair's rows in the generic tags table
	// (resource_type "keypair"), whose key has no account.
	ID        string
	AccountID int64
	RegionID  string
	Name      string
	// FingerPrint is the lower-case hexadecimal MD5 digest of the public key's
	// SSH wire encoding (RFC 4716 §4 without the colons), as Alibaba Cloud shows it.
	FingerPrint string
	// PublicKey is the public key in OpenSSH authorized_keys form,
	// "<type> <base64>[ <comment>]", ready for a guest's authorized_keys.
	PublicKey string
	// Tags are the key pair's tags, in key order.
	Tags      []Tag
	CreatedAt time.Time
}

// KeyPairFilter selects key pairs of one account in one region; empty fields
// match all.
type KeyPairFilter struct {
	AccountID int64
	RegionID  string
	// Name selects by name: '*' matches any run of characters (also none), every
	// other character matches itself, case-sensitively (guide 1.12.6:
	// "*SshKey", "SshKey*", "*SshKey*", "SshKey").
	Name string
	// Names selects exactly these names.
	Names []string
	// FingerPrint selects by exact fingerprint.
	FingerPrint string
	// Tags must all be on a key pair; a tag with an empty Value matches any value.
	Tags []Tag
	Page Page
}

// KeyPairTx holds SSH key pairs (guide 1.12). Every lookup is scoped to an
// account and a region: another account's or region's key pair is ErrNotFound.
type KeyPairTx interface {
	// CreateKeyPair inserts a key pair and its tags (whose keys must differ);
	// ErrConflict when the account already has one with that name in the region,
	// or the ID is taken.
	CreateKeyPair(k KeyPair) error
	// GetKeyPair returns the account's key pair of that name in the region, or
	// ErrNotFound.
	GetKeyPair(accountID int64, regionID, name string) (KeyPair, error)
	// ListKeyPairs returns the key pairs matching f, newest first (then by name),
	// and the total count before paging.
	ListKeyPairs(f KeyPairFilter) ([]KeyPair, int, error)
	// CountKeyPairs returns how many key pairs the account has in the region.
	CountKeyPairs(accountID int64, regionID string) (int, error)
	// DeleteKeyPair removes the account's key pair of that name in the region,
	// and its tags; ErrNotFound when absent.
	DeleteKeyPair(accountID int64, regionID, name string) error
}
