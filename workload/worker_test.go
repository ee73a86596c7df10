package workload

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckWorkerAddress(t *testing.T) {
	for _, ok := range []string{"cpc1qzkpocexampleworker0", "w", "cpc1…ünïcode", strings.Repeat("a", MaxWorkerAddressLen)} {
		if err := CheckWorkerAddress("worker_address", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "cpc1q worker", "cpc1q\tw", "cpc1q\x00", "cpc1q\u200b", "\xff", strings.Repeat("a", MaxWorkerAddressLen+1)} {
		err := CheckWorkerAddress("worker_address", bad)
		if !errors.Is(err, ErrInvalidWorkerAddress) || !strings.HasPrefix(err.Error(), "worker_address: ") {
			t.Errorf("%q: err = %v, want ErrInvalidWorkerAddress naming the field", bad, err)
		}
	}
}

// TestIssuedTo: a synthetic task is issued to the worker its seed was
// derived for, at that block, and to no other; a supplied task to no one.
func TestIssuedTo(t *testing.T) {
	bh := [32]byte{1, 2, 3}
	task, err := NewSyntheticTask("3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", DeriveSeed(bh, "cpc1qa"), 2, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.IssuedTo(bh, "cpc1qa"); err != nil {
		t.Error(err)
	}
	for name, err := range map[string]error{"another worker": task.IssuedTo(bh, "cpc1qb"), "another block": task.IssuedTo([32]byte{9}, "cpc1qa")} {
		if err == nil || !strings.Contains(err.Error(), "payload.seed") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	supplied, err := NewSuppliedTask("3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20", [32]byte{5}, 2, 8, "0", 1795000000)
	if err != nil {
		t.Fatal(err)
	}
	if err := supplied.IssuedTo(bh, "cpc1qa"); err == nil {
		t.Error("a supplied task issued to a worker")
	}
}
