package coordinator

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/verifier"
	"github.com/zkpoc/zkpoc/workload"
)

// Commitment is a sampled run's row root and the challenge issued for it
// (bucket network.ChallengesKV, key "<request_id>.<node_id>.<attempt>").
type Commitment struct {
	RequestID string `json:"request_id"`
	NodeID    string `json:"node_id"`
	Attempt   int    `json:"attempt"`
	Root      string `json:"root"`
	Challenge string `json:"challenge"`
	At        int64  `json:"at_ms"`
}

func intakeErr(field, format string, args ...any) network.IntakeReply {
	return network.IntakeReply{Field: field, Error: field + ": " + fmt.Sprintf(format, args...)}
}

func (c *Coordinator) handleIntake(ctx context.Context, m *nats.Msg) {
	defer since(&c.st.intakes, &c.st.intakeNs, time.Now())
	reply(m, c.intake(ctx, m.Data))
}

func (c *Coordinator) intake(ctx context.Context, data []byte) network.IntakeReply {
	var req network.IntakeRequest
	if err := network.Decode(data, network.MaxMessageBytes, &req); err != nil {
		return network.IntakeReply{Error: "intake: " + err.Error()}
	}
	if req.MatrixSize < 1 || req.MatrixSize > network.MaxNetworkN {
		return intakeErr("matrix_size", "%d is outside 1..%d", req.MatrixSize, network.MaxNetworkN)
	}
	if req.FracBits < 0 || req.FracBits > 30 {
		return intakeErr("frac_bits", "%d is outside 0..30", req.FracBits)
	}
	if v, ok := new(big.Int).SetString(req.RewardWei, 10); !ok || v.Sign() < 0 || v.String() != req.RewardWei {
		return intakeErr("reward_wei", "%.40q is not a decimal integer of wei", req.RewardWei)
	}
	if req.Deadline <= c.cfg.Now().Unix() {
		return intakeErr("deadline", "%d is not in the future", req.Deadline)
	}
	if req.Poster != "" {
		if err := workload.CheckWorkerAddress("poster", req.Poster); err != nil {
			return intakeErr("poster", "%v", err)
		}
	}
	if full := c.tooManyOpen(); full != nil {
		return *full
	}
	taskID, err := workload.NewTaskID()
	if err != nil {
		return network.IntakeReply{Error: "intake: " + err.Error()}
	}
	var task workload.ComputeTask
	if req.Inputs != nil {
		// Read (bounded), parsed and committed before anything is stored:
		// the task's request_id binds the matrices read here.
		a, b, err := c.readInputs(ctx, req.Inputs, req.MatrixSize)
		if err != nil {
			var ie *inputErr
			if errors.As(err, &ie) {
				return network.IntakeReply{Field: ie.field, Error: ie.Error()}
			}
			return network.IntakeReply{Error: "intake: " + err.Error()}
		}
		task, err = protocol.NewSuppliedTask(taskID, a, b, req.FracBits, req.RewardWei, req.Deadline)
		if err != nil {
			return taskErr(err)
		}
	} else {
		// SHA-256(block hash ‖ address ‖ "/" ‖ task_id): the task id makes
		// each task its own product. Without it every task posted between
		// two blocks had the same matrices, and a worker computed one and
		// answered the others without computing.
		c.mu.Lock()
		seed := workload.DeriveSeed(c.lastHash, c.cfg.Address+"/"+taskID)
		c.mu.Unlock()
		if task, err = protocol.NewSyntheticTask(protocol.BN254, taskID, seed, req.MatrixSize, req.FracBits, req.RewardWei, req.Deadline); err != nil {
			return taskErr(err)
		}
	}
	rid, err := task.RequestID()
	if err != nil {
		return network.IntakeReply{Error: "intake: " + err.Error()}
	}
	rec := &network.TaskRecord{TaskID: taskID, RequestID: hex.EncodeToString(rid[:]), Task: task, Inputs: req.Inputs, Poster: req.Poster,
		Status: network.StatusQueued, CreatedAt: c.nowMs(), Jobs: []network.JobRecord{}, RewardPaidWei: "0"}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tasks) >= c.cfg.MaxOpenTasks {
		return c.openTasksFull()
	}
	c.tasks[taskID] = rec
	c.byRequest[rec.RequestID] = taskID
	c.dispatchLocked(ctx, rec, network.RolePrimary, nil)
	if err := c.saveTaskLocked(ctx, rec); err != nil {
		delete(c.tasks, taskID)
		delete(c.byRequest, rec.RequestID)
		return network.IntakeReply{Error: "intake: store task: " + err.Error()}
	}
	c.logf("intake: task %s request %s n=%d", taskID, rec.RequestID[:12], req.MatrixSize)
	cp := cloneTask(rec) // a deep copy: the reply is encoded after mu is released, while results change the jobs
	return network.IntakeReply{Task: &cp}
}

