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

package ipam

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The route requests of InstallRoutes are written here rather than by the
// netlink library, which sends each request and waits for its answer
// before building the next: three system calls per route (sendto,
// getsockname, recvfrom), which on the machine measured in
// Documentation/performance.md made 1,000 routes cost 15 ms in a warm
// process. Here several requests go in one sendmsg and their
// acknowledgements are read together; the kernel handles the requests of
// one message one after the other, as if they came one by one, and
// answers each with its own acknowledgement.

// A batch is sent as one message, so both its size and its answers are
// bounded. The kernel refuses a message larger than the socket's send
// buffer (208 KiB by default) as a whole ("sendto: message too long"), so a
// batch holds at most maxBatchBytes of requests; a request larger than that
// (a group near the planner's limit is about 32 KiB) goes alone. Every
// acknowledgement is a socket buffer of its own in the receive queue, about
// a kilobyte of the 208 KiB the kernel gives a socket by default, so a
// batch holds at most maxBatchRequests requests, whose acknowledgements fit
// before they are read.
const (
	maxBatchBytes    = 64 << 10
	maxBatchRequests = 64
)

// batchFits reports whether a request of size bytes joins a batch that
// holds n requests of batchBytes bytes: a batch holds at most
// maxBatchRequests requests and maxBatchBytes bytes, but a first request
// always goes, whatever its size.
func batchFits(n, batchBytes, size int) bool {
	return n == 0 || n < maxBatchRequests && batchBytes+size <= maxBatchBytes
}

var native = binary.NativeEndian

// routeWriter sends RTM_NEWROUTE requests on a netlink socket of the
// calling thread's network namespace.
type routeWriter struct {
	fd   int
	seq  uint32
	buf  []byte
	rbuf []byte
}

func newRouteWriter() (*routeWriter, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	// Errors carry the kernel's message (extended ACK) but not the request
	// again (capped ACK). Both are best effort: older kernels lack them.
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	return &routeWriter{fd: fd, seq: 1, buf: make([]byte, 0, 16<<10), rbuf: make([]byte, 64<<10)}, nil
}

func (w *routeWriter) close() { unix.Close(w.fd) }

// addAll sends the requests of groups[i] for every i of todo, in that
// order, on the link with index linkIndex, batch after batch. The kernel's
// answer to each request is stored in errs[i] (nil when accepted). After a
// batch in which stop reports true for an error, no further batch is sent.
// The error returned is one of the socket itself, naming the requests of
// the batch it concerns; the kernel's answers are only in errs.
func (w *routeWriter) addAll(groups []RouteGroup, todo []int, linkIndex int, errs []error, stop func(error) bool) error {
	for start := 0; start < len(todo); {
		w.buf = w.buf[:0]
		first := w.seq
		end := start
		for end < len(todo) {
			before := len(w.buf)
			w.buf = appendRouteRequest(w.buf, groups[todo[end]], linkIndex, w.seq)
			if !batchFits(end-start, before, len(w.buf)-before) {
				w.buf = w.buf[:before] // sent with the next batch
				break
			}
			w.seq++
			end++
		}
		batch := todo[start:end]
		if err := w.flush(batch, first, errs); err != nil {
			return fmt.Errorf("add routes %s … %s: %w",
				groups[batch[0]].String(), groups[batch[len(batch)-1]].String(), err)
		}
		for _, i := range batch {
			if errs[i] != nil && stop(errs[i]) {
				return nil
			}
		}
		start = end
	}
	return nil
}

