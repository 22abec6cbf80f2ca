package app

import "runtime/debug"

// DefaultGCPercent is the garbage collector's target (GOGC) of a serving
// ecsd when the GOGC environment variable does not set one. Go's default, 100,
// lets the heap grow by its live size before collecting; a server holding a
// large fleet (about 70 MB live at 100,000 instances) then marks for about a
// third of the time, and requests served during marking share the cores with
// it: at 100,000 instances, DescribeInstances' p99 fell from about 90 ms to
// under 40 ms with 400 (bench/instances, docs/configuration.md). The heap may
// grow to five times its live size in exchange.
const DefaultGCPercent = 400

// TuneGC applies DefaultGCPercent unless GOGC is set (getenv is os.Getenv).
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
}