// tooManyOpen is the intake reply when cfg.MaxOpenTasks tasks are open
// (nil when there is room).
func (c *Coordinator) tooManyOpen() *network.IntakeReply {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tasks) < c.cfg.MaxOpenTasks {
		return nil
	}
	r := c.openTasksFull()
	return &r
}

func (c *Coordinator) openTasksFull() network.IntakeReply {
	return network.IntakeReply{Error: fmt.Sprintf("intake: %d tasks are open, the coordinator's limit: none taken until some are accepted or expire", len(c.tasks))}
}

// taskErr is the intake reply for a task the workload package refuses.
func taskErr(err error) network.IntakeReply {
	var fe *workload.FieldError
	if errors.As(err, &fe) {
		return intakeErr(strings.TrimPrefix(fe.Field, "payload."), "%s", fe.Msg)
	}
	return network.IntakeReply{Error: "intake: " + err.Error()}
}

// saveTaskLocked writes rec to the tasks bucket (the coordinator is its only writer).
func (c *Coordinator) saveTaskLocked(ctx context.Context, rec *network.TaskRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := c.tasksKV.Put(ctx, rec.TaskID, b); err != nil {
		return fmt.Errorf("store task %s: %w", rec.TaskID, err)
	}
	return nil
}

// outstanding counts each live node's unreturned jobs.
func (c *Coordinator) outstandingLocked() map[string]int {
	out := map[string]int{}
	for _, t := range c.tasks {
		for _, j := range t.Jobs {
			if j.Node != "" && j.ReturnedAt == 0 && j.Verdict == "" {
				out[j.Node]++
			}
		}
	}
	return out
}

