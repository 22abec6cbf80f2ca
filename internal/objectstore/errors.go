package objectstore

import (
	"errors"
	"net/http"
)

// Error is an OSS error: its Code and HTTP status as OSS answers them.
type Error struct {
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string { return "objectstore: " + e.Code + ": " + e.Message }

// Errors of the service beyond the three of the Objects contract; the HTTP
// front answers them with their code and status.
var (
	ErrBucketAlreadyExists = &Error{"BucketAlreadyExists", http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."}
	ErrBucketNotEmpty      = &Error{"BucketNotEmpty", http.StatusConflict, "The bucket you tried to delete is not empty."}
	ErrInvalidBucketName   = &Error{"InvalidBucketName", http.StatusBadRequest, "The specified bucket is not valid."}
	ErrInvalidObjectName   = &Error{"InvalidObjectName", http.StatusBadRequest, "The specified object is not valid."}
	ErrNoSuchUpload        = &Error{"NoSuchUpload", http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	ErrInvalidPart         = &Error{"InvalidPart", http.StatusBadRequest, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag."}
	ErrInvalidPartOrder    = &Error{"InvalidPartOrder", http.StatusBadRequest, "The list of parts was not in ascending order. Parts list must be specified in order by part number."}
	ErrEntityTooSmall      = &Error{"EntityTooSmall", http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed size."}
	ErrInvalidDigest       = &Error{"InvalidDigest", http.StatusBadRequest, "The Content-MD5 you specified is not valid."}
	ErrBadDigest           = &Error{"BadDigest", http.StatusBadRequest, "The Content-MD5 you specified did not match what we received."}
	ErrInvalidArgument     = &Error{"InvalidArgument", http.StatusBadRequest, "Invalid argument."}
	ErrMalformedXML        = &Error{"MalformedXML", http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."}
	ErrInvalidLocation     = &Error{"InvalidLocationConstraint", http.StatusBadRequest, "The specified location (region) is not valid."}
	ErrInvalidRange        = &Error{"InvalidRange", http.StatusRequestedRangeNotSatisfiable, "The requested range cannot be satisfied."}
	ErrEntityTooLarge      = &Error{"EntityTooLarge", http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed object size."}
)

// Errors of authentication (the HTTP front's).
var (
	ErrSignatureDoesNotMatch = &Error{"SignatureDoesNotMatch", http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	ErrInvalidAccessKeyID    = &Error{"InvalidAccessKeyId", http.StatusForbidden, "The OSS Access Key Id you provided does not exist in our records."}
	ErrAccessKeyDisabled     = &Error{"InvalidAccessKeyId", http.StatusForbidden, "The OSS Access Key Id you provided is disabled."}
	ErrAnonymous             = &Error{"AccessDenied", http.StatusForbidden, "You have no right to access this object because of bucket acl."}
	ErrRequestExpired        = &Error{"AccessDenied", http.StatusForbidden, "Request has expired."}
	ErrTimeTooSkewed         = &Error{"RequestTimeTooSkewed", http.StatusForbidden, "The difference between the request time and the current time is too large."}
	ErrInvalidSecurityToken  = &Error{"InvalidSecurityToken", http.StatusForbidden, "The security token you provided is not valid."}
	ErrSecurityTokenExpired  = &Error{"SecurityTokenExpired", http.StatusForbidden, "The security token you provided has expired."}
	ErrAuthorization         = &Error{"InvalidArgument", http.StatusBadRequest, "Authorization header is invalid."}
	ErrMethodNotAllowed      = &Error{"MethodNotAllowed", http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."}
	ErrNotImplemented        = &Error{"NotImplemented", http.StatusNotImplemented, "This operation is not implemented by ecsd's object service."}
)

// errorOf maps any error of the service to the OSS error to answer.
func errorOf(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrNoSuchBucket):
		return &Error{"NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist."}
	case errors.Is(err, ErrNoSuchKey):
		return &Error{"NoSuchKey", http.StatusNotFound, "The specified key does not exist."}
	case errors.Is(err, ErrAccessDenied):
		return &Error{"AccessDenied", http.StatusForbidden, "The bucket you access does not belong to you."}
	default:
		return &Error{"InternalError", http.StatusInternalServerError, "We encountered an internal error. Please try again."}
	}
}
