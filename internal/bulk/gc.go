package bulk

import (
	"os"
	"runtime/debug"
	"sync"
)

// jobGCPercent is the garbage collector's target (see debug.SetGCPercent)
// while bulk jobs run. Issuing a credential allocates about as much as the
// credential is large, all of it short-lived, so at the default of 100 the
// collector runs several times a second and takes CPU from signing.
// Measured with bench bulk (24,000 rows on SQLite, 2 cores, two runs each):
// 100 gave 1,990 and 2,361 credentials/s, 200 gave 3,238 and 3,356, 300 gave
// 3,509 and 3,225, 500 gave 3,616 and 3,256; peak RSS 192-195, 199-216,
// 211-240 and 243-257 MB.
const jobGCPercent = 300

// gcTuning raises the collector's target while at least one job runs and
// restores the previous one after the last. An operator's own GOGC is left
// alone.
var gcTuning struct {
	mu       sync.Mutex
	running  int
	previous int
}

// raiseGCPercent is called when a job starts issuing; the function it
// returns, when it ends.
func raiseGCPercent() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	gcTuning.mu.Lock()
	defer gcTuning.mu.Unlock()
	if gcTuning.running == 0 {
		gcTuning.previous = debug.SetGCPercent(jobGCPercent)
	}
	gcTuning.running++
	return func() {
		gcTuning.mu.Lock()
		defer gcTuning.mu.Unlock()
		if gcTuning.running--; gcTuning.running == 0 {
			debug.SetGCPercent(gcTuning.previous)
		}
	}
}