// pickLocked chooses a live registered worker outside exclude with the
// fewest outstanding jobs, ties broken with cfg.Rand; "" when none. out
// is outstandingLocked's count when the caller has it (nil: counted here,
// and only when there is a worker to choose: a job that waits for one is
// offered again at every tick, and counting walks every task's jobs).
func (c *Coordinator) pickLocked(exclude map[string]bool, out map[string]int) string {
	now := c.cfg.Now()
	var ids []string
	for id, last := range c.live {
		if exclude[id] || now.Sub(last) > c.cfg.HeartbeatTimeout || c.isBarred(id) {
			continue
		}
		if _, ok := c.nodes[id]; ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	sort.Strings(ids)
	if out == nil && len(ids) > 1 {
		out = c.outstandingLocked()
	}
	var cands []string
	best := -1
	for _, id := range ids {
		switch n := out[id]; {
		case best < 0 || n < best:
			best, cands = n, []string{id}
		case n == best:
			cands = append(cands, id)
		}
	}
	return cands[c.randInt(len(cands))]
}

// dispatchLocked adds a job of role to rec for a live worker outside
// exclude and publishes it; with no worker live the job waits (Node "").
// maxJobsPerTask bounds the executions of one request: a task whose
// results keep failing (a crowd of nodes each answering it wrongly once)
// stops being dispatched there, and housekeeping expires and refunds it.
const maxJobsPerTask = 16

func (c *Coordinator) dispatchLocked(ctx context.Context, rec *network.TaskRecord, role string, exclude map[string]bool) {
	if len(rec.Jobs) >= maxJobsPerTask {
		c.logf("task %s: %d executions, no more dispatches", rec.TaskID, len(rec.Jobs))
		return
	}
	attempt := len(rec.Jobs) + 1
	jr := network.JobRecord{Role: role, Attempt: attempt, DispatchedAt: c.nowMs()}
	rec.Jobs = append(rec.Jobs, jr)
	if attempt > 1 {
		rec.Redispatches++
	}
	c.assignLocked(ctx, rec, len(rec.Jobs)-1, exclude, nil)
}

// excludeFor is the set of nodes that already executed rec (a check or an
// escalation needs a distinct worker).
func excludeFor(rec *network.TaskRecord, role string) map[string]bool {
	ex := map[string]bool{}
	for _, j := range rec.Jobs {
		if j.Node == "" {
			continue
		}
		// A node that already answered this task without passing (a
		// reject, a hold, a lost job) is not asked again: a node whose
		// receipts the coordinator holds would otherwise get the job back
		// at once, again and again.
		if role != network.RolePrimary || j.Verdict != "" && j.Verdict != verifier.Pass {
			ex[j.Node] = true
		}
	}
	return ex
}

// assignLocked gives job i of rec a worker and publishes it; out, when
// not nil, is the outstanding count pickLocked uses, kept up to date.
func (c *Coordinator) assignLocked(ctx context.Context, rec *network.TaskRecord, i int, exclude map[string]bool, out map[string]int) {
	j := &rec.Jobs[i]
	if exclude == nil {
		exclude = excludeFor(rec, j.Role)
	}
	node := c.pickLocked(exclude, out)
	if node == "" {
		return
	}
	j.Node, j.DispatchedAt = node, c.nowMs()
	job := network.Job{TaskID: rec.TaskID, RequestID: rec.RequestID, Task: rec.Task, Role: j.Role, Attempt: j.Attempt, Inputs: rec.Inputs, Node: node}
	b, err := json.Marshal(job)
	if err != nil {
		return
	}
	subj := network.SubjectJobsNodePfx + node
	if _, err := c.js.Publish(ctx, subj, b, jetstream.WithMsgID(fmt.Sprintf("%s/%s/%d", rec.RequestID, j.Role, j.Attempt))); err != nil {
		c.logf("dispatch %s attempt %d to %s: %v", rec.RequestID[:12], j.Attempt, node[:12], err)
		j.Node = ""
		return
	}
	if out != nil {
		out[node]++
	}
	c.logf("dispatch: task %s %s attempt %d to node %s", rec.TaskID, j.Role, j.Attempt, node[:12])
}

func (c *Coordinator) handleRegister(ctx context.Context, m *nats.Msg) {
	if err := c.register(ctx, m); err != nil {
		c.logf("register: %v", err)
		reply(m, network.Ack{Error: err.Error()})
		return
	}
	reply(m, network.Ack{OK: true})
}

func (c *Coordinator) register(ctx context.Context, m *nats.Msg) error {
	var r network.Registration
	if err := network.Decode(m.Data, 64<<10, &r); err != nil {
		return err
	}
	if _, err := r.Verify(); err != nil {
		return fmt.Errorf("registration: %w", err)
	}
	if tok := strings.TrimPrefix(m.Subject, network.SubjectRegisterPfx); tok != r.NodeID {
		return fmt.Errorf("registration: subject token %.80q is not node_id %s", tok, r.NodeID)
	}
	if err := network.ProvisionNode(ctx, c.js, r.NodeID, c.cfg.Settings); err != nil {
		return err
	}
	rec := network.NodeRecord{Registration: r, RegisteredAt: c.nowMs(), Rating: 1, Strikes: []network.Strike{}}
	if err := c.updateNode(ctx, r.NodeID, func(old *network.NodeRecord) {
		if old != nil {
			rec.RegisteredAt, rec.Accepted, rec.Rejected, rec.Rating, rec.Strikes = old.RegisteredAt, old.Accepted, old.Rejected, old.Rating, old.Strikes
		}
		*old = rec
	}); err != nil {
		return err
	}
	c.mu.Lock()
	c.nodes[r.NodeID] = r.WorkerAddress
	c.live[r.NodeID] = c.cfg.Now()
	c.dispatchWaitingLocked(ctx)
	c.mu.Unlock()
	c.logf("register: node %s at %s", r.NodeID[:12], r.WorkerAddress)
	return nil
}

// updateNode applies f to a node's record (f gets a zero record when
// there is none), retrying on a revision conflict.
// noteStrikes bars the node once its record counts MaxStrikes strikes.
func (c *Coordinator) noteStrikes(id string, rec *network.NodeRecord) {
	if c.cfg.MaxStrikes > 0 && rec.Rejected >= c.cfg.MaxStrikes {
		if _, was := c.barred.LoadOrStore(id, true); !was {
			c.logf("node %s: %d strikes, no more jobs", short(id), rec.Rejected)
		}
	}
}

func (c *Coordinator) isBarred(id string) bool {
	_, ok := c.barred.Load(id)
	return ok
}

func (c *Coordinator) updateNode(ctx context.Context, id string, f func(*network.NodeRecord)) error {
	for try := 0; try < 10; try++ {
		var rec network.NodeRecord
		var rev uint64
		e, err := c.nodesKV.Get(ctx, id)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("node %s: %w", id, err)
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), &rec); err != nil {
				return fmt.Errorf("node %s: stored record: %w", id, err)
			}
		}
		f(&rec)
		c.noteStrikes(id, &rec)
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if rev == 0 {
			_, err = c.nodesKV.Create(ctx, id, b)
		} else {
			_, err = c.nodesKV.Update(ctx, id, b, rev)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !strings.Contains(err.Error(), "wrong last sequence") {
			return fmt.Errorf("node %s: %w", id, err)
		}
	}
	return fmt.Errorf("node %s: too many revision conflicts", id)
}

