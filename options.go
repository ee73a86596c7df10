package zkpoc

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/prover"
	"github.com/zkpoc/zkpoc/sampling"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// ProveOption configures Prove.
type ProveOption func(*prover.Options) error

// WithMode asks for a proof mode: ModeAuto (the default), ModeSNARK,
// ModeSampled or ModeBinding.
func WithMode(m Mode) ProveOption {
	return func(o *prover.Options) error {
		if m != ModeAuto {
			if _, err := protocol.ParseMode(string(m)); err != nil {
				return fmt.Errorf("%w: %v", ErrOption, err)
			}
		}
		o.Mode = m
		return nil
	}
}

// WithSystem names the SNARK a proof uses: Groth16 (the default) or PLONK.
func WithSystem(s System) ProveOption {
	return func(o *prover.Options) error {
		if _, err := protocol.ParseSystem(string(s)); err != nil {
			return fmt.Errorf("%w: %v", ErrOption, err)
		}
		o.System = s
		return nil
	}
}

// WithCurve names the curve a SNARK is over: BN254 or BLS12381. The default
// is the curve of the task's input commitment.
func WithCurve(c Curve) ProveOption {
	return func(o *prover.Options) error {
		if _, err := protocol.ParseCurve(string(c)); err != nil {
			return fmt.Errorf("%w: %v", ErrOption, err)
		}
		o.Curve = c
		return nil
	}
}

// WithKeyDir is the key cache directory proving keys are set up in and
// read from (default DefaultKeyDir).
func WithKeyDir(dir string) ProveOption {
	return func(o *prover.Options) error {
		o.Cache = keys.Cache{Dir: dir}
		return nil
	}
}

// WithProgress writes human progress lines (key setup, proving) to w.
func WithProgress(w io.Writer) ProveOption {
	return func(o *prover.Options) error {
		o.Progress = w
		return nil
	}
}

// WithMatrices gives a supplied task's matrices; they must match its input
// commitment. A synthetic task derives its own.
func WithMatrices(a, b Matrix) ProveOption {
	return func(o *prover.Options) error {
		o.A, o.B = a.Data, b.Data
		return nil
	}
}

// WithWorkerAddress signs the chain address the node submits the result
// under into the receipt (node.worker_address).
func WithWorkerAddress(addr string) ProveOption {
	return func(o *prover.Options) error {
		if err := workload.CheckWorkerAddress("worker address", addr); err != nil {
			return fmt.Errorf("%w: %v", ErrOption, err)
		}
		o.WorkerAddress = addr
		return nil
	}
}

// WithCircuit names the statement a SNARK proves: "freivalds-v5" (every
// task, system and curve), "freivalds-s2" (synthetic tasks, Groth16 on
// BN254; its receipts verify offline and never go on chain) or "naive-v5"
// (the n³ reference). Without it, Prove uses freivalds-v5, and in ModeAuto
// or ModeSNARK freivalds-s2 for a synthetic task whose freivalds-v5
// estimate is over the budget while freivalds-s2's is not (never with
// WithWorkerAddress).
func WithCircuit(name string) ProveOption {
	return func(o *prover.Options) error {
		m, err := protocol.ParseMethod(name)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrOption, err)
		}
		o.Method, o.AutoSynthetic = m, false
		return nil
	}
}

// WithSampling sets how a sampled receipt opens rows (sampling.DefaultParams
// when not given: a bound of 2^−20 at ε = 5 % against 2^64 hashes).
func WithSampling(p sampling.Params) ProveOption {
	return func(o *prover.Options) error {
		o.Sampling = p
		return nil
	}
}

// WithBudget sets the time a proof may take before ModeAuto samples instead.
func WithBudget(b prover.Budget) ProveOption {
	return func(o *prover.Options) error {
		o.Budget = b
		return nil
	}
}

// WithExecutor names the native executor ("" or not given: the fastest
// this machine has).
func WithExecutor(name string) ProveOption {
	return func(o *prover.Options) error {
		o.Executor = name
		return nil
	}
}

// VerifyOption configures Verify.
type VerifyOption func(*verifier.Options) error

// VerifyWithKey gives the verifying key the receipt's proof names.
// Without it (or a key cache holding it) a SNARK receipt is held, naming
// the key needed.
func VerifyWithKey(vk VerifyingKey) VerifyOption {
	return func(o *verifier.Options) error {
		o.VK = vk
		return nil
	}
}

// VerifyWithKeyDir searches the key cache at dir for the proof's key.
func VerifyWithKeyDir(dir string) VerifyOption {
	return func(o *verifier.Options) error {
		if dir == "" {
			return fmt.Errorf("%w: VerifyWithKeyDir: an empty directory", ErrOption)
		}
		o.Cache = keys.Cache{Dir: dir}
		return nil
	}
}

