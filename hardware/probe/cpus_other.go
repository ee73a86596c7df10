//go:build !linux

package probe

// affinityCount is 0 (unknown) where sched_getaffinity does not exist.
func affinityCount() int { return 0 }
