// Package sim is the simulated compute driver behind ecsd's "local ECS" mode: a
// product, not a test hack. Instances live in memory and follow a power-state
// timeline on an injected clock; how long each operation takes and which calls fail,
// hang or crash are data (Config: Delays and Fault rules), loadable from JSON or
// YAML, so end-to-end tests and users can script "start fails once" or "stop hangs
// until forced" without touching code.
//
// # Timeline
//
// Start, Stop and Reboot are transitions on the instance's timeline: a Start at t
// shows Starting until t+Delays.Boot and Running from then on. Inspect evaluates the
// timeline at the clock's now, so a control plane that polls sees Pending (its own,
// while Create runs), Starting, Running with the configured durations. The calls
// block until their transition ends (Start returns when Running), honouring ctx; a
// caller whose context ends leaves the transition running, and a repeated call joins
// it. Nothing runs in the background: the timeline is evaluated lazily whenever an
// instance is looked at, so a *clock.Fake drives it deterministically.
//
// # Restarts
//
// A sim Handle carries the instance's spec (with the disks and NICs attached since),
// its settled power state, when it entered it, and any injected crash due. A new
// Driver given that Handle by Recover rebuilds the instance as it was: an instance
// that was Running is still Running, as if it had kept running while ecsd was down.
// This is what lets `ecsd serve` in sim mode restart without losing instances.
package sim
