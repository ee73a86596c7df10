package bench

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/consensys/gnark-crypto/kzg"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkpoc/zkpoc/circuits"
	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/native"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/setup"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// instance is one benchmark input: matrices from a fixed seed, the native
// product and the public values a prover would use.
type instance struct {
	n, f int
	a, b []int16
	c    []int64
	ex   native.Executor
}

// benchSeed, benchRequest and benchNode are fixed so reports are comparable.
var (
	benchSeed    = sha256.Sum256([]byte("zkpoc/bench/seed/v1"))
	benchRequest = sha256.Sum256([]byte("zkpoc/bench/request/v1"))
	benchNode    = sha256.Sum256([]byte("zkpoc/bench/node/v1"))
)

// The freivalds-s2 rows' task (its seed is benchSeed, so its matrices are
// the instance's) and node key (seeded by benchNode).
const (
	benchTaskID   = "5e1a7e57-be0c-4000-8000-000000000001"
	benchDeadline = 1795000000
)

func newInstance(n, f int, ex native.Executor) (*instance, error) {
	a, b, err := workload.Generate(benchSeed, n)
	if err != nil {
		return nil, err
	}
	c, err := ex.Multiply(a, b, n, f)
	if err != nil {
		return nil, fmt.Errorf("native product (%s): %w", ex.Name(), err)
	}
	return &instance{n: n, f: f, a: a, b: b, c: c, ex: ex}, nil
}

// nativeSeconds times the product on the instance's executor, repeating it
// until at least 20 ms have passed so that small n are measurable.
func (in *instance) nativeSeconds() (float64, error) {
	const minWall = 20 * time.Millisecond
	start := time.Now()
	reps := 0
	for {
		if _, err := in.ex.Multiply(in.a, in.b, in.n, in.f); err != nil {
			return 0, fmt.Errorf("native product (%s): %w", in.ex.Name(), err)
		}
		reps++
		if el := time.Since(start); el >= minWall {
			return el.Seconds() / float64(reps), nil
		}
	}
}

// witness builds the full assignment as a prover would: both digests, the
// PoE, the remainders and the gnark witness.
func (in *instance) witness(m protocol.Method, curve protocol.Curve) (witness.Witness, error) {
	var p protocol.Public
	var err error
	p.RequestID, p.NodeID = benchRequest, benchNode
	if p.InputCommitment, err = protocol.InputCommitmentOn(curve, in.a, in.b, in.n, in.f); err != nil {
		return nil, err
	}
	if p.OutputDigest, err = protocol.OutputDigestOn(curve, in.c, in.n, in.f); err != nil {
		return nil, err
	}
	p.PoE = protocol.PoE(p.RequestID, p.OutputDigest, p.NodeID)
	assignment, err := circuits.Assign(m, in.n, in.f, in.a, in.b, in.c, p)
	if err != nil {
		return nil, err
	}
	return frontend.NewWitness(assignment, curve.ScalarField())
}

// benchStatement is one row's proof: prove with the row's keys, verify as a
// verifier of its receipt would.
type benchStatement struct {
	prove  func() (proofsystem.Proof, error)
	verify func(proofsystem.Proof) error
}

// statement builds what proving costs before the prover runs (witness
// seconds) for the method: MatMul's full witness, verified under the key
// for the recomputed public witness; or freivalds-s2's public part, proved
// with its pre-solve and verified by verifier.VerifySynthetic, which
// regenerates A and B from the task's seed and computes s itself (so the
// verify column includes that O(n²) work).
func (in *instance) statement(m protocol.Method, curve protocol.Curve, set *keys.Set) (benchStatement, error) {
	if m != protocol.Synthetic {
		w, err := in.witness(m, curve)
		if err != nil {
			return benchStatement{}, err
		}
		pub, err := w.Public()
		if err != nil {
			return benchStatement{}, fmt.Errorf("public witness: %w", err)
		}
		return benchStatement{
			prove:  func() (proofsystem.Proof, error) { return setup.Prove(set, w) },
			verify: func(p proofsystem.Proof) error { return set.VK.Verify(p, pub) },
		}, nil
	}
	task, err := workload.NewSyntheticTask(benchTaskID, benchSeed, in.n, in.f, "0", benchDeadline)
	if err != nil {
		return benchStatement{}, err
	}
	node := ed25519.NewKeyFromSeed(benchNode[:])
	pub, err := prover.SyntheticPublic(task, node.Public().(ed25519.PublicKey), in.c)
	if err != nil {
		return benchStatement{}, err
	}
	claim := verifier.SyntheticClaim{OutputDigest: pub.OutputDigest, PoE: pub.PoE, NodeKey: node.Public().(ed25519.PublicKey)}
	return benchStatement{
		prove: func() (proofsystem.Proof, error) {
			p, _, err := prover.ProveSyntheticWith(set, in.n, in.f, in.a, in.b, in.c, pub)
			return p, err
		},
		verify: func(p proofsystem.Proof) error {
			var buf bytes.Buffer
			if _, err := p.WriteTo(&buf); err != nil {
				return err
			}
			return verifier.VerifySynthetic(task, buf.Bytes(), set.VK, claim)
		},
	}, nil
}

