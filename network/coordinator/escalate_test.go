package coordinator_test

// Escalation tests: a disagreement above the coordinator's recompute
// budget goes to a third, distinct worker and a 2-of-3 majority of
// verified receipts decides; within the budget the coordinator's own
// recomputation does, and no third worker is asked.

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/coordinator"
	"github.com/zkpoc/zkpoc/receipt"
)

// forgeSignature replaces env's signature with one by another key (the
// key id still names the node).
func forgeSignature(t *testing.T, env *receipt.Envelope) []byte {
	t.Helper()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		t.Fatal(err)
	}
	other := ed25519.NewKeyFromSeed([]byte(strings.Repeat("x", 32)))
	out := *env
	out.Signatures = []receipt.Signature{{KeyID: env.Signatures[0].KeyID, Sig: base64.StdEncoding.EncodeToString(ed25519.Sign(other, receipt.PAE(out.PayloadType, payload)))}}
	raw, _ := json.Marshal(&out)
	return raw
}

// actor is one fake worker of an escalation case.
type actor struct {
	name  string
	lie   string // the wrong output digest it signs ("": honest)
	forge string // its results fail verification (worker.forge)
}

// waitingOrFinal reports whether r is final (accepted or expired) or has
// a job waiting for a worker.
func waitingOrFinal(r network.TaskRecord) bool {
	if r.Status == network.StatusAccepted || r.Status == network.StatusExpired {
		return true
	}
	for _, j := range r.Jobs {
		if j.Node == "" && j.Verdict == "" {
			return true
		}
	}
	return false
}

