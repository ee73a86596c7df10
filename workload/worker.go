package workload

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxWorkerAddressLen bounds a worker address, in bytes.
const MaxWorkerAddressLen = 128

// ErrInvalidWorkerAddress is wrapped by CheckWorkerAddress's errors.
var ErrInvalidWorkerAddress = errors.New("invalid worker address")

// CheckWorkerAddress checks a worker address (seed 002's worker_address,
// "cpc1…"): 1 to MaxWorkerAddressLen bytes of UTF-8 with no whitespace or
// control characters, so that the bytes DeriveSeed hashes are the ones every
// display and every JSON encoding shows. field names the address in errors.
func CheckWorkerAddress(field, addr string) error {
	switch {
	case addr == "":
		return fmt.Errorf("%s: %w: empty", field, ErrInvalidWorkerAddress)
	case len(addr) > MaxWorkerAddressLen:
		return fmt.Errorf("%s: %w: %d bytes, more than %d", field, ErrInvalidWorkerAddress, len(addr), MaxWorkerAddressLen)
	case !utf8.ValidString(addr):
		return fmt.Errorf("%s: %w: not UTF-8", field, ErrInvalidWorkerAddress)
	}
	for _, r := range addr {
		if unicode.IsSpace(r) || unicode.IsControl(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("%s: %w: %s contains %U", field, ErrInvalidWorkerAddress, strconv.Quote(addr), r)
		}
	}
	return nil
}

// IssuedTo reports whether the synthetic task t was issued to workerAddress
// at the block with hash blockHash: payload.seed = SHA-256(blockHash ‖
// workerAddress) (DeriveSeed). A supplied task has no seed and is issued to
// no one by it: an error.
func (t ComputeTask) IssuedTo(blockHash [32]byte, workerAddress string) error {
	seed, err := t.SeedBytes()
	if err != nil {
		return err
	}
	if want := DeriveSeed(blockHash, workerAddress); seed != want {
		return fmt.Errorf("payload.seed %x is not SHA-256(block_hash ‖ worker_address) = %x for block_hash %x and worker_address %s: the task was not issued to that worker at that block",
			seed, want, blockHash, strconv.Quote(workerAddress))
	}
	return nil
}
