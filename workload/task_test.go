package workload

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func validTask() ComputeTask {
	return ComputeTask{
		TaskID:        "3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20",
		ChallengeType: ChallengeMatMul,
		Payload: Payload{
			Seed:       "9df48af6a66f5e432909486e67870f763fe4d8e272bb8fb9f372bd4f0a82f9c3",
			MatrixSize: 4,
			FracBits:   8,
		},
		Reward:   "10000000000000000000",
		Deadline: 1795000000,
	}
}

func TestValidate(t *testing.T) {
	if err := validTask().Validate(); err != nil {
		t.Fatalf("valid task rejected: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(*ComputeTask)
		want   []string
	}{
		{"task_id empty", func(c *ComputeTask) { c.TaskID = "" }, []string{"task_id:"}},
		{"task_id upper", func(c *ComputeTask) { c.TaskID = strings.ToUpper(c.TaskID) }, []string{"task_id:"}},
		{"task_id braces", func(c *ComputeTask) { c.TaskID = "{" + c.TaskID[1:35] + "}" }, []string{"task_id:"}},
		{"task_id no dashes", func(c *ComputeTask) { c.TaskID = strings.ReplaceAll(c.TaskID, "-", "") }, []string{"task_id:"}},
		{"challenge", func(c *ComputeTask) { c.ChallengeType = "hash" }, []string{"challenge_type:"}},
		{"seed short", func(c *ComputeTask) { c.Payload.Seed = "abcd" }, []string{"payload.seed:"}},
		{"seed upper", func(c *ComputeTask) { c.Payload.Seed = strings.ToUpper(c.Payload.Seed) }, []string{"payload.seed:"}},
		{"n=0", func(c *ComputeTask) { c.Payload.MatrixSize = 0 }, []string{"payload.matrix_size: 0 is out of range [1, 4096]"}},
		{"n big", func(c *ComputeTask) { c.Payload.MatrixSize = 4097 }, []string{"payload.matrix_size: 4097 is out of range [1, 4096]"}},
		{"f<0", func(c *ComputeTask) { c.Payload.FracBits = -1 }, []string{"payload.frac_bits: -1 is out of range [0, 16]"}},
		{"f>16", func(c *ComputeTask) { c.Payload.FracBits = 17 }, []string{"payload.frac_bits:"}},
		{"reward empty", func(c *ComputeTask) { c.Reward = "" }, []string{"reward:"}},
		{"reward cpc", func(c *ComputeTask) { c.Reward = "10.0" }, []string{"reward:"}},
		{"reward sign", func(c *ComputeTask) { c.Reward = "-1" }, []string{"reward:"}},
		{"reward plus", func(c *ComputeTask) { c.Reward = "+1" }, []string{"reward:"}},
		{"reward leading zero", func(c *ComputeTask) { c.Reward = "01" }, []string{"reward:"}},
		{"reward > uint256", func(c *ComputeTask) {
			c.Reward = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
		}, []string{"reward:"}},
		{"deadline negative", func(c *ComputeTask) { c.Deadline = -1 }, []string{"deadline:"}},
		{"deadline > 2^53", func(c *ComputeTask) { c.Deadline = 1 << 53 }, []string{"deadline:"}},
		{"everything", func(c *ComputeTask) { *c = ComputeTask{Deadline: -5, Payload: Payload{FracBits: 99}} },
			[]string{"task_id:", "challenge_type:", "payload.seed:", "payload.matrix_size: 0 is out of range [1, 4096]", "payload.frac_bits: 99", "reward:", "deadline:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			task := validTask()
			c.mutate(&task)
			err := task.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidTask) {
				t.Fatalf("error %v does not wrap ErrInvalidTask", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != len(c.want) {
				t.Errorf("%d problems reported, want %d: %v", got, len(c.want), err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("no *FieldError in %v", err)
			}
			if _, err := task.CanonicalJSON(); !errors.Is(err, ErrInvalidTask) {
				t.Errorf("CanonicalJSON of invalid task: %v", err)
			}
			if _, err := task.RequestID(); !errors.Is(err, ErrInvalidTask) {
				t.Errorf("RequestID of invalid task: %v", err)
			}
		})
	}
	// Boundaries that are valid.
	for _, mut := range []func(*ComputeTask){
		func(c *ComputeTask) { c.Payload.MatrixSize = 1 },
		func(c *ComputeTask) { c.Payload.MatrixSize = MaxMatrixSize },
		func(c *ComputeTask) { c.Payload.FracBits = 0 },
		func(c *ComputeTask) { c.Payload.FracBits = MaxFracBits },
		func(c *ComputeTask) { c.Reward = "0" },
		func(c *ComputeTask) { c.Reward = maxUint256.String() },
		func(c *ComputeTask) { c.Deadline = 0 },
		func(c *ComputeTask) { c.Deadline = MaxDeadline },
	} {
		task := validTask()
		mut(&task)
		if err := task.Validate(); err != nil {
			t.Errorf("boundary rejected: %v", err)
		}
	}
}

func TestNewSyntheticTaskErrors(t *testing.T) {
	id, err := NewTaskID()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSyntheticTask(id, [32]byte{}, 0, 8, "1", 1); !errors.Is(err, ErrInvalidTask) {
		t.Fatalf("n=0: %v", err)
	}
	if _, err := NewSyntheticTask("nope", [32]byte{}, 4, 8, "1.5", 1); err == nil ||
		!strings.Contains(err.Error(), "task_id") || !strings.Contains(err.Error(), "reward") {
		t.Fatalf("want task_id and reward errors, got %v", err)
	}
	task, err := NewSyntheticTask(id, [32]byte{0xab}, 8, DefaultFracBits, "0", 0)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := task.SeedBytes()
	if err != nil || seed != [32]byte{0xab} {
		t.Fatalf("SeedBytes = %x, %v", seed, err)
	}
}

func TestNewTaskID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 200 {
		id, err := NewTaskID()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(id) || !IsUUID(id) {
			t.Fatalf("bad v4 UUID %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate %q", id)
		}
		seen[id] = true
	}
}

func TestSeedBytesErrors(t *testing.T) {
	for _, s := range []string{"", "zz", strings.Repeat("g", 64), strings.Repeat("A", 64), strings.Repeat("a", 66)} {
		task := validTask()
		task.Payload.Seed = s
		if _, err := task.SeedBytes(); !errors.Is(err, ErrInvalidTask) {
			t.Errorf("SeedBytes(%q) = %v", s, err)
		}
	}
}

func TestDecodeTask(t *testing.T) {
	good, _ := json.Marshal(validTask())
	if _, err := DecodeTask(good); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		``,
		`null`,
		`[]`,
		strings.Replace(string(good), `"deadline":1795000000`, `"deadline":1.5`, 1),
		strings.Replace(string(good), `"deadline":1795000000`, `"deadline":"1795000000"`, 1),
		strings.Replace(string(good), `"reward":"10000000000000000000"`, `"reward":10000000000000000000`, 1),
		strings.Replace(string(good), `"task_id"`, `"extra":1,"task_id"`, 1),
		string(good) + `{}`,
		string(good) + ` x`,
	}
	for _, b := range bad {
		if _, err := DecodeTask([]byte(b)); err == nil {
			t.Errorf("DecodeTask(%s) accepted", b)
		}
	}
	if _, err := DecodeTask(append(good, " \n"...)); err != nil {
		t.Errorf("trailing whitespace rejected: %v", err)
	}
}

func TestCanonicalJSONKeyOrder(t *testing.T) {
	// JCS sorts keys (struct order is task_id first) and writes integers without exponent.
	task := validTask()
	b, err := task.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"challenge_type":"matrix_mul","deadline":1795000000,"payload":{`) {
		t.Fatalf("unexpected canonical JSON %s", b)
	}
}

func FuzzTaskJSON(f *testing.F) {
	good, _ := json.Marshal(validTask())
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"payload":{"matrix_size":-1,"frac_bits":1e9},"deadline":9007199254740993}`))
	f.Add([]byte(`{"task_id":"3f1c2a9e-6b7d-4e21-9a0b-5c8d7e6f1a20","reward":"007"}`))
	bound := validTask()
	bound.Payload.InputCommitment, bound.Payload.InputCommitmentAlg = strings.Repeat("0c", 32), CommitPoseidon2BLS12381
	boundJSON, _ := json.Marshal(bound)
	f.Add(boundJSON)
	f.Fuzz(func(t *testing.T, data []byte) {
		var task ComputeTask
		if json.Unmarshal(data, &task) != nil {
			return
		}
		err := task.Validate()
		if _, derr := DecodeTask(data); derr == nil && err != nil {
			t.Fatalf("DecodeTask accepted what Validate rejects: %v", err)
		}
		b, cerr := task.CanonicalJSON()
		if (err == nil) != (cerr == nil) {
			t.Fatalf("Validate %v but CanonicalJSON %v", err, cerr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidTask) {
				t.Fatalf("error does not wrap ErrInvalidTask: %v", err)
			}
			return
		}
		// A valid task round-trips through its canonical JSON to the same request_id.
		back, derr := DecodeTask(b)
		if derr != nil {
			t.Fatalf("canonical JSON %s does not decode: %v", b, derr)
		}
		if back != task {
			t.Fatalf("round trip %+v != %+v", back, task)
		}
		id1, _ := task.RequestID()
		id2, _ := back.RequestID()
		if id1 != id2 {
			t.Fatal("request_id changed on round trip")
		}
	})
}

