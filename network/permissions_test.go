package network_test

import (
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/network"
)

func TestReplyAllowed(t *testing.T) {
	id, other := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, c := range []struct {
		subject, reply string
		want           bool
	}{
		{network.SubjectRegisterPfx + id, "_INBOX.abc.1", true},
		{network.SubjectRegisterPfx + id, network.WorkerInboxPrefix(id) + ".abc.1", true},
		{network.SubjectCommitPfx + id, network.WorkerInboxPrefix(id) + ".x", true},
		{network.SubjectCommitPfx + id, network.WorkerInboxPrefix(other) + ".x", false},
		{network.SubjectRegisterPfx + id, network.WorkerInboxPrefix(id), false},
		{network.SubjectRegisterPfx + "short", network.WorkerInboxPrefix("short") + ".x", false},
		{network.SubjectRegisterPfx + id, network.SubjectBlocks, false},
		{network.SubjectRegisterPfx + id, "$KV." + network.LedgerBucket + ".credit.x", false},
		{network.SubjectCommitPfx + id, network.SubjectJobsNodePfx + other, false},
		{network.SubjectCommitPfx + id, "_INBOXzkpoc.blocks", false},
		{network.SubjectIntake, network.MarketInboxPrefix + ".q", true},
		{network.SubjectIntake, network.WorkerInboxPrefix(id) + ".q", false},
		{network.SubjectIntake, network.SubjectResultsPfx + id, false},
		{network.SubjectHeartbeatPfx + id, network.WorkerInboxPrefix(id) + ".q", false},
	} {
		if got := network.ReplyAllowed(c.subject, c.reply); got != c.want {
			t.Errorf("ReplyAllowed(%q, %q) = %v, want %v", c.subject, c.reply, got, c.want)
		}
	}
}

func TestWorkerPermissionsOwnID(t *testing.T) {
	id := strings.Repeat("c", 64)
	p, err := network.WorkerPermissions(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Publish {
		if strings.Contains(s, "*") || (strings.Contains(s, ">") && !strings.HasSuffix(s, id+".>") && !strings.HasSuffix(s, "OBJ_"+network.InputsObjects+".>")) {
			t.Errorf("worker may publish to wildcard %q", s)
		}
	}
	if len(p.Subscribe) != 1 || p.Subscribe[0] != network.WorkerInboxPrefix(id)+".>" {
		t.Errorf("worker subscribes %q", p.Subscribe)
	}
	if _, err := network.WorkerPermissions("zkpoc.>"); err == nil {
		t.Error("a wildcard node id was accepted")
	}
}
