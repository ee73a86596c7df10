package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// natsFlags are the flags every network command connects to nats-server with.
type natsFlags struct {
	url, seed string
}

func (f *natsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "nats", nats.DefaultURL, "nats-server URL (nats://, tls://, ws:// or wss://; comma-separated for a cluster)")
	fs.StringVar(&f.seed, "nkey-seed", "", "NKey seed file to authenticate to nats-server with (optional)")
}

// options checks the flags and returns the connection options.
func (f *natsFlags) options(name string) ([]nats.Option, error) {
	if err := checkNATSURL(f.url); err != nil {
		return nil, err
	}
	opts := []nats.Option{nats.Name(name), nats.Timeout(5 * time.Second), nats.MaxReconnects(-1)}
	if f.seed != "" {
		opt, err := nats.NkeyOptionFromSeed(f.seed)
		if err != nil {
			return nil, withHint(usagef("--nkey-seed: %w", err), "an NKey user seed file (SU…), as nsc or nk -gen user writes it")
		}
		opts = append(opts, opt)
	}
	return opts, nil
}

// connect dials url with opts.
func connectNATS(url string, opts []nats.Option) (*nats.Conn, error) {
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, withHint(fmt.Errorf("connect to NATS at %s: %w", url, err), "is nats-server (or zkpoc coordinator, which embeds one) running there? give its URL with --nats")
	}
	return nc, nil
}