func (c *Coordinator) handleHeartbeat(ctx context.Context, m *nats.Msg) {
	id := strings.TrimPrefix(m.Subject, network.SubjectHeartbeatPfx)
	var hb network.Heartbeat
	if network.CheckID("node_id", id) != nil || network.Decode(m.Data, 4<<10, &hb) != nil || hb.NodeID != id {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.nodes[id]; !ok {
		return
	}
	now := c.cfg.Now()
	last, seen := c.live[id]
	c.live[id] = now
	// Waiting jobs are offered a worker when one comes alive; a node's
	// next heartbeats change nothing (housekeeping offers them at every
	// tick), and a node may send them as fast as it likes: each must not
	// walk every task under the mutex.
	if !seen || now.Sub(last) > c.cfg.HeartbeatTimeout {
		c.dispatchWaitingLocked(ctx)
	}
}

// dispatchWaitingLocked assigns workers to jobs that wait for one.
func (c *Coordinator) dispatchWaitingLocked(ctx context.Context) {
	var out map[string]int // counted once, at the first job that waits
	for _, rec := range c.tasks {
		changed := false
		for i := range rec.Jobs {
			if rec.Jobs[i].Node == "" && rec.Jobs[i].Verdict == "" {
				if out == nil {
					out = c.outstandingLocked()
				}
				c.assignLocked(ctx, rec, i, nil, out)
				changed = changed || rec.Jobs[i].Node != ""
			}
		}
		if changed {
			if err := c.saveTaskLocked(ctx, rec); err != nil {
				c.logf("%v", err)
			}
		}
	}
}

func (c *Coordinator) handleCommit(ctx context.Context, m *nats.Msg) {
	ch, err := c.commit(ctx, m)
	if err != nil {
		c.logf("commit: %v", err)
		reply(m, network.CommitReply{Error: err.Error()})
		return
	}
	reply(m, network.CommitReply{Challenge: ch})
}

func (c *Coordinator) commit(ctx context.Context, m *nats.Msg) (string, error) {
	var req network.CommitRequest
	if err := network.Decode(m.Data, 4<<10, &req); err != nil {
		return "", err
	}
	id := strings.TrimPrefix(m.Subject, network.SubjectCommitPfx)
	if id != req.NodeID {
		return "", fmt.Errorf("node_id %.80q is not the subject's %.80q", req.NodeID, id)
	}
	if err := network.CheckID("request_id", req.RequestID); err != nil {
		return "", err
	}
	if _, err := decodeHex32(req.Root); err != nil {
		return "", fmt.Errorf("root: %w", err)
	}
	c.mu.Lock()
	_, _, ok := c.findJobLocked(req.RequestID, id, req.Attempt)
	c.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("no outstanding job %s attempt %d for node %s", req.RequestID, req.Attempt, id)
	}
	key := jobKey(req.RequestID, id, req.Attempt)
	if e, err := c.commitsKV.Get(ctx, key); err == nil {
		var old Commitment
		if json.Unmarshal(e.Value(), &old) == nil && old.Root == req.Root {
			return old.Challenge, nil
		}
		return "", fmt.Errorf("job %s already has a commitment to another root: one challenge per commitment", key)
	}
	chal, err := c.randomChallenge()
	if err != nil {
		return "", fmt.Errorf("challenge: %w", err)
	}
	com := Commitment{RequestID: req.RequestID, NodeID: id, Attempt: req.Attempt, Root: req.Root, Challenge: hex.EncodeToString(chal), At: c.nowMs()}
	b, _ := json.Marshal(com)
	if _, err := c.commitsKV.Create(ctx, key, b); err != nil {
		return "", fmt.Errorf("record commitment %s: %w", key, err)
	}
	return com.Challenge, nil
}

// findJobLocked finds the outstanding job (request, node, attempt).
func (c *Coordinator) findJobLocked(requestID, node string, attempt int) (*network.TaskRecord, int, bool) {
	tid, ok := c.byRequest[requestID]
	if !ok {
		return nil, 0, false
	}
	rec := c.tasks[tid]
	if rec == nil || rec.Status == network.StatusAccepted || rec.Status == network.StatusExpired {
		return nil, 0, false
	}
	for i, j := range rec.Jobs {
		if j.Attempt == attempt && j.Node == node && j.ReturnedAt == 0 && j.Verdict == "" {
			return rec, i, true
		}
	}
	return nil, 0, false
}
