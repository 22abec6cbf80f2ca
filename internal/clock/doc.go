// Package clock injects the time: service and store code ask a Clock instead of
// calling time.Now, so tests can use Fake and control what "now" is.
package clock
