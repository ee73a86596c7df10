package coordinator_test

// Red-team tests: a malicious worker node against the coordinator.
