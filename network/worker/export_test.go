package worker

import "github.com/zkpoc/zkpoc/native"

// SetExecutor makes the worker's product run on ex (a slow one, in tests).
func SetExecutor(cfg *Config, ex native.Executor) { cfg.executor = ex }
