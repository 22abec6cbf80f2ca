// Package idempotency makes create actions idempotent on their ClientToken
// (guide 1.18.6): a retry with the same token and parameters gets the first call's
// answer; the same token with other parameters is IdempotentParameterMismatch.
package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// ErrParameterMismatch is the guide's answer for a reused token with other parameters.
func ErrParameterMismatch() *apierr.Error {
	return apierr.BadRequest("IdempotentParameterMismatch", "The request is retried with updated parameters.")
}

// Key identifies a create call: who, which action, which token.
type Key struct {
	AccountID int64
	Action    string
	Token     string
}

// Run calls create inside tx unless a call with the same key was recorded: then it
// returns that call's result (when params hash the same) or ErrParameterMismatch.
// A token that breaks CheckToken is InvalidParameter.
// params is the decoded request (without ClientToken or signature fields), hashed
// as JSON. With an empty token, create just runs.
//
// Run must be called inside store.Update: when two calls with one token race, the
// loser's PutIdempotency conflicts and Run returns store.ErrBusy, so Update runs
// the transaction again and the retry finds the winner's record.
func Run[T any](tx store.Tx, now time.Time, key Key, params any, create func() (T, error)) (T, error) {
	var zero T
	if key.Token == "" {
		return create()
	}
	if err := CheckToken(key.Token); err != nil {
		return zero, err
	}
	hash, err := hashParams(params)
	if err != nil {
		return zero, err
	}
	rec, err := tx.GetIdempotency(key.AccountID, key.Action, key.Token)
	switch {
	case err == nil:
		if rec.ParamsHash != hash {
			return zero, ErrParameterMismatch()
		}
		var out T
		if err := json.Unmarshal([]byte(rec.Response), &out); err != nil {
			return zero, fmt.Errorf("decode recorded answer of %s: %w", key.Action, err)
		}
		return out, nil
	case !errors.Is(err, store.ErrNotFound):
		return zero, err
	}
	out, err := create()
	if err != nil {
		return zero, err
	}
	resp, err := json.Marshal(out)
	if err != nil {
		return zero, fmt.Errorf("record answer of %s: %w", key.Action, err)
	}
	err = tx.PutIdempotency(store.Idempotency{AccountID: key.AccountID, Action: key.Action, Token: key.Token,
		ParamsHash: hash, Response: string(resp), CreatedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return zero, fmt.Errorf("client token %q recorded concurrently: %w", key.Token, store.ErrBusy)
	}
	if err != nil {
		return zero, err
	}
	return out, nil
}

func hashParams(params any) (string, error) {
	data, err := json.Marshal(params)
	if err != nil {
		return "", fmt.Errorf("hash parameters: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// MaxTokenLength is the longest ClientToken the guide allows (1.18.6).
const MaxTokenLength = 64

// CheckToken validates a ClientToken: at most 64 printable ASCII characters
// (guide 1.18.6); anything else is InvalidParameter naming ClientToken.
func CheckToken(token string) error {
	if len(token) > MaxTokenLength {
		return apierr.InvalidParameter("ClientToken")
	}
	for i := 0; i < len(token); i++ {
		if token[i] < 0x20 || token[i] > 0x7e {
			return apierr.InvalidParameter("ClientToken")
		}
	}
	return nil
}
