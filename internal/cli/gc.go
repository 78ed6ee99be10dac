package cli

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the garbage collector's target (debug.SetGCPercent)
// of a process that serves HTTP. Issuing a credential allocates about as
// much as the credential is large, all of it short-lived, while the live
// heap stays small (tens of MB), so at Go's default of 100 the collector
// runs many times a second. Measured with bench issue on PostgreSQL (8
// clients, 2 cores, three runs each, same hour): 100 gave 1,009, 1,086 and
// 1,009 credentials/s, 400 gave 1,136, 1,100 and 1,079. It is the target
// bulk jobs already use (internal/bulk). An operator's GOGC wins.
const serverGCPercent = 300

// tuneServerGC sets serverGCPercent unless GOGC is set.
func tuneServerGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGCPercent)
	}
}
