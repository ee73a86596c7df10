// Package embedded runs nats-server in-process with JetStream on file
// storage: the network's default broker and the one tests start. It only
// configures and starts the real server (github.com/nats-io/nats-server/v2);
// beyond one machine the same clients connect to an external nats-server or
// cluster instead.
package embedded

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/zkpoc/zkpoc/network"
)

// Options configures the embedded server.
type Options struct {
	// Dir is the JetStream file store (required): state survives a restart
	// of a server given the same Dir.
	Dir string
	// Host defaults to 127.0.0.1; Port 0 picks a free port (-1 in
	// nats-server terms). A fixed Port lets a restarted server keep its URL.
	Host string
	Port int
	// WebSocketPort, when non-zero, also accepts WebSocket clients there
	// (no TLS: loopback only, or behind a TLS-terminating proxy). -1 picks
	// a free port. WebSocketHost defaults to Host.
	WebSocketPort int
	WebSocketHost string
	// Auth, when set, makes the server admit only these NKeys, in the
	// network's accounts with their roles' permissions (see RoleKeys);
	// nil: no authentication (loopback only).
	Auth *RoleKeys
	// Users, when set, are the only clients allowed, all in one account
	// (NKeys with per-user permissions; not with Auth). One account does
	// not confine a client: Auth is the network's.
	Users []*server.NkeyUser
	// MaxPayload defaults to network.MaxMessageBytes.
	MaxPayload int32
	// ServerName defaults to "zkpoc"; every server of a cluster needs its own.
	ServerName string
	// Cluster, when set, joins this server to a JetStream cluster: three
	// servers, each listing the others' route URLs, replicate every stream
	// and bucket provisioned with Settings.Replicas = 3.
	Cluster *Cluster
}

// Cluster is a server's part in a cluster.
type Cluster struct {
	Name string // the cluster's name, the same on every server
	// Port is this server's route port (-1: a free one); Routes are every
	// server's route URLs (nats://host:port), this one's included.
	Port   int
	Routes []string
}

// Server is a running embedded nats-server.
type Server struct {
	*server.Server
	opts Options
	url  string
	port int
}

// Start starts the server and waits until it accepts connections.
func Start(o Options) (*Server, error) {
	if o.Dir == "" {
		return nil, errors.New("embedded nats-server: a JetStream storage directory is required")
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.MaxPayload == 0 {
		o.MaxPayload = network.MaxMessageBytes
	}
	if o.ServerName == "" {
		o.ServerName = "zkpoc"
	}
	port := o.Port
	if port == 0 {
		port = -1
	}
	so := &server.Options{}
	if o.Auth != nil {
		if o.Users != nil {
			return nil, errors.New("embedded nats-server: Auth and Users both set")
		}
		var err error
		if so, err = authOptions(*o.Auth); err != nil {
			return nil, err
		}
	}
	so.ServerName, so.Host, so.Port = o.ServerName, o.Host, port
	so.JetStream, so.StoreDir, so.MaxPayload = true, o.Dir, o.MaxPayload
	// A pending buffer above the payload limit, or large messages stall.
	so.MaxPending = 4 * int64(o.MaxPayload)
	so.NoSigs, so.NoLog = true, true
	if o.Users != nil {
		so.Nkeys = o.Users
	}
	if c := o.Cluster; c != nil {
		if c.Name == "" || len(c.Routes) == 0 {
			return nil, errors.New("embedded nats-server: a cluster needs a name and its route URLs")
		}
		so.Cluster = server.ClusterOpts{Name: c.Name, Host: o.Host, Port: c.Port}
		for _, r := range c.Routes {
			u, err := url.Parse(r)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("embedded nats-server: route %q: not a nats://host:port URL", r)
			}
			so.Routes = append(so.Routes, u)
		}
	}
	if o.WebSocketPort != 0 {
		wsHost := o.WebSocketHost
		if wsHost == "" {
			wsHost = o.Host
		}
		so.Websocket = server.WebsocketOpts{Host: wsHost, Port: o.WebSocketPort, NoTLS: true}
	}
	ns, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("embedded nats-server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("embedded nats-server: not ready for connections after 10 s")
	}
	srv := &Server{Server: ns, opts: o, url: ns.ClientURL()}
	if a, ok := ns.Addr().(*net.TCPAddr); ok {
		srv.port = a.Port
	}
	return srv, nil
}

// Port is the client port the server listens on (kept after Stop, so a
// restart can reuse it).
func (s *Server) Port() int { return s.port }

// URL is the client URL (nats://127.0.0.1:port).
func (s *Server) URL() string { return s.url }

// Stop shuts the server down and waits for it.
func (s *Server) Stop() {
	s.Shutdown()
	s.WaitForShutdown()
}
