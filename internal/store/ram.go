package store

import "time"

// RAMTx holds the RAM identities of accounts (users, groups, custom policies
// and their versions, roles, policy attachments) and the temporary credentials
// STS issues. Every lookup is scoped by account; names are unique per account.
type RAMTx interface {
	// CreateRAMUser inserts a user; ErrConflict when its ID or its name in the
	// account is taken.
	CreateRAMUser(u RAMUser) error
	// GetRAMUser returns the account's user with that name, or ErrNotFound.
	GetRAMUser(accountID int64, name string) (RAMUser, error)
	// GetRAMUserByID returns the account's user with that ID, or ErrNotFound.
	GetRAMUserByID(accountID int64, id string) (RAMUser, error)
	// ListRAMUsers returns the account's users ordered by name.
	ListRAMUsers(accountID int64) ([]RAMUser, error)
	// UpdateRAMUser replaces the user with u.ID (name included); ErrNotFound
	// when absent, ErrConflict when the new name is another user's.
	UpdateRAMUser(u RAMUser) error
	// DeleteRAMUser deletes the account's user with that ID; ErrNotFound when absent.
	DeleteRAMUser(accountID int64, id string) error
	// ListUserAccessKeys returns the AccessKeys of the account's user, oldest first.
	ListUserAccessKeys(accountID int64, userID string) ([]AccessKey, error)
	// DeleteAccessKey deletes an AccessKey; ErrNotFound when absent.
	DeleteAccessKey(id string) error

	// CreateRAMGroup inserts a group; ErrConflict when its ID or name is taken.
	CreateRAMGroup(g RAMGroup) error
	// GetRAMGroup returns the account's group with that name, or ErrNotFound.
	GetRAMGroup(accountID int64, name string) (RAMGroup, error)
	// GetRAMGroupByID returns the account's group with that ID, or ErrNotFound.
	GetRAMGroupByID(accountID int64, id string) (RAMGroup, error)
	// ListRAMGroups returns the account's groups ordered by name.
	ListRAMGroups(accountID int64) ([]RAMGroup, error)
	// UpdateRAMGroup replaces the group with g.ID; ErrNotFound when absent,
	// ErrConflict when the new name is another group's.
	UpdateRAMGroup(g RAMGroup) error
	// DeleteRAMGroup deletes the account's group with that ID; ErrNotFound when absent.
	DeleteRAMGroup(accountID int64, id string) error
	// AddRAMGroupMember puts a user in a group; ErrConflict when it is already there.
	AddRAMGroupMember(m RAMGroupMember) error
	// RemoveRAMGroupMember takes a user out of a group; ErrNotFound when it is not there.
	RemoveRAMGroupMember(accountID int64, groupID, userID string) error
	// ListRAMGroupMembers returns the account's memberships of the group
	// groupID and of the user userID ("" matches any), oldest first.
	ListRAMGroupMembers(accountID int64, groupID, userID string) ([]RAMGroupMember, error)

	// CreateRAMPolicy inserts a custom policy; ErrConflict when its name is taken.
	CreateRAMPolicy(p RAMPolicy) error
	// GetRAMPolicy returns the account's custom policy with that name, or ErrNotFound.
	GetRAMPolicy(accountID int64, name string) (RAMPolicy, error)
	// ListRAMPolicies returns the account's custom policies ordered by name.
	ListRAMPolicies(accountID int64) ([]RAMPolicy, error)
	// UpdateRAMPolicy replaces the description, default version, next version
	// number and update time of a custom policy; ErrNotFound when absent.
	UpdateRAMPolicy(p RAMPolicy) error
	// DeleteRAMPolicy deletes a custom policy and all its versions; ErrNotFound when absent.
	DeleteRAMPolicy(accountID int64, name string) error
	// CreateRAMPolicyVersion inserts a version; ErrConflict when its ID is taken.
	CreateRAMPolicyVersion(v RAMPolicyVersion) error
	// GetRAMPolicyVersion returns one version of a custom policy, or ErrNotFound.
	GetRAMPolicyVersion(accountID int64, policyName, versionID string) (RAMPolicyVersion, error)
	// ListRAMPolicyVersions returns the versions of a custom policy, oldest first.
	ListRAMPolicyVersions(accountID int64, policyName string) ([]RAMPolicyVersion, error)
	// DeleteRAMPolicyVersion deletes one version; ErrNotFound when absent.
	DeleteRAMPolicyVersion(accountID int64, policyName, versionID string) error

	// CreateRAMRole inserts a role; ErrConflict when its ID or name is taken.
	CreateRAMRole(r RAMRole) error
	// GetRAMRole returns the account's role with that name, or ErrNotFound.
	GetRAMRole(accountID int64, name string) (RAMRole, error)
	// GetRAMRoleByID returns the account's role with that ID, or ErrNotFound.
	GetRAMRoleByID(accountID int64, id string) (RAMRole, error)
	// ListRAMRoles returns the account's roles ordered by name.
	ListRAMRoles(accountID int64) ([]RAMRole, error)
	// UpdateRAMRole replaces the description, trust policy, maximum session
	// duration and update time of the role with r.ID; ErrNotFound when absent.
	UpdateRAMRole(r RAMRole) error
	// DeleteRAMRole deletes the account's role with that ID; ErrNotFound when absent.
	DeleteRAMRole(accountID int64, id string) error

	// AttachRAMPolicy records that a policy applies to a user, group or role;
	// ErrConflict when it already does.
	AttachRAMPolicy(a RAMAttachment) error
	// DetachRAMPolicy removes the attachment with a's account, principal and
	// policy; ErrNotFound when there is none.
	DetachRAMPolicy(a RAMAttachment) error
	// ListRAMAttachments returns the attachments matching f, oldest first.
	ListRAMAttachments(f RAMAttachmentFilter) ([]RAMAttachment, error)

	// CreateSTSToken inserts a temporary credential; ErrConflict when its
	// AccessKey ID is taken.
	CreateSTSToken(t STSToken) error
	// GetSTSToken returns the temporary credential with that AccessKey ID
	// (expired ones included until deleted), or ErrNotFound.
	GetSTSToken(accessKeyID string) (STSToken, error)
	// DeleteExpiredSTSTokens deletes the credentials that expired before t and
	// returns how many it deleted.
	DeleteExpiredSTSTokens(before time.Time) (int, error)
}

