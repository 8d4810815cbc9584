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
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/containernetworking/plugins/pkg/ns"
)

// measure sends size bytes over TCP from the namespace from to a listener
// on dst in the namespace to, and returns the rate the receiver saw in
// bits per second, from its first byte to its last (so that connection
// set-up is not counted). Sockets keep the namespace they were made in,
// so only their creation runs inside one; every step is bounded by a
// deadline.
func measure(from, to ns.NetNS, dst string, size int) (float64, error) {
	var ln net.Listener
	if err := to.Do(func(ns.NetNS) error {
		var err error
		ln, err = net.Listen("tcp", net.JoinHostPort(dst, "0"))
		return err
	}); err != nil {
		return 0, fmt.Errorf("listen on %s: %w", dst, err)
	}
	defer ln.Close()
	deadline := time.Now().Add(20 * time.Second)
	sent := make(chan error, 1)
	go func() {
		var c net.Conn
		err := from.Do(func(ns.NetNS) error {
			var err error
			c, err = net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
			return err
		})
		if err != nil {
			sent <- err
			return
		}
		defer c.Close()
		_ = c.SetDeadline(deadline)
		_, err = c.Write(make([]byte, size))
		sent <- err
	}()
	_ = ln.(*net.TCPListener).SetDeadline(deadline)
	c, err := ln.Accept()
	if err != nil {
		return 0, errors.Join(fmt.Errorf("accept: %w", err), <-sent)
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	buf := make([]byte, 64<<10)
	n, err := io.ReadAtLeast(c, buf, 1)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	start := time.Now()
	rest, err := io.Copy(io.Discard, c)
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	if err := <-sent; err != nil {
		return 0, fmt.Errorf("send: %w", err)
	}
	if got := int64(n) + rest; got != int64(size) {
		return 0, fmt.Errorf("received %d bytes, sent %d", got, size)
	}
	return float64(rest) * 8 / elapsed.Seconds(), nil
}

var _ = Describe("bandwidth with traffic", func() {
	// The rates differ per direction so that swapped directions fail.
	// Each transfer takes about 0.75 s at its rate: long against the
	// bursts (10,000 and 20,000 bytes), short for the suite.
	const (
		ingressRate = 8000000  // bits per second toward the container
		egressRate  = 16000000 // from it
	)

	It("holds each direction to its rate, measured with TCP", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", bothRates))
		Expect(err).NotTo(HaveOccurred())

		toCont, err := measure(f.host, f.cont, "192.0.2.2", ingressRate/8*3/4)
		Expect(err).NotTo(HaveOccurred())
		fromCont, err := measure(f.cont, f.host, "192.0.2.1", egressRate/8*3/4)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("toward the container %.2f Mbit/s (ingressRate 8), from it %.2f Mbit/s (egressRate 16)\n", toCont/1e6, fromCont/1e6)

		// tbf counts whole frames, TCP's payload is ~95 % of them at
		// MTU 1500; the upper bound leaves room for the burst alone.
		Expect(toCont).To(BeNumerically("~", 0.9*ingressRate, 0.15*ingressRate), "goodput toward the container")
		Expect(fromCont).To(BeNumerically("~", 0.9*egressRate, 0.15*egressRate), "goodput from the container")
	})

	It("leaves traffic unshaped without rates: the measurement can tell", func() {
		f := newFixture()
		_, err := f.call("ADD", f.config("1.0.0", `"capabilities":{"bandwidth":true},`))
		Expect(err).NotTo(HaveOccurred())
		free, err := measure(f.cont, f.host, "192.0.2.1", 4<<20)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("unshaped from the container: %.0f Mbit/s\n", free/1e6)
		Expect(free).To(BeNumerically(">", 2*egressRate), "a veth without shaping is far faster than the rates above")
	})
})
