package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every implementation returns (wrapped with %w).
var (
	// ErrNotFound: the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique key is already taken (duplicate ID, name, token).
	ErrConflict = errors.New("store: conflict")
	// ErrBusy: a transient failure (lock timeout, serialization failure); retrying may succeed.
	ErrBusy = errors.New("store: busy")
)

// Store opens transactions. Implementations are safe for concurrent use.
type Store interface {
	// Update runs fn in a read-write transaction and commits when fn returns nil.
	// Transient failures (ErrBusy) are retried a bounded number of times, so fn must
	// be safe to run more than once (it should only touch tx).
	Update(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the database.
	Close() error
	// Credential returns an AccessKey together with its account, read in one
	// statement outside any transaction: the hot path of authenticating every
	// call. ErrNotFound when the key does not exist.
	Credential(ctx context.Context, accessKeyID string) (AccessKey, Account, error)
}

// Tx is the set of operations available inside a transaction. It grows one
// resource at a time; each method has a case in the storetest contract suite.
//
// A method that returns ErrNotFound or ErrConflict leaves the transaction usable
// (fn may go on and commit); any other error poisons it, and Update or View then
// returns that error even if fn returns nil. Times come back in UTC, exact to the
// nanosecond; the zero time.Time is stored as "unset" and comes back as zero.
// A Tx is valid only inside fn and is not safe for concurrent use.
//
// Tx is assembled from one interface per resource group, each declared in the
// group's file of this package and implemented in the same-named file of sqlstore.
type Tx interface {
	AccountTx
	NetworkTx
	SecurityGroupTx
	KeyPairTx
	InstanceTx
	DiskTx
	TagTx
	DeploymentSetTx
	PlacementTx
	RAMTx
	NetworkInterfaceTx
	TaskTx
	SnapshotTx
	ObjectStorageTx
	ImageTx
}

// AccountTx holds accounts, AccessKeys, server settings and ClientToken records.
type AccountTx interface {
	// CreateAccount inserts an account; ErrConflict when the ID or name is taken.
	CreateAccount(a Account) error
	// GetAccount returns the account with that ID or ErrNotFound.
	GetAccount(id int64) (Account, error)
	// GetAccountByName returns the account with that name or ErrNotFound.
	GetAccountByName(name string) (Account, error)
	// ListAccounts returns all accounts ordered by ID.
	ListAccounts() ([]Account, error)
	// SetAccountStatus changes an account's status; ErrNotFound when absent.
	SetAccountStatus(id int64, status string) error

	// CreateAccessKey inserts an AccessKey; ErrConflict when the ID is taken,
	// ErrNotFound when its account does not exist.
	CreateAccessKey(k AccessKey) error
	// GetAccessKey returns the AccessKey with that ID or ErrNotFound.
	GetAccessKey(id string) (AccessKey, error)
	// ListAccessKeys returns the account's own AccessKeys (not its RAM users')
	// ordered by creation.
	ListAccessKeys(accountID int64) ([]AccessKey, error)
	// SetAccessKeyStatus changes an AccessKey's status; ErrNotFound when absent.
	SetAccessKeyStatus(id string, status string) error

	// GetSetting returns a server-wide setting or ErrNotFound.
	GetSetting(key string) (string, error)
	// PutSetting inserts or replaces a server-wide setting.
	PutSetting(key, value string) error

	// GetIdempotency returns the record of an earlier call with the same
	// (account, action, ClientToken), or ErrNotFound.
	GetIdempotency(accountID int64, action, token string) (Idempotency, error)
	// PutIdempotency records a call's token; ErrConflict when one already exists.
	PutIdempotency(r Idempotency) error
}

// Account is a tenant: it owns AccessKeys and resources.
type Account struct {
	ID        int64
	Name      string
	Status    string // AccountEnabled or AccountDisabled
	CreatedAt time.Time
}

// Account statuses.
const (
	AccountEnabled  = "Enabled"
	AccountDisabled = "Disabled"
)

// AccessKey is a credential pair that signs API calls on behalf of an account:
// as the account itself (UserID "") or as one of its RAM users.
type AccessKey struct {
	ID        string
	Secret    string
	AccountID int64
	Status    string // AccessKeyActive or AccessKeyInactive
	CreatedAt time.Time
	// UserID is the RAM user the key belongs to; "" for the account's own keys.
	UserID string
	// UserName is that user's current name, read with the key (not stored with it).
	UserName string
}

// AccessKey statuses, spelled as RAM spells them.
const (
	AccessKeyActive   = "Active"
	AccessKeyInactive = "Inactive"
)

// Idempotency remembers a create call's ClientToken (guide 1.18.6): the hash of its
// parameters and the JSON of its answer, so a retry gets the same answer.
type Idempotency struct {
	AccountID  int64
	Action     string
	Token      string
	ParamsHash string
	Response   string
	CreatedAt  time.Time
}
