// Package metadata answers Alibaba Cloud's instance metadata service as a
// guest sees it at http://100.100.100.200: the meta-data tree, user data,
// the instance RAM role's temporary credentials, and the token mode
// (PUT /latest/api/token). The data plane binds one Handler per guest
// network namespace; the Handler finds the calling instance by the
// request's source address through a Lookup.
package metadata

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// ErrNotFound is what a Lookup answers for an address no instance has, and
// what a CredentialIssuer answers when the instance has no such role.
var ErrNotFound = errors.New("metadata: not found")

// Instance is what the metadata service tells a guest about itself.
type Instance struct {
	ID             string
	HostName       string
	RegionID       string
	ZoneID         string
	ImageID        string
	InstanceType   string
	SerialNumber   string
	OwnerAccountID int64
	// PublicIP is the instance's public (or elastic) address, empty when none.
	PublicIP string
	// PublicKeys are OpenSSH public keys (the key pair's), in order.
	PublicKeys []string
	// UserData is the decoded user data; nil when the instance has none.
	UserData []byte
	// RAMRoleName is the instance RAM role, empty when none is attached.
	RAMRoleName string
	// Interfaces are its network interfaces, the primary one first.
	Interfaces []Interface
}

// Interface is one network interface of an instance.
type Interface struct {
	ID        string
	MAC       string
	PrimaryIP netip.Addr
	// VSwitchCIDR is the VSwitch's block; the netmask comes from it.
	VSwitchCIDR netip.Prefix
	VpcCIDR     netip.Prefix
	Gateway     netip.Addr
	VpcID       string
	VSwitchID   string
}

// Lookup finds the instance that owns a private address in the network
// the handler serves.
type Lookup interface {
	// InstanceByIP answers the instance one of whose interfaces has the
	// address, or ErrNotFound.
	InstanceByIP(ctx context.Context, ip netip.Addr) (Instance, error)
}

// Credentials are an instance RAM role's temporary credentials.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expiration      time.Time
	LastUpdated     time.Time
}

// CredentialIssuer hands out temporary credentials for an instance's RAM
// role. The STS service implements it: it issues a token acting as the
// role (as AssumeRole does, with the ECS service as the trusted caller) and
// may answer the same credentials until shortly before they expire.
type CredentialIssuer interface {
	// InstanceRoleCredentials answers credentials for the role of the
	// instance, or ErrNotFound when the instance has no role of that name.
	InstanceRoleCredentials(ctx context.Context, inst Instance, roleName string) (Credentials, error)
}