// VerifyWithPolicy judges the receipt under a built-in policy id
// (verifier.PolicyIDs) or a policy file; the default is zk-dev-v1.
func VerifyWithPolicy(ref string) VerifyOption {
	return func(o *verifier.Options) error {
		p, err := verifier.LookupPolicy(ref)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrOption, err)
		}
		o.Policy = &p
		return nil
	}
}

// VerifyWithAcceptedKeys pins the verifying keys a proof may use
// (fingerprints, "sha256:"-prefixed or bare hex). It needs at least one
// fingerprint: an empty list would pin nothing, so it is an ErrOption, not
// a verifier that accepts any key.
func VerifyWithAcceptedKeys(fingerprints ...string) VerifyOption {
	return func(o *verifier.Options) error {
		if len(fingerprints) == 0 {
			return fmt.Errorf("%w: VerifyWithAcceptedKeys needs at least one fingerprint", ErrOption)
		}
		for _, fp := range fingerprints {
			// "sha256:", "0x" or bare: 64 hex digits, stored bare in lower case.
			h := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(fp, "sha256:"), "0x"))
			if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
				return fmt.Errorf("%w: VerifyWithAcceptedKeys: %q is not a key fingerprint (64 hex digits, optionally sha256: or 0x)", ErrOption, fp)
			}
			o.AcceptKeys = append(o.AcceptKeys, h)
		}
		return nil
	}
}

// VerifyWithMatrices gives a supplied task's matrices, so that they are
// checked against its input commitment and a sampled receipt's rows can be
// re-executed. Matrices without entries are an ErrOption: they would be
// dropped, and a supplied task judged as if the caller had none.
func VerifyWithMatrices(a, b Matrix) VerifyOption {
	return func(o *verifier.Options) error {
		if len(a.Data) == 0 || len(b.Data) == 0 {
			return fmt.Errorf("%w: VerifyWithMatrices: a matrix has no entries", ErrOption)
		}
		o.A, o.B = a.Data, b.Data
		return nil
	}
}

// VerifyWithChallenge is the challenge this verifier issued for a
// challenge-method sampled receipt, after the node committed root; without
// it such a receipt is held.
func VerifyWithChallenge(challenge []byte, root [32]byte) VerifyOption {
	return func(o *verifier.Options) error {
		if len(challenge) == 0 {
			return fmt.Errorf("%w: VerifyWithChallenge needs the challenge issued", ErrOption)
		}
		o.SampleChallenge = &verifier.SampleChallenge{Value: append([]byte(nil), challenge...), Root: root}
		return nil
	}
}

// TaskOption configures NewSyntheticTask and NewSuppliedTask.
type TaskOption func(*taskConfig) error

type taskConfig struct {
	id, rewardWei string
	fracBits      int
	deadline      int64
	curve         Curve
}

// WithTaskID sets the task's UUID (default: a random one).
func WithTaskID(id string) TaskOption {
	return func(c *taskConfig) error { c.id = id; return nil }
}

// WithFracBits sets f in C' = floor(A·B / 2^f) (default 8).
func WithFracBits(f int) TaskOption {
	return func(c *taskConfig) error { c.fracBits = f; return nil }
}

// WithReward sets the reward, in decimal CPC ("10.5"; 18 decimals, exact).
func WithReward(cpc string) TaskOption {
	return func(c *taskConfig) error {
		wei, err := workload.ParseCPC(cpc)
		if err != nil {
			return fmt.Errorf("%w: reward: %v", ErrOption, err)
		}
		c.rewardWei = wei
		return nil
	}
}

// WithDeadline sets the task's deadline (default: one hour from now).
func WithDeadline(t time.Time) TaskOption {
	return func(c *taskConfig) error { c.deadline = t.Unix(); return nil }
}

// WithTaskCurve sets the curve of a synthetic task's input commitment,
// which is the curve it is proved on (default BN254).
func WithTaskCurve(curve Curve) TaskOption {
	return func(c *taskConfig) error {
		if _, err := protocol.ParseCurve(string(curve)); err != nil {
			return fmt.Errorf("%w: %v", ErrOption, err)
		}
		c.curve = curve
		return nil
	}
}

func taskOptions(opts []TaskOption) (taskConfig, error) {
	c := taskConfig{fracBits: workload.DefaultFracBits, rewardWei: "0", curve: protocol.BN254}
	for _, opt := range opts {
		if err := opt(&c); err != nil {
			return c, err
		}
	}
	if c.id == "" {
		id, err := workload.NewTaskID()
		if err != nil {
			return c, err
		}
		c.id = id
	}
	if c.deadline == 0 {
		c.deadline = time.Now().Add(time.Hour).Unix()
	}
	return c, nil
}
