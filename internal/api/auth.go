package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// Authentication errors, with the guide's codes and messages (1.18.4) where it has
// them.
var (
	errMissingAccessKeyID = apierr.BadRequest("MissingParameter",
		`The input parameter "AccessKeyId" that is mandatory for processing this request is not supplied`)
	errMissingSignature = apierr.BadRequest("MissingParameter",
		`An input parameter "Signature" that is mandatory for processing the request is not supplied.`)
	errMissingTimestamp = apierr.BadRequest("MissingParameter",
		`The input parameter "Timestamp" that is mandatory for processing this request is not supplied.`)
	errMissingNonce = apierr.BadRequest("MissingParameter",
		`The input parameter "SignatureNonce" that is mandatory for processing this request is not supplied.`)
	errIllegalTimestamp = apierr.BadRequest("IllegalTimestamp",
		`The input parameter "Timestamp" that is mandatory for processing this request is not supplied.`)
	// The guide has no code for a well-formed but stale timestamp; this is Alibaba
	// Cloud's own.
	errExpiredTimestamp = apierr.BadRequest("InvalidTimeStamp.Expired",
		"Specified time stamp or date value is expired.")
	errSignatureMethod = apierr.BadRequest("InvalidParamater",
		`The specified parameter "SignatureMethod" is not valid.`)
	errSignatureVersion = apierr.BadRequest("InvalidParamater",
		`The specified parameter "SignatureVersion" is not valid.`)
	errIncompleteSignature = apierr.BadRequest("IncompleteSignature",
		"The request signature does not conform to Aliyun standards.")
	// The guide lists InvalidAccessKeyId.NotFound with 400; ecsd answers 404 like
	// every other *.NotFound (and like Alibaba Cloud itself).
	errUnknownAccessKey = apierr.NotFound("InvalidAccessKeyId.NotFound",
		"The Access Key ID provided does not exist in our records.")
	errAccessKeyDisabled = apierr.Forbidden("Forbidden.AccessKeyDisabled", "The Access Key is disabled.")
	errNonceUsed         = apierr.BadRequest("SignatureNonceUsed", "The request signature nonce has been used.")
	// Temporary (STS) credentials, with Alibaba Cloud's codes.
	errMissingSecurityToken = apierr.BadRequest("MissingSecurityToken", "SecurityToken is mandatory for this action.")
	errTokenMismatch        = apierr.BadRequest("InvalidSecurityToken.MismatchWithAccessKey",
		"Specified SecurityToken mismatch with the AccessKey.")
	errTokenExpired = apierr.BadRequest("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
)

// credentialInputs are the authentication fields of one call, from V1 parameters or
// V3 headers.
type credentialInputs struct {
	accessKeyID, timestamp, nonce string
	// securityToken is the STS token the call carries ("" when none): the
	// SecurityToken parameter (V1) or the x-acs-security-token header (V3).
	securityToken string
}

// authenticate checks the call's signature, timestamp and nonce, and records the
// caller in c.info.
func (s *Server) authenticate(c *call) error {
	var in credentialInputs
	var err error
	if c.v3 {
		in, err = v3Inputs(c)
	} else {
		in, err = v1Inputs(c)
	}
	if err != nil {
		return err
	}
	ts, err := sign.ParseTimestamp(in.timestamp)
	if err != nil {
		return errIllegalTimestamp
	}
	now := s.cfg.Clock.Now()
	if !sign.WithinWindow(ts, now, s.cfg.TimestampWindow) {
		return errExpiredTimestamp
	}
	cred, err := s.cfg.Credentials.LookupAccessKey(c.r.Context(), in.accessKeyID)
	if errors.Is(err, ErrUnknownAccessKey) {
		return errUnknownAccessKey
	}
	if err != nil {
		return fmt.Errorf("look up access key: %w", err)
	}
	if err := s.verifySignature(c, cred.Secret); err != nil {
		return err
	}
	if err := s.checkSecurityToken(cred, in.securityToken); err != nil {
		return err
	}
	if !cred.Active {
		return errAccessKeyDisabled
	}
	// Only a correctly signed request may consume a nonce, so nobody can burn
	// another caller's nonces.
	if !s.cfg.Nonces.Use(in.accessKeyID, in.nonce, now) {
		return errNonceUsed
	}
	c.info.AccessKeyID = cred.AccessKeyID
	c.info.AccountID = cred.AccountID
	c.info.Principal = cred.Principal
	if c.info.Principal.Kind == "" {
		c.info.Principal.Kind = reqctx.PrincipalRoot
	}
	return nil
}

// checkSecurityToken matches the call's SecurityToken with the key's: a
// temporary key needs its own token and works until it expires; a permanent
// key takes none.
func (s *Server) checkSecurityToken(cred Credential, token string) error {
	switch {
	case cred.SecurityToken == "" && token == "":
		return nil
	case cred.SecurityToken == "":
		return errTokenMismatch
	case token == "":
		return errMissingSecurityToken
	case subtle.ConstantTimeCompare([]byte(token), []byte(cred.SecurityToken)) != 1:
		return errTokenMismatch
	case !s.cfg.TokenClock.Now().Before(cred.Expiration):
		return errTokenExpired
	}
	return nil
}

func v1Inputs(c *call) (credentialInputs, error) {
	p := c.params
	in := credentialInputs{accessKeyID: p.Get("AccessKeyId"), timestamp: p.Get("Timestamp"), nonce: p.Get("SignatureNonce"),
		securityToken: p.Get("SecurityToken")}
	switch {
	case in.accessKeyID == "":
		return in, errMissingAccessKeyID
	case p.Get("Signature") == "":
		return in, errMissingSignature
	case in.timestamp == "":
		return in, errMissingTimestamp
	case !strings.EqualFold(p.Get("SignatureMethod"), "HMAC-SHA1"):
		return in, errSignatureMethod
	case p.Get("SignatureVersion") != "1.0":
		return in, errSignatureVersion
	case in.nonce == "":
		return in, errMissingNonce
	}
	return in, nil
}

func v3Inputs(c *call) (credentialInputs, error) {
	auth, err := sign.ParseV3Authorization(c.r.Header.Get("Authorization"))
	if err != nil {
		return credentialInputs{}, errIncompleteSignature
	}
	// The headers that identify and time the request must be covered by the
	// signature, or they could be altered in a replay.
	for _, h := range []string{"host", sign.HeaderDate, sign.HeaderSignatureNonce, sign.HeaderAction, sign.HeaderVersion} {
		if !auth.Signs(h) {
			return credentialInputs{}, errIncompleteSignature
		}
	}
	in := credentialInputs{
		accessKeyID:   auth.AccessKeyID,
		timestamp:     c.r.Header.Get("x-acs-date"),
		nonce:         c.r.Header.Get("x-acs-signature-nonce"),
		securityToken: firstNonEmpty(c.r.Header.Get("x-acs-security-token"), c.params.Get("SecurityToken")),
	}
	switch {
	case in.accessKeyID == "":
		return in, errMissingAccessKeyID
	case in.timestamp == "":
		return in, errMissingTimestamp
	case in.nonce == "":
		return in, errMissingNonce
	}
	return in, nil
}

func (s *Server) verifySignature(c *call, secret string) error {
	if c.v3 {
		ok, sts, err := sign.VerifyV3(c.r, c.body, secret)
		if err != nil {
			return errIncompleteSignature
		}
		if !ok {
			return signatureMismatch(sts)
		}
		return nil
	}
	ok, sts := sign.VerifyV1(c.r.Method, url.Values(c.params), secret)
	if !ok {
		return signatureMismatch(sts)
	}
	return nil
}

// signatureMismatch carries the server's string to sign, which the Go SDK compares
// with its own to recommend checking the AccessKeySecret.
func signatureMismatch(stringToSign string) error {
	return apierr.BadRequest("SignatureDoesNotMatch",
		"Specified signature is not matched with our calculation. server string to sign is:"+stringToSign)
}
