package instance

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// hostNameMaxModify is the longest host name ModifyInstanceAttribute takes for
// an instance that is not Windows (guide 1.5.15; Windows: 15).
const hostNameMaxModify = 30

// ModifyAttributeInput holds what ModifyInstanceAttribute may change; a nil
// field (an empty list) is left as it is (guide 1.5.15: only the attributes
// given change).
type ModifyAttributeInput struct {
	InstanceID string
	// Name is 2–128 characters: a letter or Chinese character first, then
	// letters, Chinese characters, digits, '.', '_' or '-'.
	Name *string
	// Description is 2–256 characters; "" clears it.
	Description *string
	// Password is 8–30 characters of at least three kinds (upper, lower,
	// digits, specials). Only its hash is kept (passwordHash, as at launch);
	// the guide has it take effect at the instance's next start.
	Password *string
	// HostName follows the guide's rules for the instance's OS type.
	HostName *string
	// UserData is Base64 of at most 16 KB of data; "" clears it.
	UserData *string
	// SecurityGroupIDs, when not empty, replace the instance's groups (the
	// SDK's SecurityGroupIds.N).
	SecurityGroupIDs []string
	// DeletionProtection is the SDK's DeletionProtection.
	DeletionProtection *bool
}

// ModifyAttribute changes the attributes in in (guide 1.5.15). Formats are
// checked first (400s), then the instance (404), then the security lock (the
// whole action is refused, 1.18.7), then each field's rule: a password cannot
// be reset while the instance is Starting or being deleted, groups change only
// while it is Running or Stopped, user data only for an I/O optimized instance.
func (s *Service) ModifyAttribute(ctx context.Context, c Caller, in ModifyAttributeInput) error {
	if err := checkModifyFormats(in); err != nil {
		return err
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, err := getInstance(tx, c, in.InstanceID, ErrNotFoundInRecords())
		if err != nil {
			return err
		}
		if Locked(inst, LockSecurity) {
			return ErrLockedForSecurity()
		}
		if in.Password != nil && *in.Password != "" && (inst.Status == StatusStarting || Deleting(inst, s.now())) {
			// Guide 1.5.15: no password reset while Starting or Deleted.
			return ErrIncorrectStatus()
		}
		if in.UserData != nil && *in.UserData != "" && !s.IoOptimized(inst) {
			return errModifyUserDataNotSupported()
		}
		if err := applyModify(&inst, in); err != nil {
			return err
		}
		if len(in.SecurityGroupIDs) > 0 {
			if !s.settledIn(inst, StatusRunning, StatusStopped) {
				return ErrIncorrectStatus()
			}
			if err := replaceGroups(tx, inst, in.SecurityGroupIDs); err != nil {
				return err
			}
		}
		return tx.UpdateInstance(inst)
	})
	if err != nil {
		return fmt.Errorf("modify instance attribute %s: %w", in.InstanceID, err)
	}
	return nil
}

// checkModifyFormats checks the fields whose rules do not depend on the
// instance: the name (2–128 characters, a letter or Chinese character first,
// then also digits, '.', '_' and '-'), the description, the password (1.5.15
// lists no ':' among its special characters, unlike 1.5.2) and the user data.
func checkModifyFormats(in ModifyAttributeInput) error {
	if in.Name != nil && *in.Name != "" && !validName(*in.Name, "._-") {
		return errModifyNameMalformed()
	}
	if in.Description != nil && *in.Description != "" && !validDescription(*in.Description) {
		return errModifyDescriptionMalformed()
	}
	if in.Password != nil && *in.Password != "" && (!validPassword(*in.Password) || strings.Contains(*in.Password, ":")) {
		return errModifyPasswordMalformed()
	}
	if in.UserData != nil {
		if _, err := checkUserData(*in.UserData); errors.Is(err, errUserDataSize()) {
			return errModifyUserDataSize()
		} else if err != nil {
			return err
		}
	}
	return nil
}

// applyModify sets the fields of in on inst.
func applyModify(inst *store.Instance, in ModifyAttributeInput) error {
	if in.Name != nil && *in.Name != "" {
		inst.Name = *in.Name
	}
	if in.Description != nil {
		inst.Description = *in.Description
	}
	if in.HostName != nil && *in.HostName != "" {
		if !validHostName(*in.HostName, inst.OSType == image.OSTypeWindows, hostNameMaxModify) {
			return errModifyHostNameMalformed()
		}
		inst.HostName = *in.HostName
	}
	if in.UserData != nil {
		inst.UserData = *in.UserData
	}
	if in.DeletionProtection != nil {
		inst.DeletionProtection = *in.DeletionProtection
	}
	if in.Password != nil && *in.Password != "" {
		inst.PasswordHash = passwordHash(inst.ID, *in.Password)
	}
	return nil
}

// ModifyVncPassword sets the password of the instance's VNC console (guide
// 1.5.17): exactly 6 letters and digits with at least one upper-case letter,
// one lower-case letter and one digit. The instance must be Running or
// Stopped; the console reads the password from the instance's row, and a
// compute driver that serves screens is handed it (pushVncPassword).
func (s *Service) ModifyVncPassword(ctx context.Context, c Caller, instanceID, password string) error {
	if !validVncPassword(password) {
		return errVncPasswordMalformed()
	}
	var handle []byte
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		inst, err := getInstance(tx, c, instanceID, ErrNotFound())
		if err != nil {
			return err
		}
		if !s.settledIn(inst, StatusRunning, StatusStopped) {
			return ErrIncorrectStatus()
		}
		// Kept as given: the console's VNC authentication needs it.
		inst.VNCPassword = password
		handle = inst.DriverHandle
		return tx.UpdateInstance(inst)
	})
	if err != nil {
		return fmt.Errorf("modify vnc password of %s: %w", instanceID, err)
	}
	s.pushVncPassword(ctx, instanceID, handle, password)
	return nil
}

// vncPasswordLen is the length of a VNC password (guide 1.5.17).
const vncPasswordLen = 6

func validVncPassword(pw string) bool {
	if len(pw) != vncPasswordLen {
		return false
	}
	var upper, lower, digit bool
	for i := 0; i < len(pw); i++ {
		switch b := pw[i]; {
		case 'A' <= b && b <= 'Z':
			upper = true
		case 'a' <= b && b <= 'z':
			lower = true
		case '0' <= b && b <= '9':
			digit = true
		default:
			return false
		}
	}
	return upper && lower && digit
}
