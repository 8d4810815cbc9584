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

package ip

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// ErrDADFailed is matched (errors.Is) by the error WaitForDAD returns when the
// kernel found another node using one of the addresses.
var ErrDADFailed = errors.New("duplicate address detected")

// ErrDADTimeout is matched (errors.Is) by the error WaitForDAD returns when
// an address is still tentative at the deadline.
var ErrDADTimeout = errors.New("duplicate address detection timed out")

// DADFailedError reports an address the kernel marked IFA_F_DADFAILED: a
// neighbor answered our Neighbor Solicitation for it (RFC 4862 5.4.5).
type DADFailedError struct {
	Addr net.IP
	Dev  string
}

func (e *DADFailedError) Error() string {
	return fmt.Sprintf("duplicate address detected for %s on dev %s", e.Addr, e.Dev)
}

// Unwrap returns ErrDADFailed, so that errors.Is(err, ErrDADFailed) holds.
func (e *DADFailedError) Unwrap() error { return ErrDADFailed }

// DADTimeoutError reports the addresses still tentative at the deadline, and
// when it explains the wait, that the link is down or has no carrier: the
// kernel starts DAD only once the link is up with carrier.
type DADTimeoutError struct {
	Addrs   []net.IP
	Dev     string
	Timeout time.Duration
	Reason  string
}

func (e *DADTimeoutError) Error() string {
	s := make([]string, len(e.Addrs))
	for i, a := range e.Addrs {
		s[i] = a.String()
	}
	msg := fmt.Sprintf("wait for DAD on dev %s: %s still tentative after %s", e.Dev, strings.Join(s, ", "), e.Timeout)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

// Unwrap returns ErrDADTimeout, so that errors.Is(err, ErrDADTimeout) holds.
func (e *DADTimeoutError) Unwrap() error { return ErrDADTimeout }

// dadFallbackInterval is how often WaitForDAD lists addresses when it cannot
// get (or loses) the notification socket.
const dadFallbackInterval = 50 * time.Millisecond

// WaitForDAD is `ip monitor address dev DEV` until none of addrs on the link
// with index linkIndex is "tentative" any more, or timeout passes. Only the
// IPv6 addresses in addrs are waited for; IPv4 has no DAD. It returns a
// *DADFailedError (errors.Is ErrDADFailed) as soon as one address is
// "dadfailed", and a *DADTimeoutError (errors.Is ErrDADTimeout) naming the
// addresses still tentative at the deadline.
//
// h must be a handle in the calling thread's namespace (nil opens a socket
// per request there), and the caller must stay on that thread, as code run by
// ns.NetNS.Do does. WaitForDAD subscribes to address notifications in that
// namespace first, then lists the link's addresses once to catch those that
// settled already, then follows the notifications: it does not poll. Only if
// the notification socket cannot be opened, or fails (an overrun loses
// messages), does it fall back to listing every 50ms until the deadline.
func WaitForDAD(h *netlinksafe.Handle, linkIndex int, addrs []net.IP, timeout time.Duration) error {
	w := &dadWait{h: handleOrDefault(h), index: linkIndex, pending: make(map[string]net.IP)}
	for _, a := range addrs {
		if ipaddr.Is6(a) {
			w.pending[string(a.To16())] = a
		}
	}
	if len(w.pending) == 0 {
		return nil
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()

	var (
		updates <-chan netlink.AddrUpdate
		ticks   <-chan time.Time
		ticker  *time.Ticker
	)
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	fallBack := func() {
		updates = nil
		ticker = time.NewTicker(dadFallbackInterval)
		ticks = ticker.C
	}
	if sub, err := subscribe(); err == nil {
		defer sub.close()
		updates = sub.ch
	} else {
		fallBack()
	}

	if done, err := w.list(); done || err != nil {
		return err
	}
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				// The socket failed; what it missed is listed now.
				fallBack()
				if done, err := w.list(); done || err != nil {
					return err
				}
				continue
			}
			if u.LinkIndex != w.index {
				continue
			}
			if done, err := w.observe(u.LinkAddress.IP, u.Flags, !u.NewAddr); done || err != nil {
				return err
			}
		case <-ticks:
			if done, err := w.list(); done || err != nil {
				return err
			}
		case <-deadline.C:
			return w.timeoutError(timeout)
		}
	}
}

// dadWait tracks the addresses WaitForDAD still waits for.
type dadWait struct {
	h       *netlinksafe.Handle
	index   int
	pending map[string]net.IP // keyed by the 16-byte form
}

