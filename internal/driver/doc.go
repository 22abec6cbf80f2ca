// Package driver declares the contracts between ecsd's control plane and the data
// plane that runs instances: Compute, the optional capability interfaces
// (DiskAttacher, NICAttacher, Resizer, Consoler), the instance description the
// control plane hands over (InstanceSpec), the opaque per-instance Handle it
// persists, and the sentinel errors every driver wraps.
//
// Two drivers implement Compute: driver/sim, the simulated driver behind "local ECS"
// mode, and (later) driver/qemu for real virtual machines. Both pass the contract
// suite in driver/drivertest.
//
// The rules every Compute implementation follows:
//
//   - Every method takes a context. A call whose context is already done does
//     nothing and returns the context's error. A call whose context ends part-way
//     returns the context's error and leaves the instance in a state from which the
//     same call, repeated, completes: an operation already under way (a boot, a
//     graceful shutdown) carries on, and the repeated call joins it.
//   - Every mutating call is idempotent: Create of an existing instance ID returns
//     the existing instance, Start of a running instance and Stop of a stopped one
//     succeed, Delete of a missing instance succeeds, attaching an attached disk
//     succeeds. Reboot is the exception: it joins a reboot in flight, but a Reboot
//     after the instance is running again reboots it again (which is harmless).
//   - Blocking calls return when the operation has finished: Start when the instance
//     is Running, Stop when it is Stopped. While an operation runs, Inspect reports
//     its transitional PowerState (Starting, Stopping), so the control plane can
//     show ECS's Starting and Stopping states to concurrent readers.
//   - A driver finds an instance by its identity (InstanceSpec.InstanceID, carried in
//     the Handle), never only by the latest Handle: after a crash the control plane
//     may hold the Handle from before the last mutating call, and every method must
//     still act on the live instance. Recover never starts a second copy.
//   - Errors wrap the sentinels of this package with %w; the control plane maps them
//     with errors.Is and never compares strings. On error the returned Handle is the
//     zero Handle and the caller keeps the one it had.
//   - Drivers never touch the store; they see only what the control plane passes in.
//     Disks belong to the volume layer: Delete removes the instance, not its disks.
package driver
