package embedded_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/embedded"
)

// authNet is an embedded server that requires the role users of keys.
type authNet struct {
	srv               *embedded.Server
	coordKP, marketKP nkeys.KeyPair
	workers           []ed25519.PrivateKey
	workerIDs         []string
}

func nodeKeyOf(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("zkpoc auth test node " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func userKP(t *testing.T) nkeys.KeyPair {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func pubOf(t *testing.T, kp nkeys.KeyPair) string {
	t.Helper()
	p, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startAuth starts a server whose users are a coordinator, a market and
// the workers named.
func startAuth(t *testing.T, workers ...string) *authNet {
	t.Helper()
	a := &authNet{coordKP: userKP(t), marketKP: userKP(t)}
	keys := embedded.RoleKeys{Coordinator: pubOf(t, a.coordKP), Market: pubOf(t, a.marketKP)}
	for _, w := range workers {
		k := nodeKeyOf(w)
		pub, _, err := network.NodeNkey(k)
		if err != nil {
			t.Fatal(err)
		}
		id, err := network.NkeyNodeID(pub)
		if err != nil {
			t.Fatal(err)
		}
		a.workers, a.workerIDs = append(a.workers, k), append(a.workerIDs, id)
		keys.Workers = append(keys.Workers, pub)
	}
	var err error
	a.srv, err = embedded.Start(embedded.Options{Dir: t.TempDir(), Auth: &keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.srv.Stop)
	return a
}

// asyncErrs collects a connection's asynchronous errors (permission
// violations among them).
type asyncErrs struct {
	mu   sync.Mutex
	errs []error
	ch   chan struct{}
}

func (e *asyncErrs) handler(_ *nats.Conn, _ *nats.Subscription, err error) {
	e.mu.Lock()
	e.errs = append(e.errs, err)
	e.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	default:
	}
}

func (e *asyncErrs) list() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.errs...)
}

// violation waits up to d for a permissions violation for kind ("Publish"
// or "Subscription") to subject, or to a subject under it when it ends in
// a dot.
func (e *asyncErrs) violation(kind, subject string, d time.Duration) bool {
	want := `Permissions Violation for ` + kind + ` to "` + subject
	if !strings.HasSuffix(subject, ".") {
		want += `"`
	}
	want = strings.ToLower(want)
	deadline := time.After(d)
	for {
		for _, err := range e.list() {
			if strings.Contains(strings.ToLower(err.Error()), want) {
				return true
			}
		}
		select {
		case <-e.ch:
		case <-deadline:
			return false
		}
	}
}

// connect connects with kp and inbox prefix (none: the default _INBOX).
func (a *authNet) connect(t *testing.T, name string, kp nkeys.KeyPair, inbox string) (*nats.Conn, *asyncErrs) {
	t.Helper()
	errs := &asyncErrs{ch: make(chan struct{}, 1)}
	opts := []nats.Option{nats.Name(name), nats.Nkey(pubOf(t, kp), kp.Sign), nats.ErrorHandler(errs.handler), nats.Timeout(5 * time.Second)}
	if inbox != "" {
		opts = append(opts, nats.CustomInboxPrefix(inbox))
	}
	nc, err := nats.Connect(a.srv.URL(), opts...)
	if err != nil {
		t.Fatalf("%s: connect: %v", name, err)
	}
	t.Cleanup(nc.Close)
	return nc, errs
}

// worker connects as worker i with its node key and own inbox.
func (a *authNet) worker(t *testing.T, i int) (*nats.Conn, *asyncErrs) {
	t.Helper()
	_, kp, err := network.NodeNkey(a.workers[i])
	if err != nil {
		t.Fatal(err)
	}
	return a.connect(t, "worker "+a.workerIDs[i][:8], kp, network.WorkerInboxPrefix(a.workerIDs[i]))
}

func (a *authNet) market(t *testing.T) (*nats.Conn, *asyncErrs) {
	return a.connect(t, "market", a.marketKP, network.MarketInboxPrefix)
}

func (a *authNet) coordinator(t *testing.T) (*nats.Conn, *asyncErrs) {
	return a.connect(t, "coordinator", a.coordKP, "")
}

func mustJS(t *testing.T, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
