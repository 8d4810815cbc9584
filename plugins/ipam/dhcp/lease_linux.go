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
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/vishvananda/netlink"

	"github.com/containernetworking/plugins/pkg/ns"
)

// attemptTimeout bounds the wait for one answer before the message is sent
// again (RFC 2131 section 4.1 starts at 4 s; shorter keeps ADD quick when a
// first packet is lost), never more than -resendmax.
const attemptTimeout = 2 * time.Second

// lease is one DHCPv4 lease held for an attachment, with the client bound
// to the container's interface and the goroutine that renews it.
type lease struct {
	key     string
	netns   string
	ifIndex int          // the interface in netns the lease is for
	gone    func(*lease) // called when the interface no longer exists
	client  *nclient4.Client
	conn    net.PacketConn // the client's raw socket
	mods    []dhcpv4.Modifier
	cfg     *daemonConfig

	mu      sync.Mutex
	current *nclient4.Lease

	stopCh chan struct{}
	done   chan struct{}
	once   sync.Once
}

// acquireLease opens a DHCP client on ifName inside the namespace at
// netnsPath and runs DISCOVER/OFFER/REQUEST/ACK. The raw packet socket is
// bound to the interface's index, so it keeps working after this thread
// leaves the namespace; the renewals use it from the daemon's namespace.
func acquireLease(key, netnsPath, ifName string, opts *leaseOptions, cfg *daemonConfig, gone func(*lease)) (*lease, error) {
	timeout := min(attemptTimeout, cfg.resendMax)
	var client *nclient4.Client
	var conn net.PacketConn
	var ifIndex int
	err := ns.WithNetNSPath(netnsPath, func(ns.NetNS) error {
		// The link plugin hands over a link that is still down; no
		// packet leaves a down link, so the client brings it up.
		link, err := netlink.LinkByName(ifName)
		if err != nil {
			return fmt.Errorf("find link: %w", err)
		}
		ifIndex = link.Attrs().Index
		if link.Attrs().Flags&net.FlagUp == 0 {
			if err := netlink.LinkSetUp(link); err != nil {
				return fmt.Errorf("set link up: %w", err)
			}
		}
		// RFC 2131 section 4.4.1 allows any retransmission count; the
		// context deadline (-timeout) is what bounds the exchange.
		conn, err = nclient4.NewRawUDPConn(ifName, nclient4.ClientPort)
		if err != nil {
			return fmt.Errorf("open raw socket: %w", err)
		}
		client, err = nclient4.NewWithConn(conn, link.Attrs().HardwareAddr, nclient4.WithTimeout(timeout), nclient4.WithRetry(1<<16))
		if err != nil {
			_ = conn.Close()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open dhcp client on %s in %s: %w", ifName, netnsPath, err)
	}
	mods := opts.modifiers(cfg.broadcast)
	if _, ok := opts.provide[uint8(dhcpv4.OptionClientIdentifier)]; !ok {
		// A client identifier (RFC 2132 section 9.14) names the
		// attachment, so a server keys the lease on it rather than on a
		// MAC address that a recreated link may change. Type 0 marks an
		// identifier that is not a hardware address; the bytes are the
		// ones upstream's daemon sends, so a lease survives a switch.
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptClientIdentifier(append([]byte{0}, key...))))
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	cur, err := client.Request(ctx, mods...)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("acquire lease on %s: %w", ifName, err)
	}
	l := &lease{key: key, netns: netnsPath, ifIndex: ifIndex, gone: gone, client: client, conn: conn, mods: mods, cfg: cfg, current: cur, stopCh: make(chan struct{}), done: make(chan struct{})}
	if _, err := l.result(); err != nil {
		close(l.done) // maintain never ran
		l.stop(true)
		return nil, err
	}
	log.Printf("%s: lease %s from %s for %s", key, cur.ACK.YourIPAddr, cur.ACK.ServerIdentifier(), cur.ACK.IPAddressLeaseTime(0))
	go l.maintain()
	return l, nil
}

// result is the lease as an IPAM result.
func (l *lease) result() (*current.Result, error) {
	l.mu.Lock()
	ack := l.current.ACK
	l.mu.Unlock()
	return buildResult(ack)
}

// times returns when to renew (T1), rebind (T2) and when the lease
// expires, with RFC 2131 section 4.4.5's defaults: T1 half the lease time,
// T2 seven eighths.
func times(cur *nclient4.Lease) (t1, t2, expiry time.Time) {
	lt := cur.ACK.IPAddressLeaseTime(0)
	if lt <= 0 {
		// No lease time: RFC 2131 requires one in an ACK; treat the
		// lease as one hour rather than renewing in a tight loop.
		lt = time.Hour
	}
	start := cur.CreationTime
	t1d := cur.ACK.IPAddressRenewalTime(lt / 2)
	t2d := cur.ACK.IPAddressRebindingTime(lt * 7 / 8)
	return start.Add(t1d), start.Add(t2d), start.Add(lt)
}

