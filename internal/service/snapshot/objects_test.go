package snapshot

import (
	"context"
	"sync"
)

// fakeRoles is a RoleChecker that allows everything or nothing.
type fakeRoles struct {
	mu    sync.Mutex
	allow bool
	// asked records the role names and directions looked at.
	asked []string
}

func (r *fakeRoles) Allowed(_ context.Context, _ int64, roleName string, export bool) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir := "import"
	if export {
		dir = "export"
	}
	r.asked = append(r.asked, dir+":"+roleName)
	return r.allow, nil
}
