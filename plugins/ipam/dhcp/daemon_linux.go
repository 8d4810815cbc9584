// Copyright 2026 CNI authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/containernetworking/plugins/pkg/netconf"
)

// daemonConfig holds the daemon's flags.
type daemonConfig struct {
	socketPath    string
	pidFile       string
	hostPrefix    string
	broadcast     bool
	timeout       time.Duration
	resendMax     time.Duration
	resendTimeout time.Duration
}

// parseDaemonFlags parses the flags of `dhcp daemon`, named as upstream's.
func parseDaemonFlags(argv []string) (*daemonConfig, error) {
	c := &daemonConfig{}
	fs := flag.NewFlagSet("daemon", flag.ContinueOnError)
	fs.StringVar(&c.socketPath, "socketpath", "", "optional dhcp server socketpath (default <hostprefix>"+defaultSocketPath+")")
	fs.StringVar(&c.pidFile, "pidfile", "", "optional path to write daemon PID to")
	fs.StringVar(&c.hostPrefix, "hostprefix", "", "optional prefix to host root (netns paths and the default socket)")
	fs.BoolVar(&c.broadcast, "broadcast", false, "set the broadcast flag on DHCP requests")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "dhcp client timeout for each request (DISCOVER to ACK)")
	fs.DurationVar(&c.resendMax, "resendmax", 62*time.Second, "dhcp client max resend delay between requests")
	fs.DurationVar(&c.resendTimeout, "resendtimeout", 208*time.Second, "dhcp client resend timeout: no more renewal retries after this")
	if err := fs.Parse(argv); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.timeout <= 0 || c.resendMax <= 0 || c.resendTimeout <= 0 {
		return nil, fmt.Errorf("-timeout, -resendmax and -resendtimeout must be positive")
	}
	if c.socketPath == "" {
		c.socketPath = filepath.Join(c.hostPrefix, defaultSocketPath)
	}
	return c, nil
}

// DHCP is the RPC service the daemon serves; its methods are called by the
// plugin as "DHCP.Allocate" and "DHCP.Release".
type DHCP struct {
	cfg    *daemonConfig
	mu     sync.Mutex
	leases map[string]*lease
	// busy holds the attachments an Allocate or Release is working on;
	// the channel is closed when it is done. Calls for one attachment run
	// one at a time: two concurrent acquisitions with the same client
	// identifier get the same address, and giving one back would release
	// the address the other holds.
	busy map[string]chan struct{}
}

// lockKey waits until no other call works on key and claims it; the
// returned function gives it up.
func (d *DHCP) lockKey(key string) func() {
	for {
		d.mu.Lock()
		ch, busy := d.busy[key]
		if !busy {
			d.busy[key] = make(chan struct{})
			d.mu.Unlock()
			return func() {
				d.mu.Lock()
				close(d.busy[key])
				delete(d.busy, key)
				d.mu.Unlock()
			}
		}
		d.mu.Unlock()
		<-ch
	}
}

// forget drops l when it is still the lease of its attachment.
func (d *DHCP) forget(l *lease) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.leases[l.key] == l {
		delete(d.leases, l.key)
	}
}

// leaseKey names one attachment: container, network, interface.
func leaseKey(containerID, network, ifName string) string {
	return containerID + "/" + network + "/" + ifName
}

// Allocate acquires a lease for the attachment in args and returns it as a
// result. A second call for an attachment that holds a lease returns that
// lease (a runtime retrying ADD gets the same address).
func (d *DHCP) Allocate(args *skel.CmdArgs, result *current.Result) error {
	conf := &NetConf{}
	if _, err := netconf.Load(args.StdinData, conf); err != nil {
		return err
	}
	if conf.IPAM == nil {
		conf.IPAM = &IPAMConfig{}
	}
	opts, err := parseOptions(conf.IPAM, args.Args)
	if err != nil {
		return err
	}
	key := leaseKey(args.ContainerID, conf.Name, args.IfName)
	defer d.lockKey(key)()
	d.mu.Lock()
	l := d.leases[key]
	d.mu.Unlock()
	if l == nil {
		netnsPath := filepath.Join(d.cfg.hostPrefix, args.Netns)
		l, err = acquireLease(key, netnsPath, args.IfName, opts, d.cfg, d.forget)
		if err != nil {
			return err
		}
		d.mu.Lock()
		d.leases[key] = l
		d.mu.Unlock()
	}
	res, err := l.result()
	if err != nil {
		return err
	}
	*result = *res
	return nil
}

// Release releases the attachment's lease. An attachment without a lease
// (never allocated, already released, daemon restarted) is not an error.
func (d *DHCP) Release(args *skel.CmdArgs, reply *struct{}) error {
	conf := &NetConf{}
	_, _ = netconf.Load(args.StdinData, conf)
	key := leaseKey(args.ContainerID, conf.Name, args.IfName)
	defer d.lockKey(key)()
	d.mu.Lock()
	l := d.leases[key]
	delete(d.leases, key)
	d.mu.Unlock()
	if l != nil {
		l.stop(true)
	}
	return nil
}

// runDaemon serves the RPC service until SIGINT or SIGTERM. Leases are
// released on the way out so that the server can reuse the addresses.
func runDaemon(argv []string) error {
	cfg, err := parseDaemonFlags(argv)
	if err != nil {
		return err
	}
	l, err := listen(cfg.socketPath)
	if err != nil {
		return err
	}
	if cfg.pidFile != "" {
		if err := os.WriteFile(cfg.pidFile, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			return fmt.Errorf("write pidfile %s: %w", cfg.pidFile, err)
		}
	}
	d := &DHCP{cfg: cfg, leases: map[string]*lease{}, busy: map[string]chan struct{}{}}
	srv := rpc.NewServer()
	if err := srv.Register(d); err != nil {
		return fmt.Errorf("register rpc service: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(rpc.DefaultRPCPath, srv)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	log.Printf("dhcp daemon listening on %s", l.Addr())
	err = hs.Serve(l)
	d.mu.Lock()
	for k, le := range d.leases {
		le.stop(true)
		delete(d.leases, k)
	}
	d.mu.Unlock()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// listen returns the systemd-activated socket (LISTEN_PID/LISTEN_FDS, the
// first passed descriptor is 3) or a new unix socket at path, replacing a
// stale socket file left by a daemon that died.
func listen(path string) (net.Listener, error) {
	if pid, _ := strconv.Atoi(os.Getenv("LISTEN_PID")); pid == os.Getpid() {
		if n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS")); n >= 1 {
			f := os.NewFile(3, "systemd-socket")
			l, err := net.FileListener(f)
			_ = f.Close()
			if err != nil {
				return nil, fmt.Errorf("use systemd socket (fd 3): %w", err)
			}
			return l, nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create socket dir: %w", err)
	}
	if c, err := net.Dial("unix", path); err == nil {
		_ = c.Close()
		return nil, fmt.Errorf("listen %s: another daemon is listening", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	return l, nil
}