// maintain renews the lease at T1 and retries until expiry, with waits of
// half the remaining time (RFC 2131 section 4.4.5) capped by -resendmax.
// When the lease expires without an answer a new one is requested.
func (l *lease) maintain() {
	defer close(l.done)
	for {
		l.mu.Lock()
		cur := l.current
		l.mu.Unlock()
		t1, _, expiry := times(cur)
		if !l.sleepUntil(t1) {
			return
		}
		for {
			ctx, cancel := context.WithTimeout(context.Background(), l.cfg.timeout)
			var next *nclient4.Lease
			var err error
			if time.Now().Before(expiry) {
				next, err = l.client.Renew(ctx, cur, l.mods...)
			} else {
				next, err = l.client.Request(ctx, l.mods...)
			}
			cancel()
			if err == nil {
				l.mu.Lock()
				l.current = next
				l.mu.Unlock()
				log.Printf("%s: renewed %s for %s", l.key, next.ACK.YourIPAddr, next.ACK.IPAddressLeaseTime(0))
				break
			}
			log.Printf("%s: renew: %v", l.key, err)
			if !l.linkExists() {
				// The container or its interface is gone without a DEL
				// (a runtime that crashed): nobody will renew or
				// release this lease, so the daemon forgets it and the
				// server reclaims it when it expires.
				log.Printf("%s: interface gone; dropping the lease", l.key)
				l.gone(l)
				go l.stop(false)
				return
			}
			wait := max(time.Until(expiry)/2, time.Second)
			if !l.sleepUntil(time.Now().Add(min(wait, l.cfg.resendMax))) {
				return
			}
		}
	}
}

// linkExists reports whether the lease's interface still exists in its
// namespace. An index, not a name: a new link under the old name is not
// the one the lease was taken on.
func (l *lease) linkExists() bool {
	err := ns.WithNetNSPath(l.netns, func(ns.NetNS) error {
		_, err := netlink.LinkByIndex(l.ifIndex)
		return err
	})
	return err == nil
}

// sleepUntil waits until t; false when the lease was stopped meanwhile.
func (l *lease) sleepUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-l.stopCh:
		return false
	}
}

// stop ends the renewals and, when release is set, sends DHCPRELEASE
// (RFC 2131 section 4.4.6) so the server can hand the address out again.
func (l *lease) stop(release bool) {
	l.once.Do(func() {
		close(l.stopCh)
		select {
		case <-l.done:
		case <-time.After(l.cfg.timeout):
		}
		if release {
			l.mu.Lock()
			cur := l.current
			l.mu.Unlock()
			if err := l.release(cur); err != nil {
				log.Printf("%s: release: %v", l.key, err)
			} else {
				log.Printf("%s: released %s", l.key, cur.ACK.YourIPAddr)
			}
		}
		_ = l.client.Close()
	})
}

// release sends DHCPRELEASE for cur. RFC 2131 section 4.4.6 has it
// unicast from the leased address to the server; that needs the address
// on the container's interface. When it is not there (an ADD that failed
// before the link plugin configured it), the message goes out on the raw
// socket to the broadcast address: the kernel drops a unicast datagram
// from 0.0.0.0 as a martian, and a release carries the server identifier
// (option 54) that tells servers which of them it is for.
func (l *lease) release(cur *nclient4.Lease) error {
	req, err := dhcpv4.NewReleaseFromACK(cur.ACK, l.releaseMods()...)
	if err != nil {
		return fmt.Errorf("build release: %w", err)
	}
	server := &net.UDPAddr{IP: cur.ACK.ServerIdentifier(), Port: nclient4.ServerPort}
	err = ns.WithNetNSPath(l.netns, func(ns.NetNS) error {
		c, err := net.DialUDP("udp4", &net.UDPAddr{IP: cur.ACK.YourIPAddr, Port: nclient4.ClientPort}, server)
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }()
		_, err = c.Write(req.ToBytes())
		return err
	})
	if err == nil {
		return nil
	}
	if _, berr := l.conn.WriteTo(req.ToBytes(), &net.UDPAddr{IP: net.IPv4bcast, Port: nclient4.ServerPort}); berr != nil {
		return fmt.Errorf("send release: unicast: %w; broadcast: %w", err, berr)
	}
	return nil
}

// releaseMods are the options a DHCPRELEASE carries: the client identifier
// the lease was taken with, so the server finds it (RFC 2131 section 4.4.6).
func (l *lease) releaseMods() []dhcpv4.Modifier {
	l.mu.Lock()
	defer l.mu.Unlock()
	probe, err := dhcpv4.New(l.mods...)
	if err != nil {
		return nil
	}
	if id := probe.Options.Get(dhcpv4.OptionClientIdentifier); id != nil {
		return []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptClientIdentifier(id))}
	}
	return nil
}
