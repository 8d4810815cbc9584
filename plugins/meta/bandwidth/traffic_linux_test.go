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
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ns"
)

// receiveTimestamps has the kernel stamp each datagram c receives with the
// time it arrived (SO_TIMESTAMPNS): the rate is then the shaper's, not
// the receiving goroutine's on a busy machine.
func receiveTimestamps(c *net.UDPConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("set SO_TIMESTAMPNS: %w", serr)
	}
	return nil
}

// receivedAt returns the kernel's receive time from a datagram's control
// messages: an SCM_TIMESTAMPNS timespec, two native 64-bit words.
func receivedAt(oob []byte) (time.Time, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse control messages: %w", err)
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			return time.Unix(sec, nsec), nil
		}
	}
	return time.Time{}, errors.New("no receive timestamp on a datagram")
}

// datagram is the UDP payload size; frameOverhead the UDP, IPv4 and
// Ethernet headers around it: tbf counts whole frames.
const (
	datagram      = 1000
	frameOverhead = 8 + 20 + 14
)

// delivery is what a receiver saw: the bytes of the frames that carried
// its datagrams after the first (tbf counts whole frames) and the time from
// the first to the last, by the kernel's receive stamps.
type delivery struct {
	frameBytes int
	window     time.Duration
}

// measure offers UDP traffic at offered bits per second for d from the
// namespace from to a socket on dst in the namespace to. UDP has no
// congestion control: what arrives is what the shaper lets through,
// whatever the round trip. The sender catches up with the offered rate on
// each millisecond tick, so a late tick does not lower it. Sockets keep
// the namespace they were made in, so only their creation runs inside one.
func measure(from, to ns.NetNS, dst string, offered float64, d time.Duration) (delivery, error) {
	var rc *net.UDPConn
	if err := to.Do(func(ns.NetNS) error {
		var err error
		rc, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(dst)})
		return err
	}); err != nil {
		return delivery{}, fmt.Errorf("listen on %s: %w", dst, err)
	}
	defer rc.Close()
	_ = rc.SetReadBuffer(4 << 20)
	if err := receiveTimestamps(rc); err != nil {
		return delivery{}, err
	}
	var sc *net.UDPConn
	if err := from.Do(func(ns.NetNS) error {
		var err error
		sc, err = net.DialUDP("udp4", nil, rc.LocalAddr().(*net.UDPAddr))
		return err
	}); err != nil {
		return delivery{}, fmt.Errorf("dial %s: %w", rc.LocalAddr(), err)
	}
	defer sc.Close()

	sent := make(chan error, 1)
	go func() {
		payload := make([]byte, datagram)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		start, n := time.Now(), 0
		for now := range t.C {
			el := now.Sub(start)
			if el > d {
				break
			}
			for ; float64(n*datagram*8) < offered*el.Seconds(); n++ {
				// A full socket buffer or a qdisc's drop is what the
				// shaper does to excess traffic: not an error.
				if _, err := sc.Write(payload); err != nil && !errors.Is(err, net.ErrClosed) {
					continue
				}
			}
		}
		sent <- nil
	}()

	buf, oob := make([]byte, 2*datagram), make([]byte, 128)
	begin := time.Now()
	var first, last time.Time
	var bytes int
	// Reading ends when nothing arrives for 200 ms: past the sender's
	// end, tbf's queue (25 ms) has drained.
	for {
		_ = rc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, oobn, _, _, err := rc.ReadMsgUDP(buf, oob)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !first.IsZero() {
				break
			}
			if errors.As(err, &ne) && ne.Timeout() && time.Since(begin) < d+time.Second {
				continue // nothing yet: wait as long as the sender sends
			}
			return delivery{}, fmt.Errorf("read: %w", err)
		}
		now, err := receivedAt(oob[:oobn])
		if err != nil {
			return delivery{}, err
		}
		if first.IsZero() {
			first = now
		} else {
			bytes += n + frameOverhead
		}
		last = now
	}
	<-sent
	if !last.After(first) {
		return delivery{}, errors.New("fewer than two datagrams arrived")
	}
	return delivery{frameBytes: bytes, window: last.Sub(first)}, nil
}

// rate is d's sustained rate in bits per second once a bucket of burst
// bytes, full at the start, is spent.
func (d delivery) rate(burst int) float64 {
	return float64(d.frameBytes-burst) * 8 / d.window.Seconds()
}

var _ = Describe("bandwidth with traffic", func() {
	// The rates differ per direction so that swapped directions fail.
	// They are low enough for the QEMU guest of the VM suite, whose
	// emulated CPU sends some 20 Mbit/s of these datagrams at most. The
	// buckets hold 250 ms of traffic: the tokens a stalled sender leaves
	// are spent when it catches up, so a busy machine does not lower the
	// rate, and a token bucket still never lets through more than
	// burst + rate*time in any window.
	const (
		ingressRate  = 800000  // bits per second toward the container
		ingressBurst = 25000   // bytes
		egressRate   = 1600000 // from it
		egressBurst  = 50000
		rates        = `"ingressRate":800000,"ingressBurst":200000,"egressRate":1600000,"egressBurst":400000,`
	)

	It("holds each direction to its rate, measured with UDP offered at twice the rate", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", rates))
		Expect(err).NotTo(HaveOccurred())

		toCont, err := measure(f.host, f.cont, "192.0.2.2", 2*ingressRate, 1500*time.Millisecond)
		Expect(err).NotTo(HaveOccurred())
		fromCont, err := measure(f.cont, f.host, "192.0.2.1", 2*egressRate, 1500*time.Millisecond)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("toward the container %.3f Mbit/s after the burst (ingressRate 0.8), from it %.3f Mbit/s (egressRate 1.6)\n",
			toCont.rate(ingressBurst)/1e6, fromCont.rate(egressBurst)/1e6)

		// At most the bucket and the rate (2 % for the kernel's tick
		// rounding and one frame); at least 85 % of the rate.
		Expect(toCont.rate(ingressBurst)).To(BeNumerically("<=", 1.02*ingressRate+float64(datagram+frameOverhead)*8/toCont.window.Seconds()), "toward the container")
		Expect(toCont.rate(ingressBurst)).To(BeNumerically(">=", 0.85*ingressRate), "toward the container")
		Expect(fromCont.rate(egressBurst)).To(BeNumerically("<=", 1.02*egressRate+float64(datagram+frameOverhead)*8/fromCont.window.Seconds()), "from the container")
		Expect(fromCont.rate(egressBurst)).To(BeNumerically(">=", 0.85*egressRate), "from the container")
	})

	It("leaves traffic unshaped without rates: the measurement can tell", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", `"capabilities":{"bandwidth":true},`))
		Expect(err).NotTo(HaveOccurred())
		free, err := measure(f.cont, f.host, "192.0.2.1", 4*egressRate, time.Second)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("unshaped from the container, offered 6.4 Mbit/s: %.3f Mbit/s\n", free.rate(0)/1e6)
		Expect(free.rate(0)).To(BeNumerically(">", 3*egressRate), "far above the rate shaped above when nothing shapes")
	})
})