// observe applies one address state; it reports whether nothing is left to
// wait for.
func (w *dadWait) observe(addr net.IP, flags int, deleted bool) (bool, error) {
	key := string(addr.To16())
	a, ok := w.pending[key]
	if !ok {
		return len(w.pending) == 0, nil
	}
	switch {
	case flags&unix.IFA_F_DADFAILED != 0:
		return true, &DADFailedError{Addr: a, Dev: w.devName()}
	case deleted:
		return true, fmt.Errorf("wait for DAD on dev %s: address %s was removed", w.devName(), a)
	case flags&unix.IFA_F_TENTATIVE == 0:
		delete(w.pending, key)
	}
	return len(w.pending) == 0, nil
}

// list is `ip -6 addr show dev DEV`, applied to the pending addresses. An
// address the plugin added that is not there at all will never settle.
func (w *dadWait) list() (bool, error) {
	link := &netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: w.index}}
	have, err := w.h.AddrList(link, netlink.FAMILY_V6)
	if err != nil {
		return true, fmt.Errorf("wait for DAD on dev %s: %w", w.devName(), err)
	}
	seen := make(map[string]bool, len(have))
	for _, a := range have {
		seen[string(a.IP.To16())] = true
		if done, err := w.observe(a.IP, a.Flags, false); done || err != nil {
			return done, err
		}
	}
	for key, a := range w.pending {
		if !seen[key] {
			return true, fmt.Errorf("wait for DAD on dev %s: address %s not found", w.devName(), a)
		}
	}
	return false, nil
}

// devName names the link for messages; it is looked up only for an error.
func (w *dadWait) devName() string {
	if l, err := w.h.LinkByIndex(w.index); err == nil {
		return l.Attrs().Name
	}
	return fmt.Sprintf("index %d", w.index)
}

func (w *dadWait) timeoutError(timeout time.Duration) error {
	e := &DADTimeoutError{Dev: fmt.Sprintf("index %d", w.index), Timeout: timeout}
	for _, a := range w.pending {
		e.Addrs = append(e.Addrs, a)
	}
	// Map order is random; messages should not be.
	slices.SortFunc(e.Addrs, func(a, b net.IP) int { return bytes.Compare(a.To16(), b.To16()) })
	if l, err := w.h.LinkByIndex(w.index); err == nil {
		e.Dev = l.Attrs().Name
		switch {
		case l.Attrs().Flags&net.FlagUp == 0:
			e.Reason = "link is down"
		case l.Attrs().RawFlags&unix.IFF_LOWER_UP == 0:
			e.Reason = "link has no carrier"
		}
	}
	return e
}

// subscribe is subscribeAddrs; tests replace it to exercise the fallback.
var subscribe = subscribeAddrs

// addrSub is a subscription to the address notifications of the calling
// thread's namespace.
type addrSub struct {
	ch   chan netlink.AddrUpdate
	done chan struct{}
}

// subscribeAddrs is `ip monitor address` in the calling thread's namespace.
// The namespace is passed explicitly: the netlink library opens the socket in
// the namespace named by the options, and the thread's own is the one h and
// the caller work in.
func subscribeAddrs() (*addrSub, error) {
	cur, err := netns.Get()
	if err != nil {
		return nil, fmt.Errorf("open current namespace: %w", err)
	}
	// The socket keeps its namespace once opened.
	defer func() { _ = cur.Close() }()
	s := &addrSub{ch: make(chan netlink.AddrUpdate, 64), done: make(chan struct{})}
	if err := netlink.AddrSubscribeWithOptions(s.ch, s.done, netlink.AddrSubscribeOptions{Namespace: &cur}); err != nil {
		return nil, fmt.Errorf("subscribe to address notifications: %w", err)
	}
	return s, nil
}

// close closes the socket and drains the channel until the library's reader
// goroutine, which may be blocked sending to it, has exited and closed it.
func (s *addrSub) close() {
	close(s.done)
	for range s.ch {
	}
}

// SetRetransTime sets the IPv6 neighbor retransmission timer of ifName
// (net.ipv6.neigh.<if>.retrans_time_ms, RFC 4861's RetransTimer) in the
// calling thread's namespace to d, and returns the function that restores
// the value it had. The kernel reads the timer whenever it schedules a
// probe, so a DAD probe sent while it is shortened waits for d only.
func SetRetransTime(ifName string, d time.Duration) (restore func() error, err error) {
	key := "net/ipv6/neigh/" + ifName + "/retrans_time_ms"
	old, err := sysctl.Get(key)
	if err != nil {
		return nil, fmt.Errorf("read the IPv6 retransmission timer of %s: %w", ifName, err)
	}
	want := strconv.FormatInt(d.Milliseconds(), 10)
	if old == want {
		return func() error { return nil }, nil
	}
	if err := sysctl.Set(key, want); err != nil {
		return nil, fmt.Errorf("shorten the IPv6 retransmission timer of %s: %w", ifName, err)
	}
	return func() error {
		if err := sysctl.Set(key, old); err != nil {
			return fmt.Errorf("restore the IPv6 retransmission timer of %s: %w", ifName, err)
		}
		return nil
	}, nil
}