func TestSuppliedTask(t *testing.T) {
	ic := [32]byte{0x12, 0x34}
	task, err := NewSuppliedTask("123e4567-e89b-42d3-a456-426614174000", ic, 4, 8, "0", 100)
	if err != nil {
		t.Fatal(err)
	}
	if !task.Supplied() {
		t.Fatal("Supplied() is false for a supplied task")
	}
	if _, err := task.SeedBytes(); err == nil {
		t.Fatal("a supplied task gave seed bytes")
	}
	canon, err := task.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(canon), `"seed"`) || !strings.Contains(string(canon), `"input_commitment":"1234`) {
		t.Fatalf("canonical JSON %s: want input_commitment and no seed", canon)
	}
	back, err := DecodeTask(canon)
	if err != nil || back != task {
		t.Fatalf("round trip: %v", err)
	}
	both := task
	both.Payload.Seed = strings.Repeat("ab", 32)
	if err := both.Validate(); err == nil || !strings.Contains(err.Error(), "payload.input_commitment_algorithm: is required") {
		t.Fatalf("seed and input_commitment without an algorithm: err = %v", err)
	}
	bad := task
	bad.Payload.InputCommitment = "XYZ"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "payload.input_commitment") {
		t.Fatalf("bad input_commitment: err = %v", err)
	}
	neither := task
	neither.Payload.InputCommitment = ""
	if err := neither.Validate(); err == nil || !strings.Contains(err.Error(), "payload.seed") {
		t.Fatalf("neither: err = %v", err)
	}
}

