package ram

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/authz"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
)

var _ authz.PolicySource = (*Service)(nil)

// Policies implements authz.PolicySource: the default-version documents of the
// policies attached to a RAM user directly and through its groups, or to an
// assumed role. The account itself, and a user or role that no longer exists,
// get none. It reads the store on every call, so a change applies to the next
// API call.
func (s *Service) Policies(ctx context.Context, accountID int64, p reqctx.Principal) ([]string, error) {
	var docs []string
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		docs = docs[:0]
		var atts []store.RAMAttachment
		switch p.Kind {
		case reqctx.PrincipalUser:
			if _, err := tx.GetRAMUserByID(accountID, p.UserID); errors.Is(err, store.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			own, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: accountID, PrincipalType: store.RAMPrincipalUser, PrincipalID: p.UserID})
			if err != nil {
				return err
			}
			atts = append(atts, own...)
			groups, err := tx.ListRAMGroupMembers(accountID, "", p.UserID)
			if err != nil {
				return err
			}
			for _, m := range groups {
				ofGroup, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: accountID, PrincipalType: store.RAMPrincipalGroup, PrincipalID: m.GroupID})
				if err != nil {
					return err
				}
				atts = append(atts, ofGroup...)
			}
		case reqctx.PrincipalRole:
			var err error
			atts, err = tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: accountID, PrincipalType: store.RAMPrincipalRole, PrincipalID: p.RoleID})
			if err != nil {
				return err
			}
		default:
			return nil
		}
		seen := map[string]bool{}
		for _, a := range atts {
			key := a.PolicyType + "/" + a.PolicyName
			if seen[key] {
				continue
			}
			seen[key] = true
			doc, err := defaultDocument(tx, accountID, a.PolicyType, a.PolicyName)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			docs = append(docs, doc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policies of %s principal: %w", p.Kind, err)
	}
	return docs, nil
}

// defaultDocument returns the document that applies for a policy.
func defaultDocument(tx store.Tx, accountID int64, policyType, name string) (string, error) {
	if policyType == store.RAMPolicySystem {
		sp, ok := systemPolicy(name)
		if !ok {
			return "", store.ErrNotFound
		}
		return sp.Document, nil
	}
	p, err := tx.GetRAMPolicy(accountID, name)
	if err != nil {
		return "", err
	}
	v, err := tx.GetRAMPolicyVersion(accountID, name, p.DefaultVersion)
	if err != nil {
		return "", err
	}
	return v.Document, nil
}
