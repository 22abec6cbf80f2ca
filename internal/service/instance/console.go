package instance

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// ConsoleOutput returns the most recent output of the instance's serial
// console (GetInstanceConsoleOutput), oldest first, as the compute driver
// keeps it (a real VM's with the qemu driver, a simulated boot log with the
// sim driver). An instance the driver has not defined yet, or a driver
// without consoles, has an empty console.
func (s *Service) ConsoleOutput(ctx context.Context, c Caller, id string) ([]byte, error) {
	var in store.Instance
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		in, err = getInstance(tx, c, id, ErrNotFound())
		return err
	})
	if err != nil {
		return nil, err
	}
	con, ok := s.deps.Compute.(driver.Consoler)
	if !ok || len(in.DriverHandle) == 0 {
		return []byte{}, nil
	}
	h, err := decodeHandle(in.DriverHandle)
	if err != nil {
		return nil, err
	}
	out, err := con.ConsoleOutput(ctx, h)
	if errors.Is(err, driver.ErrNotFound) {
		return []byte{}, nil // the driver lost it: nothing printed since
	}
	if err != nil {
		return nil, fmt.Errorf("console of %s: %w", id, err)
	}
	return out, nil
}
