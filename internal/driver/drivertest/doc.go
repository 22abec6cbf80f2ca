// Package drivertest is the contract suite every driver.Compute implementation
// passes: one named subtest per rule of the contract (idempotency of each
// operation, power-state transitions, Recover from a handle in the same and in a
// restarted driver, context cancellation, handle checks) and of each optional
// capability the driver implements (DiskAttacher, NICAttacher, Resizer, Consoler).
//
// A driver's tests call Run with a constructor:
//
//	func TestContract(t *testing.T) {
//		drivertest.Run(t, func(t *testing.T) driver.Compute { return newDriver(t) })
//	}
//
// or fill a Harness when the driver needs real disks or networks in its specs. The
// suite needs no KVM and makes no timing assertions; it only waits for calls to
// return, so it is as fast as the driver under test.
package drivertest
