package tag

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// Product is the API a tag call comes through: each names its resource types
// its own way.
type Product int

// The products with taggable resources.
const (
	// ECS resource types are the guide's lower-case names (instance, disk,
	// snapshot, image, securitygroup) and the SDK's keypair and eni, matched
	// exactly.
	ECS Product = iota + 1
	// VPC resource types are the VPC API's VPC and VSWITCH, matched without
	// regard to case.
	VPC
)

// kind is a taggable resource type.
type kind struct {
	product Product
	// name is the ResourceType of requests.
	name string
	// stored is the resource_type of the tags table.
	stored string
	// listed is the ResourceType of ListTagResources answers.
	listed string
	// quota is how many tags one resource carries.
	quota int
}

// kinds lists every taggable resource type.
func kinds() []kind {
	ecs := func(name, stored, listed string) kind {
		return kind{product: ECS, name: name, stored: stored, listed: listed, quota: MaxPerResource}
	}
	return []kind{
		ecs("instance", store.TagTypeInstance, "ALIYUN::ECS::INSTANCE"),
		ecs("disk", store.TagTypeDisk, "ALIYUN::ECS::DISK"),
		ecs("snapshot", store.TagTypeSnapshot, "ALIYUN::ECS::SNAPSHOT"),
		ecs("image", store.TagTypeImage, "ALIYUN::ECS::IMAGE"),
		ecs("securitygroup", store.TagTypeSecurityGroup, "ALIYUN::ECS::SECURITYGROUP"),
		ecs("keypair", store.TagTypeKeyPair, "ALIYUN::ECS::KEYPAIR"),
		ecs("eni", store.TagTypeNetworkInterface, "ALIYUN::ECS::ENI"),
		{product: VPC, name: "VPC", stored: store.TagTypeVPC, listed: "VPC", quota: MaxPerVPCResource},
		{product: VPC, name: "VSWITCH", stored: store.TagTypeVSwitch, listed: "VSWITCH", quota: MaxPerVPCResource},
	}
}

// lookupKind finds the product's resource type named name, or answers
// ErrResourceTypeNotFound.
func lookupKind(p Product, name string) (kind, error) {
	for _, k := range kinds() {
		if k.product == p && (k.name == name || p == VPC && strings.EqualFold(k.name, name)) {
			return k, nil
		}
	}
	return kind{}, ErrResourceTypeNotFound()
}

// storedKind finds the kind of a tags-table resource type.
func storedKind(stored string) (kind, bool) {
	for _, k := range kinds() {
		if k.stored == stored {
			return k, true
		}
	}
	return kind{}, false
}

// productTypes lists the tags-table resource types of a product.
func productTypes(p Product) []string {
	var out []string
	for _, k := range kinds() {
		if k.product == p {
			out = append(out, k.stored)
		}
	}
	return out
}

// checkImages answers for image IDs before any transaction: a system (or
// shared) image cannot carry tags, an image the caller cannot see is not
// found. Only the caller's own custom images pass.
func (s *Service) checkImages(ctx context.Context, c Caller, k kind, ids []string) error {
	if k.stored != store.TagTypeImage {
		return nil
	}
	for _, id := range ids {
		if s.deps.Images == nil {
			return ErrResourceNotFound()
		}
		img, err := s.deps.Images.Image(ctx, c.AccountID, c.RegionID, id)
		if errors.Is(err, image.ErrNotFound()) {
			return ErrResourceNotFound()
		}
		if err != nil {
			return fmt.Errorf("tag: image %s: %w", id, err)
		}
		if img.OwnerAlias != image.OwnerSelf {
			return ErrResourceNotSupported()
		}
	}
	return nil
}

// resolve checks, inside tx, that the caller has the resource id of kind k in
// its region, and returns its ID in the tags table (a key pair's internal ID;
// the API's ID otherwise). Images must have passed checkImages.
func resolve(tx store.Tx, c Caller, k kind, id string) (string, error) {
	var region string
	var err error
	switch k.stored {
	case store.TagTypeInstance:
		var in store.Instance
		in, err = tx.GetInstance(c.AccountID, id)
		region = in.RegionID
	case store.TagTypeDisk:
		var d store.Disk
		d, err = tx.GetDisk(c.AccountID, id)
		region = d.RegionID
	case store.TagTypeSecurityGroup:
		var g store.SecurityGroup
		g, err = tx.GetSecurityGroup(c.AccountID, id)
		region = g.RegionID
	case store.TagTypeVPC:
		var v store.VPC
		v, err = tx.GetVPC(c.AccountID, id)
		region = v.RegionID
	case store.TagTypeVSwitch:
		var v store.VSwitch
		v, err = tx.GetVSwitch(c.AccountID, id)
		region = v.RegionID
	case store.TagTypeNetworkInterface:
		var n store.NetworkInterface
		n, err = tx.GetNetworkInterface(c.AccountID, id)
		region = n.RegionID
	case store.TagTypeKeyPair:
		kp, err := tx.GetKeyPair(c.AccountID, c.RegionID, id)
		if err != nil {
			return "", notFound(err, id)
		}
		return kp.ID, nil
	case store.TagTypeSnapshot:
		var sn store.Snapshot
		sn, err = tx.GetSnapshot(c.AccountID, id)
		region = sn.RegionID
	case store.TagTypeImage:
		return id, nil
	default:
		return "", ErrResourceNotFound()
	}
	if err != nil {
		return "", notFound(err, id)
	}
	if region != c.RegionID {
		return "", ErrResourceNotFound()
	}
	return id, nil
}

// notFound turns a store lookup's ErrNotFound into ErrResourceNotFound and
// wraps anything else.
func notFound(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrResourceNotFound()
	}
	return fmt.Errorf("tag: looking up %s: %w", id, err)
}
