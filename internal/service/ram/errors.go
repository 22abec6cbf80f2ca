package ram

import (
	"fmt"
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// RAM's own error codes and messages (RAM API reference, "Error messages").
// Entities are spelled as in the codes: User, Group, Policy, Role.

func errNotExist(entity string) *apierr.Error {
	return apierr.New("EntityNotExist."+entity, http.StatusNotFound,
		fmt.Sprintf("The %s does not exist.", lowerEntity(entity)))
}

func errAlreadyExists(entity string) *apierr.Error {
	return apierr.New("EntityAlreadyExists."+entity, http.StatusConflict,
		fmt.Sprintf("The %s does already EXIST.", lowerEntity(entity)))
}

func lowerEntity(entity string) string {
	switch entity {
	case "User":
		return "user"
	case "Group":
		return "group"
	case "Policy":
		return "policy"
	case "Role":
		return "role"
	}
	return entity
}

func errPolicyVersionNotExist() *apierr.Error {
	return apierr.New("EntityNotExist.Policy.Version", http.StatusNotFound, "The policy version does not exist.")
}

func errAccessKeyNotExist() *apierr.Error {
	return apierr.New("EntityNotExist.User.AccessKey", http.StatusNotFound, "The user access key does not exist.")
}

func errNotInGroup() *apierr.Error {
	return apierr.New("EntityNotExist.User.Group", http.StatusNotFound, "The user has not joined the group.")
}

func errAlreadyInGroup() *apierr.Error {
	return apierr.New("EntityAlreadyExists.User.Group", http.StatusConflict, "The user has already joined the group.")
}

// errNotAttached is EntityNotExist.<Principal>.Policy.
func errNotAttached(principalType string) *apierr.Error {
	return apierr.New("EntityNotExist."+principalType+".Policy", http.StatusNotFound,
		fmt.Sprintf("The indicate policy of the %s does not exist.", lowerEntity(principalType)))
}

// errAlreadyAttached is EntityAlreadyExists.<Principal>.Policy.
func errAlreadyAttached(principalType string) *apierr.Error {
	return apierr.New("EntityAlreadyExists."+principalType+".Policy", http.StatusConflict,
		fmt.Sprintf("The %s has already been attached this policy.", lowerEntity(principalType)))
}

func errDeleteConflict(code, message string) *apierr.Error {
	return apierr.New("DeleteConflict."+code, http.StatusConflict, message)
}

func errLimitExceeded(code, message string) *apierr.Error {
	return apierr.New("LimitExceeded."+code, http.StatusConflict, message)
}

// errInvalidChars is InvalidParameter.<Name>.InvalidChars.
func errInvalidChars(name string) *apierr.Error {
	return apierr.BadRequest("InvalidParameter."+name+".InvalidChars",
		fmt.Sprintf("The parameter - %q contains invalid chars.", name))
}

// errLength is InvalidParameter.<Name>.Length.
func errLength(name string) *apierr.Error {
	return apierr.BadRequest("InvalidParameter."+name+".Length",
		fmt.Sprintf("The parameter - %q beyond the length limit.", name))
}

// errFormat is InvalidParameter.<Name>.Format.
func errFormat(name string) *apierr.Error {
	return apierr.BadRequest("InvalidParameter."+name+".Format",
		fmt.Sprintf("The format of the parameter - %q is incorrect.", name))
}

func errPolicyType() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.PolicyType", `The parameter - "PolicyType" is incorrect.`)
}

func errMaxSessionDuration() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.MaxSessionDuration",
		`The parameter - "MaxSessionDuration" MUST be in the range of 3600 and 43200.`)
}

func errStatus() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Status", `The parameter - "Status" MUST be "Active" or "Inactive".`)
}

// ErrMalformedPolicyDocument is RAM's answer for a policy document that does
// not pass the grammar check; detail says why.
func ErrMalformedPolicyDocument(detail string) *apierr.Error {
	return apierr.BadRequest("MalformedPolicyDocument", detail)
}

func errSystemPolicyReadOnly() *apierr.Error {
	return apierr.New("NoPermission", http.StatusForbidden, "You are not authorized to do this action. A system policy cannot be changed.")
}