// compile builds the constraint system for the system: R1CS for Groth16,
// SCS (sparse, PLONKish) for PLONK — the prover's own compilation, over the
// curve's scalar field. The bench's system names are the prover's ("groth16", "plonk").
func compile(m protocol.Method, sys protocol.System, curve protocol.Curve, n, f int) (constraint.ConstraintSystem, error) {
	return prover.CompileFor(sys, curve, m, n, f)()
}

func sizesOf(pk, vk io.WriterTo) (int64, int64, error) {
	p, err := pk.WriteTo(io.Discard)
	if err != nil {
		return 0, 0, fmt.Errorf("serialize proving key: %w", err)
	}
	v, err := vk.WriteTo(io.Discard)
	if err != nil {
		return 0, 0, fmt.Errorf("serialize verifying key: %w", err)
	}
	return p, v, nil
}

// measure fills row for one (circuit, system, n). It checks ctx between
// steps and returns ctx.Err() once it is cancelled.
func measure(ctx context.Context, cfg Config, m protocol.Method, sys protocol.System, curve protocol.Curve, in *instance, row *Row, progress io.Writer) error {
	n, f := in.n, in.f
	row.BaselineRSSBytes = freshPeak()

	start := time.Now()
	ccs, err := step(ctx, func() (constraint.ConstraintSystem, error) { return compile(m, sys, curve, n, f) })
	if err != nil {
		return err
	}
	row.CompileSeconds = single(time.Since(start).Seconds())
	row.Constraints = ccs.GetNbConstraints()
	row.ConstraintsPerElement = float64(row.Constraints) / float64(n*n)
	row.ConstraintsPerMAC = float64(row.Constraints) / (float64(n) * float64(n) * float64(n))
	logf(progress, "compiled in %.1f s: %d constraints", row.CompileSeconds.Median, row.Constraints)
	if err := ctx.Err(); err != nil {
		return err
	}

	var set *keys.Set
	switch sys {
	case protocol.Groth16:
		start = time.Now()
		id := keys.IDFor(curve, protocol.Groth16, m, n, f)
		cached := false
		set, err = step(ctx, func() (*keys.Set, error) {
			if cfg.Keys == nil {
				return setup.Run(id, ccs, nil, progress)
			}
			set, c, err := setup.LoadOrSetup(*cfg.Keys, id, func() (constraint.ConstraintSystem, error) { return ccs, nil }, progress)
			cached = c
			return set, err
		})
		if err != nil {
			return err
		}
		row.Setup, row.KeyFingerprint = set.Meta.Provenance, set.Meta.Fingerprint
		if cached {
			row.Setup = SetupCachedPrefix + row.Setup
			logf(progress, "keys %s from the cache: no setup time for this row", id)
		} else {
			row.SetupSeconds = single(time.Since(start).Seconds())
		}
		set.CCS = ccs // the circuit compiled (and timed) here; a cached entry holds the same
	case protocol.Plonk:
		start = time.Now()
		logf(progress, "generating unsafe dev KZG SRS…")
		srs, err := step(ctx, func() ([2]kzg.SRS, error) {
			c, l, err := unsafekzg.NewSRS(ccs)
			return [2]kzg.SRS{c, l}, err
		})
		if err != nil {
			return fmt.Errorf("unsafe kzg srs: %w", err)
		}
		row.SRSSeconds = single(time.Since(start).Seconds())
		if err := ctx.Err(); err != nil {
			return err
		}
		logf(progress, "PLONK setup (SRS %.1f s)…", row.SRSSeconds.Median)
		start = time.Now()
		type gnarkKeys struct {
			pk plonk.ProvingKey
			vk plonk.VerifyingKey
		}
		k, err := step(ctx, func() (gnarkKeys, error) {
			pk, vk, err := plonk.Setup(ccs, srs[0], srs[1])
			return gnarkKeys{pk, vk}, err
		})
		if err != nil {
			return fmt.Errorf("plonk setup: %w", err)
		}
		row.SetupSeconds = single(time.Since(start).Seconds())
		vk, err := proofsystem.NewVerifyingKey(k.vk)
		if err != nil {
			return fmt.Errorf("plonk setup: %w", err)
		}
		if set, err = keys.NewSet(keys.Meta{ID: keys.IDFor(curve, protocol.Plonk, m, n, f)}, k.pk, vk, ccs); err != nil {
			return fmt.Errorf("plonk setup: %w", err)
		}
		row.Setup = "unsafe-dev-kzg-srs"
	default:
		return fmt.Errorf("unknown proof system %q", sys)
	}
	if row.PKBytes, row.VKBytes, err = sizesOf(set.PK, set.VK); err != nil {
		return err
	}

	var native, wit, prove, verify, alloc []float64
	for r := 0; r < cfg.Runs; r++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, err := in.nativeSeconds()
		if err != nil {
			return err
		}
		native = append(native, s)

		start = time.Now()
		st, err := in.statement(m, curve, set)
		if err != nil {
			return fmt.Errorf("witness: %w", err)
		}
		wit = append(wit, time.Since(start).Seconds())

		before := peakRSS()
		freshPeak()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		allocBefore := ms.TotalAlloc
		start = time.Now()
		proof, err := step(ctx, st.prove)
		if err != nil {
			return fmt.Errorf("prove: %w", err)
		}
		prove = append(prove, time.Since(start).Seconds())
		runtime.ReadMemStats(&ms)
		alloc = append(alloc, float64(ms.TotalAlloc-allocBefore))
		pp := peakRSS()
		row.ProvePeakRSSBytes = max(row.ProvePeakRSSBytes, pp)
		row.PeakRSSBytes = max(row.PeakRSSBytes, before, pp)

		start = time.Now()
		if err := st.verify(proof); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		verify = append(verify, time.Since(start).Seconds())
		if row.ProofBytes, err = proof.WriteTo(io.Discard); err != nil {
			return fmt.Errorf("serialize proof: %w", err)
		}
		logf(progress, "run %d/%d: native %.3g s, witness %.3f s, prove %.3f s, verify %.1f ms",
			r+1, cfg.Runs, s, wit[len(wit)-1], prove[len(prove)-1], verify[len(verify)-1]*1e3)
	}
	row.PeakRSSBytes = max(row.PeakRSSBytes, peakRSS())
	row.NativeExecutor = in.ex.Name()
	row.NativeSeconds = newStat(native)
	row.WitnessSeconds = newStat(wit)
	row.ProveSeconds = newStat(prove)
	row.VerifySeconds = newStat(verify)
	row.ProveAllocBytes = int64(newStat(alloc).Median)
	if row.NativeSeconds.Median > 0 {
		row.OverheadRatio = row.ProveSeconds.Median / row.NativeSeconds.Median
	}
	return nil
}

// step runs fn and returns its result, or ctx.Err() as soon as ctx is
// cancelled: gnark's compile, setup and prove cannot be stopped, so a
// cancelled step keeps running in the background and its result is
// dropped (the CLI exits right after writing the finished rows). A panic
// in fn becomes an error.
func step[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("panic: %v", p)
			}
			ch <- r
		}()
		r.v, r.err = fn()
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// freshPeak collects garbage, returns memory to the OS, resets the peak RSS
// and returns the current resident set.
func freshPeak() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeak()
	if v, ok := readStatusBytes("VmRSS:"); ok {
		return v
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapSys)
}

// resetPeak resets VmHWM to the current RSS (Linux ≥ 4.0).
func resetPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns VmHWM, or HeapSys where /proc is unavailable.
func peakRSS() int64 {
	if v, ok := readStatusBytes("VmHWM:"); ok {
		return v
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapSys)
}

func readStatusBytes(key string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				return 0, false
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}