// TestInputCommitmentPayload: which payloads bind their inputs, with which
// algorithm, and which are refused (naming the field).
func TestInputCommitmentPayload(t *testing.T) {
	seed, ic := strings.Repeat("ab", 32), strings.Repeat("0c", 32)
	for _, tc := range []struct {
		name            string
		p               Payload
		err             string // the field the error names; "" when valid
		supplied, binds bool
		alg             string
	}{
		{"v1 synthetic", Payload{Seed: seed}, "", false, false, ""},
		{"bound synthetic bn254", Payload{Seed: seed, InputCommitment: ic, InputCommitmentAlg: CommitPoseidon2BN254}, "", false, true, CommitPoseidon2BN254},
		{"bound synthetic bls12-381", Payload{Seed: seed, InputCommitment: ic, InputCommitmentAlg: CommitPoseidon2BLS12381}, "", false, true, CommitPoseidon2BLS12381},
		{"v1 supplied", Payload{InputCommitment: ic}, "", true, true, CommitPoseidon2BN254},
		{"supplied naming bn254", Payload{InputCommitment: ic, InputCommitmentAlg: CommitPoseidon2BN254}, "", true, true, CommitPoseidon2BN254},
		{"synthetic commitment without algorithm", Payload{Seed: seed, InputCommitment: ic}, "payload.input_commitment_algorithm: is required", false, true, CommitPoseidon2BN254},
		{"algorithm without commitment", Payload{Seed: seed, InputCommitmentAlg: CommitPoseidon2BN254}, "payload.input_commitment_algorithm: is set, but", false, false, ""},
		{"unknown algorithm", Payload{Seed: seed, InputCommitment: ic, InputCommitmentAlg: "mimc-bn254"}, "payload.input_commitment_algorithm: \"mimc-bn254\" is unknown", false, true, "mimc-bn254"},
		{"supplied on bls12-381", Payload{InputCommitment: ic, InputCommitmentAlg: CommitPoseidon2BLS12381}, "payload.input_commitment_algorithm: \"poseidon2-bls12-381-sponge3/v1\": a supplied task", true, true, CommitPoseidon2BLS12381},
		{"synthetic bad commitment", Payload{Seed: seed, InputCommitment: "0C", InputCommitmentAlg: CommitPoseidon2BN254}, "payload.input_commitment: \"0C\"", false, true, CommitPoseidon2BN254},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task := validTask()
			tc.p.MatrixSize, tc.p.FracBits = 4, 8
			task.Payload = tc.p
			err := task.Validate()
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrInvalidTask)):
				t.Fatalf("err = %v, want one naming %s", err, tc.err)
			}
			if task.Supplied() != tc.supplied || task.BindsInputs() != tc.binds || task.CommitmentAlgorithm() != tc.alg {
				t.Errorf("supplied %v binds %v algorithm %q", task.Supplied(), task.BindsInputs(), task.CommitmentAlgorithm())
			}
			if err != nil {
				return
			}
			canon, err := task.CanonicalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(string(canon), `"input_commitment_algorithm"`); has != (tc.p.InputCommitmentAlg != "") {
				t.Errorf("canonical JSON %s", canon)
			}
			back, err := DecodeTask(canon)
			if err != nil || back != task {
				t.Fatalf("round trip: %v", err)
			}
		})
	}
}
