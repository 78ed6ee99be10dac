//go:build unix

package cli

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used.
// "bench sign|verify" divides by it rather than by wall time: on a shared
// machine the wall clock also counts the time other processes hold the
// cores, which CPU time leaves out, so the per-core figure and its ratio
// to raw ed25519 hold still under load.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
