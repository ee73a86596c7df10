package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/zkpoc/zkpoc/network"
	"github.com/zkpoc/zkpoc/network/market"
)

func runMarket(env *cliEnv, args []string) error {
	fs := newFlags(env, "market", "market [--nats URL] [--listen HOST:PORT] [--nkey-seed FILE]", `
Serves the Task Market HTTP API of the zkpoc network: a versioned JSON API in
front of the coordinator, reached over NATS (--nats). It posts tasks through
the coordinator's intake request and otherwise only reads what the coordinator
wrote (task and node records, the ledger, the blocks):

  POST /v1/tasks              {"matrix_size": 64, "reward": "10.0", "deadline_in": 3600}
                              (also "frac_bits" (default 8), "deadline" (unix seconds)
                              instead of deadline_in, "poster", "inputs": {"a": NAME, "b": NAME})
  POST /v1/inputs             a supplied matrix, .npy or CSV; answers its NAME
  GET  /v1/tasks/{task_id}    status, request_id, jobs and verdicts, reward paid
  GET  /v1/blocks/latest      and /v1/blocks/{height}
  GET  /v1/nodes/{node_id}    registration, rating, strikes
  GET  /v1/accounts/{address} balance in wei and CPC

Rewards are decimal CPC strings (at most 18 decimals, exact). Errors are JSON:
{"error": "...", "field": "..."}; 503 when no coordinator answers.

Example:
  zkpoc market --nats nats://127.0.0.1:4222 --listen 127.0.0.1:8080
  curl -d '{"matrix_size":64,"reward":"10.0","deadline_in":3600}' http://127.0.0.1:8080/v1/tasks

When the coordinator runs with --workers (NKey auth), give the market its key:
--nkey-seed $ZKPOC_HOME/network/market.nk (in the coordinator's --store).`)
	var nf natsFlags
	nf.register(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP address to serve the API on, HOST:PORT")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return withHint(usagef("market takes no arguments, have %d (%q)", len(pos), pos[0]), "zkpoc market [--nats URL] [--listen HOST:PORT]")
	}
	if err := checkListen("--listen", *listen); err != nil {
		return withHint(usageError{err}, "--listen takes HOST:PORT, such as 127.0.0.1:8080 (:8080 listens on every interface)")
	}
	natsOpts, err := nf.options("zkpoc market")
	if err != nil {
		return err
	}
	// Its own inbox, the only one its permissions let it read.
	natsOpts = append(natsOpts, nats.CustomInboxPrefix(network.MarketInboxPrefix))
	nc, err := connectNATS(nf.url, natsOpts)
	if err != nil {
		return err
	}
	defer nc.Close()
	h, err := market.New(nc, market.Config{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return withHint(fmt.Errorf("listen on %s: %w", *listen, err), "is another process on that port? choose one with --listen")
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(env.progress(), "market: serving the API on http://%s (NATS %s)\n", ln.Addr(), nc.ConnectedUrlRedacted())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-env.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	fmt.Fprintln(env.progress(), "market: stopped")
	return nil
}

// checkListen checks a HOST:PORT listen address before anything connects.
func checkListen(flag, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %v", flag, addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%s %q: port %q is not a number in [0, 65535]", flag, addr, port)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		if _, err := net.LookupHost(host); err != nil {
			return fmt.Errorf("%s %q: host %q: %v", flag, addr, host, err)
		}
	}
	return nil
}
