package tag

import (
	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The errors of guide 1.15, to the letter. Where the three tables word one code
// differently, the constructor says which action's words it carries: AddTags'
// are the default (also for TagResources and its kin), RemoveTags drops the
// final period of two messages, DescribeTags words the malformed key and value
// its own way. errors.Is matches an *apierr.Error on its code alone, so every
// wording of a code matches every other.

// ErrKeyMalformed is the answer for a tag key that breaks the rules of 1.15.1:
// 1 to 64 characters, not starting with aliyun, http:// or https://.
func ErrKeyMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
}

// ErrValueMalformed is the answer for a tag value that breaks the rules of
// 1.15.1: at most 128 characters, not starting with aliyun, http:// or https://.
func ErrValueMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.")
}

// ErrMismatch is the answer for a Tag.n.Value without its Tag.n.Key.
func ErrMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.")
}

// ErrCount is the answer for more tags in one call than the action takes.
func ErrCount() *apierr.Error {
	return apierr.BadRequest("InvalidTagCount", "The specified tags are beyond the permitted range.")
}

// ErrQuotaExceed is the answer when a resource would carry more tags than its
// quota (10 on ECS resources, 1.15.1).
func ErrQuotaExceed() *apierr.Error {
	return apierr.BadRequest("OperationDenied.QuotaExceed", "The quota of tags on resource is beyond permitted range.")
}

// ErrResourceNotFound is the answer for a resource the caller does not have in
// the region.
func ErrResourceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidResourceId.NotFound", "The specified ResourceId is not found in our records.")
}

// ErrResourceNotSupported is the answer for a resource that cannot carry tags
// (a system image).
func ErrResourceNotSupported() *apierr.Error {
	return apierr.Forbidden("InvalidResourceId.NotSupported", "The specified ResourceId does not support tagging.")
}

// ErrResourceTypeNotFound is the answer for a ResourceType ecsd does not know.
func ErrResourceTypeNotFound() *apierr.Error {
	return apierr.NotFound("InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.")
}

// RemoveTags' wordings (1.15.2).

func errRemoveResourceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidResourceId.NotFound", "The specified ResourceId is not found in our records")
}

func errRemoveCount() *apierr.Error {
	return apierr.BadRequest("InvalidTagCount", "The specified tags are beyond the permitted range")
}

// DescribeTags' wordings (1.15.3).

func errDescribeKeyMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagKey.Malformed", "The parameter Tag.n.Key is illegal.")
}

func errDescribeValueMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagValue.Malformed", "The parameter Tag.n.Value is illegal.")
}
