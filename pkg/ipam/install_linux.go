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
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/containernetworking/plugins/pkg/ipaddr"
	"github.com/containernetworking/plugins/pkg/utils/sysctl"
)

// useNeighSysctl makes IPv4 multipath selection skip a nexthop whose
// neighbour entry is FAILED or INCOMPLETE (fib_good_nh in
// net/ipv4/fib_semantics.c). IPv6 needs no such switch: with forwarding off
// it already avoids siblings whose neighbour failed (rt6_check_neigh). The
// key exists only in kernels built with CONFIG_IP_ROUTE_MULTIPATH.
const useNeighSysctl = "net.ipv4.fib_multipath_use_neigh"

// InstallRoutes is `ip route add` of every group on link, one RTM_NEWROUTE
// per group, sent in batches on a netlink socket of the calling thread's
// namespace (routeWriter says why). Requests carry NLM_F_CREATE without
// NLM_F_EXCL, as netlink's RouteAddEcmp sends them, so that a route to the
// same destination through another interface does not make the add fail
// (IPv4 keeps both, the newer first; IPv6 joins them as siblings).
//
// Groups are sent in order of first appearance. A group whose gateway the
// kernel cannot reach yet (ENETUNREACH, EHOSTUNREACH) may depend on a route
// listed after it, such as a device route to a gateway outside the
// interface's subnet: such groups are sent again after the others, pass
// after pass while a pass installs any of them. So every config that
// installing the routes one by one in list order (as upstream does)
// installs is installed here too. Any other refusal ends the install after
// its batch.
//
// Before the first route it sets net.ipv4.fib_multipath_use_neigh=1 in
// that namespace when there is an IPv4 multipath group, so that a gateway
// whose neighbour entry failed stops receiving flows, as separate IPv4
// default routes used to fail over. Call it on a thread in the container's
// namespace. A failure names the route it concerns as `ip route` would
// print it (the first one in list order when several failed). The routes
// are on link and go with it: a failed ADD deletes the link.
func InstallRoutes(link netlink.Link, groups []RouteGroup) error {
	dev, index := link.Attrs().Name, link.Attrs().Index
	for _, g := range groups {
		if g.Family == ipaddr.FamilyV4 && g.Multipath() {
			if err := enableUseNeigh(); err != nil {
				return fmt.Errorf("add route %s: %w", g.Text(dev), err)
			}
			break
		}
	}
	if len(groups) == 0 {
		return nil
	}
	w, err := newRouteWriter()
	if err != nil {
		return fmt.Errorf("add route %s: %w", groups[0].Text(dev), err)
	}
	defer w.close()

	errs := make([]error, len(groups))
	todo := make([]int, len(groups))
	for i := range todo {
		todo[i] = i
	}
	for {
		for _, i := range todo {
			errs[i] = nil
		}
		if err := w.addAll(groups, todo, index, errs, func(err error) bool { return !unreachable(err) }); err != nil {
			return err
		}
		var retry []int
		for _, i := range todo {
			switch {
			case errs[i] == nil:
			case unreachable(errs[i]):
				retry = append(retry, i)
			default:
				return routeError(groups[i], dev, errs[i], multipathSupported)
			}
		}
		if len(retry) == 0 {
			return nil
		}
		if len(retry) == len(todo) {
			// No progress: the gateways are unreachable for good.
			return routeError(groups[retry[0]], dev, errs[retry[0]], multipathSupported)
		}
		todo = retry
	}
}

// unreachable reports whether the kernel refused a route because a gateway
// is not reachable (yet): IPv4 answers ENETUNREACH ("Nexthop has invalid
// gateway"), IPv6 EHOSTUNREACH.
func unreachable(err error) bool {
	return errors.Is(err, unix.ENETUNREACH) || errors.Is(err, unix.EHOSTUNREACH)
}

// errNoMultipath explains a kernel built without CONFIG_IP_ROUTE_MULTIPATH.
var errNoMultipath = errors.New("multipath support not enabled in kernel (CONFIG_IP_ROUTE_MULTIPATH)")

// enableUseNeigh sets useNeighSysctl, reporting errNoMultipath when the
// kernel lacks the key.
func enableUseNeigh() error {
	if _, err := sysctl.Ensure(useNeighSysctl, "1"); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errNoMultipath
		}
		return fmt.Errorf("set %s=1: %w", useNeighSysctl, err)
	}
	return nil
}

// multipathSupported reports whether the kernel routes IPv4 over several
// nexthops, which its use_neigh sysctl shows. IPv6 multipath is always
// built in.
func multipathSupported(family int) bool {
	if family == ipaddr.FamilyV6 {
		return true
	}
	_, err := sysctl.Get(useNeighSysctl)
	return !errors.Is(err, fs.ErrNotExist)
}

// routeError wraps a kernel error for group g on dev with the route spelled
// as `ip route` would, and says so when EINVAL on a multipath route comes
// from a kernel without multipath support.
func routeError(g RouteGroup, dev string, err error, supported func(family int) bool) error {
	if g.Multipath() && errors.Is(err, unix.EINVAL) &&
		(strings.Contains(err.Error(), "Multipath support not enabled") || !supported(g.Family)) {
		return fmt.Errorf("add route %s: %w: %w", g.Text(dev), errNoMultipath, err)
	}
	return fmt.Errorf("add route %s: %w", g.Text(dev), err)
}
