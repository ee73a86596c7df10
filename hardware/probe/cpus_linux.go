package probe

import "golang.org/x/sys/unix"

// affinityCount is the number of CPUs in this process's sched_getaffinity
// mask, 0 if it cannot be read.
func affinityCount() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0
	}
	return set.Count()
}
