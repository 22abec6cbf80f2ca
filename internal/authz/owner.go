package authz

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// The guide's errors for the owner parameters (1.18.4).
var (
	errInvalidOwner             = apierr.BadRequest("InvalidOwner", "OwnerId and OwnerAccount can't be used at one API access.")
	errInvalidOwnerID           = apierr.BadRequest("InvalidOwnerId", "The specified OwnerId is not valid.")
	errInvalidOwnerAccount      = apierr.BadRequest("InvalidOwnerAccount", "The specified OwnerAccount is not valid.")
	errUnknownOwnerAccount      = apierr.Forbidden("InvalidParameter.OwnerAccount", "OwnerAccount is Invalid.")
	errUnknownResourceOwnerAcct = apierr.Forbidden("InvalidParameter.ResourceOwnerAccount", "ResourceOwnerAccount is Invalid.")
)

// checkOwner applies guide 1.4's owner parameters. ecsd accounts own only their
// own resources, and no account grants another access to its resources, so:
//
//   - OwnerId / OwnerAccount say who is calling: they must name the account
//     that owns the AccessKey (InvalidOwnerId / InvalidOwnerAccount), an
//     OwnerAccount naming no account is InvalidParameter.OwnerAccount, and
//     both together are InvalidOwner;
//   - ResourceOwnerId / ResourceOwnerAccount say whose resources the call
//     touches: the caller's own account is accepted, another account is
//     Forbidden.RAM (its resources are not the caller's to operate), a name no
//     account has is InvalidParameter.ResourceOwnerAccount;
//   - a RAM user or role may send ResourceOwnerAccount only to the actions
//     guide 1.2.3 lists (checked in Authorize).
func (a *Authorizer) checkOwner(ctx context.Context, call *reqctx.Call, params wire.Params) error {
	ownerID, ownerAccount := params.Get("OwnerId"), params.Get("OwnerAccount")
	resourceOwnerID, resourceOwnerAccount := params.Get("ResourceOwnerId"), params.Get("ResourceOwnerAccount")
	if ownerID == "" && ownerAccount == "" && resourceOwnerID == "" && resourceOwnerAccount == "" {
		return nil
	}
	if ownerID != "" && ownerAccount != "" {
		return errInvalidOwner
	}
	if ownerID != "" {
		if id, err := strconv.ParseInt(ownerID, 10, 64); err != nil || id != call.AccountID {
			return errInvalidOwnerID
		}
	}
	if ownerAccount != "" {
		id, err := a.accountID(ctx, ownerAccount)
		switch {
		case errors.Is(err, ErrUnknownAccount):
			return errUnknownOwnerAccount
		case err != nil:
			return err
		case id != call.AccountID:
			return errInvalidOwnerAccount
		}
	}
	if resourceOwnerID != "" {
		id, err := strconv.ParseInt(resourceOwnerID, 10, 64)
		if err != nil {
			return apierr.InvalidParameter("ResourceOwnerId")
		}
		if id != call.AccountID {
			return deny("ResourceOwnerId %d is another account", id)
		}
	}
	if resourceOwnerAccount != "" {
		id, err := a.accountID(ctx, resourceOwnerAccount)
		switch {
		case errors.Is(err, ErrUnknownAccount):
			return errUnknownResourceOwnerAcct
		case err != nil:
			return err
		case id != call.AccountID:
			return deny("ResourceOwnerAccount %q is another account", resourceOwnerAccount)
		}
	}
	return nil
}

func (a *Authorizer) accountID(ctx context.Context, name string) (int64, error) {
	if a.cfg.Accounts == nil {
		return 0, ErrUnknownAccount
	}
	id, err := a.cfg.Accounts.AccountIDByName(ctx, name)
	if err != nil && !errors.Is(err, ErrUnknownAccount) {
		return 0, fmt.Errorf("authz: look up account %q: %w", name, err)
	}
	return id, err
}