func TestEscalation(t *testing.T) {
	lieA, lieB, lieC := strings.Repeat("5a", 32), strings.Repeat("6b", 32), strings.Repeat("7c", 32)
	for _, tc := range []struct {
		name      string
		recompute int // Config.RecomputeMaxN (the tasks are n = 4)
		// actors register one at a time, each once the task waits for a
		// worker: they take the primary, the check, the third (and a
		// fourth) job in this order.
		actors []actor
		roles  []string // the role each actor's job has ("": it gets none)
		// accepted is the actor whose receipt is accepted and paid (-1: none).
		accepted int
		status   string
		// struck: actor → evidence keys of its one strike; the others have none.
		struck     map[int]int
		escalate   int // escalate jobs dispatched
		comparison string
	}{
		{name: "dishonest primary outvoted", recompute: 2,
			actors:   []actor{{name: "p1", lie: lieA}, {name: "c1"}, {name: "t1"}},
			roles:    []string{network.RolePrimary, network.RoleCheck, network.RoleEscalate},
			accepted: 1, status: network.StatusAccepted, struck: map[int]int{0: 3}, escalate: 1, comparison: "majority 2 of 3"},
		{name: "dishonest checker outvoted", recompute: 2,
			actors:   []actor{{name: "p2"}, {name: "c2", lie: lieA}, {name: "t2"}},
			roles:    []string{network.RolePrimary, network.RoleCheck, network.RoleEscalate},
			accepted: 0, status: network.StatusAccepted, struck: map[int]int{1: 3}, escalate: 1, comparison: "majority 2 of 3"},
		{name: "dishonest third never asked", recompute: 2,
			actors:   []actor{{name: "p3"}, {name: "c3"}, {name: "t3", lie: lieA}},
			roles:    []string{network.RolePrimary, network.RoleCheck, ""},
			accepted: 0, status: network.StatusAccepted, struck: map[int]int{}, escalate: 0, comparison: "agree"},
		{name: "all three differ: expired, refunded, nobody struck", recompute: 2,
			actors:   []actor{{name: "p4", lie: lieA}, {name: "c4", lie: lieB}, {name: "t4", lie: lieC}},
			roles:    []string{network.RolePrimary, network.RoleCheck, network.RoleEscalate},
			accepted: -1, status: network.StatusExpired, struck: map[int]int{}, escalate: 1, comparison: "no majority"},
		{name: "third forges its signature: struck, a fourth decides", recompute: 2,
			actors:   []actor{{name: "p5", lie: lieA}, {name: "c5"}, {name: "t5", forge: "signature"}, {name: "f5"}},
			roles:    []string{network.RolePrimary, network.RoleCheck, network.RoleEscalate, network.RoleEscalate},
			accepted: 1, status: network.StatusAccepted, struck: map[int]int{0: 3, 2: 1}, escalate: 2, comparison: "majority 2 of 3"},
		{name: "third sends garbage: struck, a fourth decides", recompute: 2,
			actors:   []actor{{name: "p6"}, {name: "c6", lie: lieA}, {name: "t6", forge: "garbage"}, {name: "f6"}},
			roles:    []string{network.RolePrimary, network.RoleCheck, network.RoleEscalate, network.RoleEscalate},
			accepted: 0, status: network.StatusAccepted, struck: map[int]int{1: 3, 2: 0}, escalate: 2, comparison: "majority 2 of 3"},
		{name: "budget off: dishonest primary outvoted", recompute: -1,
			actors:   []actor{{name: "p7", lie: lieA}, {name: "c7"}, {name: "t7"}},
			roles:    []string{network.RolePrimary, network.RoleCheck, network.RoleEscalate},
			accepted: 1, status: network.StatusAccepted, struck: map[int]int{0: 3}, escalate: 1, comparison: "majority 2 of 3"},
		{name: "within budget the coordinator decides itself", recompute: 0,
			actors:   []actor{{name: "p8", lie: lieA}, {name: "c8"}, {name: "t8"}},
			roles:    []string{network.RolePrimary, network.RoleCheck, ""},
			accepted: 1, status: network.StatusAccepted, struck: map[int]int{0: 2}, escalate: 0, comparison: "disagree"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, coordinator.Config{RecomputeMaxN: tc.recompute})
			var ws []*worker
			add := func(a actor) {
				ws = append(ws, newWorkerWith(t, e, a.name, func(w *worker) { w.lie, w.forge = a.lie, a.forge }))
			}
			add(tc.actors[0])
			task := post(e)
			if task.Jobs[0].Node != ws[0].id {
				t.Fatalf("primary not to the only live worker: %+v", task.Jobs)
			}
			for _, a := range tc.actors[1:] {
				e.waitFor("a job waiting for "+a.name, func() bool { return waitingOrFinal(e.task(task.TaskID)) })
				add(a)
			}
			e.waitFor("a final status", func() bool {
				r := e.task(task.TaskID)
				return r.Status == network.StatusExpired || r.Status == network.StatusAccepted && r.Accepted.Block > 0
			})
			time.Sleep(500 * time.Millisecond) // anything still to come (a wrong third job) would show now
			r := e.task(task.TaskID)
			t.Logf("comparison: %s", r.Comparison)
			if r.Status != tc.status || !strings.HasPrefix(r.Comparison, tc.comparison) {
				t.Fatalf("status %s comparison %q, want %s %q", r.Status, r.Comparison, tc.status, tc.comparison)
			}
			// Who did what: each actor the job of its role, no one twice.
			esc := 0
			for _, j := range r.Jobs {
				if j.Role == network.RoleEscalate {
					esc++
				}
			}
			if esc != tc.escalate {
				t.Fatalf("%d escalate jobs, want %d: %+v", esc, tc.escalate, r.Jobs)
			}
			for k, w := range ws {
				var roles []string
				for _, j := range r.Jobs {
					if j.Node == w.id {
						roles = append(roles, j.Role)
					}
				}
				if want := tc.roles[k]; want == "" && len(roles) != 0 || want != "" && (len(roles) != 1 || roles[0] != want) {
					t.Fatalf("actor %s had jobs %v, want one %q", tc.actors[k].name, roles, want)
				}
			}
			// Strikes, with their evidence: stored receipts of this task.
			rkv, _ := e.js.KeyValue(e.ctx, network.ReceiptsBucket)
			for k, w := range ws {
				n := e.node(w.id)
				want, struck := tc.struck[k]
				if !struck {
					if len(n.Strikes) != 0 {
						t.Fatalf("actor %s struck: %+v", tc.actors[k].name, n.Strikes)
					}
					continue
				}
				if len(n.Strikes) != 1 || len(n.Strikes[0].Evidence) != want || n.Strikes[0].RequestID != task.RequestID {
					t.Fatalf("actor %s: strikes %+v, want one with %d evidence keys", tc.actors[k].name, n.Strikes, want)
				}
				for _, key := range n.Strikes[0].Evidence {
					if !strings.HasPrefix(key, task.RequestID+".") {
						t.Fatalf("evidence %s is not a receipt of the task", key)
					}
					if _, err := rkv.Get(e.ctx, key); err != nil {
						t.Fatalf("evidence %s not stored: %v", key, err)
					}
				}
				if want == 3 && !strings.Contains(n.Strikes[0].Reason, "outvoted") {
					t.Fatalf("strike reason %q", n.Strikes[0].Reason)
				}
			}
			// Credit: exactly once, to the accepted actor; or a refund.
			le, rev, paid := e.ledger("credit." + task.RequestID)
			_, _, refunded := e.ledger("refund." + task.RequestID)
			if tc.accepted < 0 {
				if paid || !refunded || !r.Refunded || r.Accepted != nil {
					t.Fatalf("no majority: paid %v %+v, refunded %v, accepted %+v", paid, le, refunded, r.Accepted)
				}
				for _, w := range ws {
					if n := e.node(w.id); n.Accepted != 0 {
						t.Fatalf("%s credited: %+v", w.addr, n)
					}
				}
				return
			}
			win := ws[tc.accepted]
			if !paid || rev != 1 || refunded || le.Node != win.id || le.Account != win.addr || le.Wei != "1000" {
				t.Fatalf("credit %+v rev %d refunded %v, want 1000 wei once to %s", le, rev, refunded, win.addr)
			}
			if r.Accepted.Node != win.id || r.RewardPaidWei != "1000" {
				t.Fatalf("accepted %+v paid %s", r.Accepted, r.RewardPaidWei)
			}
			for k, w := range ws {
				want := 0
				if k == tc.accepted {
					want = 1
				}
				if n := e.node(w.id); n.Accepted != want {
					t.Fatalf("actor %s accepted count %d, want %d", tc.actors[k].name, n.Accepted, want)
				}
			}
			b, ok := e.lastBlock()
			if !ok || b.Height != r.Accepted.Block || len(b.Transactions) != 1 {
				t.Fatalf("block %+v", b)
			}
			if p := b.Transactions[0].Payload; p.TaskID != task.TaskID || p.WorkerAddress != win.addr {
				t.Fatalf("block result %+v, want task %s by %s", p, task.TaskID, win.addr)
			}
		})
	}
}