// RAMUser is a RAM user: an identity inside an account that signs with its own
// AccessKeys and may do what the policies attached to it (directly or through
// its groups) allow.
type RAMUser struct {
	// ID is the user's numeric-string UserId.
	ID        string
	AccountID int64
	Name      string
	// DisplayName, MobilePhone, Email and Comments are free descriptive fields.
	DisplayName, MobilePhone, Email, Comments string
	CreatedAt, UpdatedAt                      time.Time
}

// RAMGroup is a RAM user group: policies attached to it apply to its members.
type RAMGroup struct {
	ID                   string
	AccountID            int64
	Name, Comments       string
	CreatedAt, UpdatedAt time.Time
}

// RAMGroupMember is one user's membership of one group.
type RAMGroupMember struct {
	AccountID       int64
	GroupID, UserID string
	JoinedAt        time.Time
}

// RAMPolicy is a custom policy of an account; its documents are its versions.
type RAMPolicy struct {
	AccountID         int64
	Name, Description string
	// DefaultVersion is the VersionId ("v1", "v2", …) whose document applies.
	DefaultVersion string
	// NextVersion is the number of the next version CreatePolicyVersion makes.
	NextVersion          int
	CreatedAt, UpdatedAt time.Time
}

// RAMPolicyVersion is one document of a custom policy.
type RAMPolicyVersion struct {
	AccountID  int64
	PolicyName string
	// VersionID is "v" followed by VersionNum.
	VersionID  string
	VersionNum int
	Document   string
	CreatedAt  time.Time
}

// RAMRole is a RAM role: an identity that principals its trust policy names
// assume through STS AssumeRole (or that ECS instances carry).
type RAMRole struct {
	ID                string
	AccountID         int64
	Name, Description string
	// AssumeRolePolicy is the trust policy document.
	AssumeRolePolicy string
	// MaxSessionDuration bounds AssumeRole's DurationSeconds (3600–43200 s).
	MaxSessionDuration   int
	CreatedAt, UpdatedAt time.Time
}

// RAM principal types of policy attachments.
const (
	RAMPrincipalUser  = "User"
	RAMPrincipalGroup = "Group"
	RAMPrincipalRole  = "Role"
)

// RAM policy types.
const (
	RAMPolicySystem = "System"
	RAMPolicyCustom = "Custom"
)

// RAMAttachment records that a policy applies to a user, group or role.
type RAMAttachment struct {
	AccountID int64
	// PrincipalType is RAMPrincipalUser, RAMPrincipalGroup or RAMPrincipalRole,
	// PrincipalID that entity's ID.
	PrincipalType, PrincipalID string
	// PolicyType is RAMPolicySystem or RAMPolicyCustom.
	PolicyType, PolicyName string
	AttachedAt             time.Time
}

// RAMAttachmentFilter selects attachments of one account; empty fields match any.
type RAMAttachmentFilter struct {
	AccountID                  int64
	PrincipalType, PrincipalID string
	PolicyType, PolicyName     string
}

// STSToken is a temporary credential issued by AssumeRole: an AccessKey pair
// ("STS." ID) that works only together with its SecurityToken, until ExpiresAt,
// acting as the role within AccountID.
type STSToken struct {
	AccessKeyID, Secret, SecurityToken string
	AccountID                          int64
	RoleID, RoleName, SessionName      string
	// SessionPolicy is the AssumeRole Policy parameter ("" when none).
	SessionPolicy        string
	CreatedAt, ExpiresAt time.Time
}
