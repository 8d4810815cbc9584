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

// datagram is the UDP payload size: with UDP, IPv4 and Ethernet headers a
// frame of 1042 bytes, of which tbf counts all.
const datagram = 1000

// measure offers UDP traffic at offered bits per second for d from the
// namespace from to a socket on dst in the namespace to, and returns the
// payload rate the receiver saw, in bits per second, from its first
// datagram to its last. UDP has no congestion control: what arrives is
// what the shaper lets through, whatever the round trip or the CPU. The
// sender catches up with the offered rate on each millisecond tick, so a
// late tick does not lower it. Sockets keep the namespace they were made
// in, so only their creation runs inside one.
func measure(from, to ns.NetNS, dst string, offered float64, d time.Duration) (float64, error) {
	var rc *net.UDPConn
	if err := to.Do(func(ns.NetNS) error {
		var err error
		rc, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(dst)})
		return err
	}); err != nil {
		return 0, fmt.Errorf("listen on %s: %w", dst, err)
	}
	defer rc.Close()
	_ = rc.SetReadBuffer(4 << 20)
	if err := receiveTimestamps(rc); err != nil {
		return 0, err
	}
	var sc *net.UDPConn
	if err := from.Do(func(ns.NetNS) error {
		var err error
		sc, err = net.DialUDP("udp4", nil, rc.LocalAddr().(*net.UDPAddr))
		return err
	}); err != nil {
		return 0, fmt.Errorf("dial %s: %w", rc.LocalAddr(), err)
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
			return 0, fmt.Errorf("read: %w", err)
		}
		now, err := receivedAt(oob[:oobn])
		if err != nil {
			return 0, err
		}
		if first.IsZero() {
			first = now
		} else {
			bytes += n
		}
		last = now
	}
	<-sent
	if !last.After(first) {
		return 0, errors.New("fewer than two datagrams arrived")
	}
	return float64(bytes) * 8 / last.Sub(first).Seconds(), nil
}

var _ = Describe("bandwidth with traffic", func() {
	// The rates differ per direction so that swapped directions fail.
	// They are low enough for the QEMU guest of the VM suite, whose
	// emulated CPU sends some 20 Mbit/s of these datagrams at most; the
	// bursts are 20 ms of traffic, two frames or more.
	const (
		ingressRate = 800000  // bits per second toward the container
		egressRate  = 1600000 // from it
		rates       = `"ingressRate":800000,"ingressBurst":16000,"egressRate":1600000,"egressBurst":32000,`
		// payload is the share of each frame that is UDP payload.
		payload = float64(datagram) / (datagram + 8 + 20 + 14)
	)

	It("holds each direction to its rate, measured with UDP offered at twice the rate", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", rates))
		Expect(err).NotTo(HaveOccurred())

		toCont, err := measure(f.host, f.cont, "192.0.2.2", 2*ingressRate, 1500*time.Millisecond)
		Expect(err).NotTo(HaveOccurred())
		fromCont, err := measure(f.cont, f.host, "192.0.2.1", 2*egressRate, 1500*time.Millisecond)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("payload toward the container %.3f Mbit/s (ingressRate 0.8, %.3f of it in payload), from it %.3f Mbit/s (egressRate 1.6, %.3f)\n",
			toCont/1e6, payload*ingressRate/1e6, fromCont/1e6, payload*egressRate/1e6)

		// The bursts can add 1.5 %; the scheduling of sender and
		// receiver on a busy machine moves the rate seen by a few more.
		Expect(toCont).To(BeNumerically("~", payload*ingressRate, 0.08*ingressRate), "payload rate toward the container")
		Expect(fromCont).To(BeNumerically("~", payload*egressRate, 0.08*egressRate), "payload rate from the container")
	})

	It("leaves traffic unshaped without rates: the measurement can tell", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", `"capabilities":{"bandwidth":true},`))
		Expect(err).NotTo(HaveOccurred())
		free, err := measure(f.cont, f.host, "192.0.2.1", 4*egressRate, time.Second)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("unshaped from the container, offered 6.4 Mbit/s: %.3f Mbit/s\n", free/1e6)
		Expect(free).To(BeNumerically("~", 4*payload*egressRate, 0.4*egressRate), "all that is offered arrives when nothing shapes")
	})
})