// flush sends the requests in w.buf, those of groups batch with sequence
// numbers from first on, and stores the kernel's answer to each in errs.
func (w *routeWriter) flush(batch []int, first uint32, errs []error) error {
	if err := unix.Sendto(w.fd, w.buf, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return os.NewSyscallError("sendto", err)
	}
	// Every request has NLM_F_ACK: one NLMSG_ERROR each, in order. All are
	// read, so that the socket holds nothing stale.
	for pending := len(batch); pending > 0; {
		n, _, err := unix.Recvfrom(w.fd, w.rbuf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return os.NewSyscallError("recvfrom", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(w.rbuf[:n])
		if err != nil {
			return fmt.Errorf("parse netlink answer: %w", err)
		}
		for _, m := range msgs {
			i := int(m.Header.Seq - first)
			if m.Header.Type != unix.NLMSG_ERROR || i < 0 || i >= len(batch) {
				continue
			}
			pending--
			errs[batch[i]] = ackError(m)
		}
	}
	return nil
}

// ackError returns the error an NLMSG_ERROR message reports, nil for an
// acknowledgement, with the kernel's message when it sent one (as the
// netlink library words it: "errno: message").
func ackError(m syscall.NetlinkMessage) error {
	if len(m.Data) < 4 {
		return fmt.Errorf("short netlink acknowledgement")
	}
	errno := int32(native.Uint32(m.Data))
	if errno == 0 {
		return nil
	}
	err := error(syscall.Errno(-errno))
	rest := m.Data[4:]
	if m.Header.Flags&unix.NLM_F_ACK_TLVS == 0 || len(rest) < unix.SizeofNlMsghdr {
		return err
	}
	// The request's header (the capped ACK) and then attributes.
	echoed := int(native.Uint32(rest))
	if m.Header.Flags&unix.NLM_F_CAPPED != 0 {
		echoed = unix.SizeofNlMsghdr
	}
	rest = rest[min(align(echoed), len(rest)):]
	for len(rest) >= unix.SizeofRtAttr {
		l := int(native.Uint16(rest))
		if l < unix.SizeofRtAttr || l > len(rest) {
			break
		}
		if native.Uint16(rest[2:]) == unix.NLMSGERR_ATTR_MSG {
			return fmt.Errorf("%w: %s", err, unix.ByteSliceToString(rest[unix.SizeofRtAttr:l]))
		}
		rest = rest[min(align(l), len(rest)):]
	}
	return err
}

func align(n int) int { return (n + 3) &^ 3 }

// appendRouteRequest appends to b the RTM_NEWROUTE request (NLM_F_CREATE,
// without NLM_F_EXCL, as netlink's RouteAddEcmp) of g on the link with
// index linkIndex, with the attributes the netlink library sends for the
// same route (RouteAddEcmp of a netlink.Route with these fields), from the
// netlink library: protocol boot, type unicast, the table in the header
// (or RTA_TABLE from 256 on), RTA_DST, RTA_PRIORITY, RTA_METRICS (MTU,
// advmss), and RTA_OIF with RTA_GATEWAY or RTA_MULTIPATH.
func appendRouteRequest(b []byte, g RouteGroup, linkIndex int, seq uint32) []byte {
	start := len(b)
	b = native.AppendUint32(b, 0) // length, set below
	b = native.AppendUint16(b, unix.RTM_NEWROUTE)
	b = native.AppendUint16(b, unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE)
	b = native.AppendUint32(b, seq)
	b = native.AppendUint32(b, 0)

	table := uint8(unix.RT_TABLE_UNSPEC)
	if g.Table > 0 && g.Table < 256 {
		table = uint8(g.Table)
	}
	b = append(b, byte(g.Family), byte(g.Dst.Bits()), 0, 0, table, unix.RTPROT_BOOT, byte(g.Scope), unix.RTN_UNICAST)
	b = native.AppendUint32(b, 0) // rtm_flags

	if g.Table >= 256 {
		b = appendU32Attr(b, unix.RTA_TABLE, uint32(g.Table))
	}
	b = appendAttr(b, unix.RTA_DST, g.Dst.Addr().AsSlice())
	if g.Priority > 0 {
		b = appendU32Attr(b, unix.RTA_PRIORITY, uint32(g.Priority))
	}
	if g.MTU > 0 || g.AdvMSS > 0 {
		at := len(b)
		b = appendAttr(b, unix.RTA_METRICS, nil)
		if g.MTU > 0 {
			b = appendU32Attr(b, unix.RTAX_MTU, uint32(g.MTU))
		}
		if g.AdvMSS > 0 {
			b = appendU32Attr(b, unix.RTAX_ADVMSS, uint32(g.AdvMSS))
		}
		native.PutUint16(b[at:], uint16(len(b)-at))
	}
	switch len(g.Gateways) {
	case 0:
		b = appendU32Attr(b, unix.RTA_OIF, uint32(linkIndex))
	case 1:
		b = appendAttr(b, unix.RTA_GATEWAY, g.Gateways[0].AsSlice())
		b = appendU32Attr(b, unix.RTA_OIF, uint32(linkIndex))
	default:
		at := len(b)
		b = appendAttr(b, unix.RTA_MULTIPATH, nil)
		for _, gw := range g.Gateways {
			// struct rtnexthop: length, flags, hops (weight 1), ifindex,
			// then its own attributes.
			nh := len(b)
			b = native.AppendUint16(b, 0)
			b = append(b, 0, 0)
			b = native.AppendUint32(b, uint32(linkIndex))
			b = appendAttr(b, unix.RTA_GATEWAY, gw.AsSlice())
			native.PutUint16(b[nh:], uint16(len(b)-nh))
		}
		native.PutUint16(b[at:], uint16(len(b)-at))
	}
	native.PutUint32(b[start:], uint32(len(b)-start))
	return b
}

// appendAttr appends a route attribute with data, padded to 4 bytes; with
// nil data it is the header of a nested attribute whose length the caller
// sets.
func appendAttr(b []byte, typ uint16, data []byte) []byte {
	b = native.AppendUint16(b, uint16(unix.SizeofRtAttr+len(data)))
	b = native.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func appendU32Attr(b []byte, typ uint16, v uint32) []byte {
	b = native.AppendUint16(b, unix.SizeofRtAttr+4)
	b = native.AppendUint16(b, typ)
	return native.AppendUint32(b, v)
}
