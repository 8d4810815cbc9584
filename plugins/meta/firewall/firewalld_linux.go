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
	"strings"

	"github.com/godbus/dbus/v5"
)

// firewalld's D-Bus API (firewalld.dbus(5)): the service name, the object
// and the interface of its runtime zone methods.
const (
	firewalldName     = "org.fedoraproject.FirewallD1"
	firewalldPath     = dbus.ObjectPath("/org/fedoraproject/FirewallD1")
	firewalldZoneFace = firewalldName + ".zone"
)

// firewalld is a connection to firewalld on the system bus
// ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket).
type firewalld struct {
	conn *dbus.Conn
	obj  dbus.BusObject
}

// connectFirewalld connects to the system bus; it fails when no bus runs.
func connectFirewalld() (*firewalld, error) {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return nil, fmt.Errorf("connect to the D-Bus system bus: %w", err)
	}
	return &firewalld{conn: conn, obj: conn.Object(firewalldName, firewalldPath)}, nil
}

// Close closes the bus connection.
func (f *firewalld) Close() { _ = f.conn.Close() }

// running tells whether firewalld owns its name on the bus.
func (f *firewalld) running() bool {
	var has bool
	err := f.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, firewalldName).Store(&has)
	return err == nil && has
}

// firewalldRunning tells whether firewalld runs on the system bus: the
// backend an empty "backend" picks.
func firewalldRunning() bool {
	f, err := connectFirewalld()
	if err != nil {
		return false
	}
	defer f.Close()
	return f.running()
}

// firewalld's error names (the text of a FirewallError) that mean the
// wanted state is already there.
const (
	fwZoneAlreadySet = "ZONE_ALREADY_SET"
	fwUnknownSource  = "UNKNOWN_SOURCE"
	fwInvalidZone    = "INVALID_ZONE"
)

// isFirewalldError tells whether err is firewalld's error code name.
func isFirewalldError(err error, name string) bool {
	var e dbus.Error
	if errors.As(err, &e) {
		for _, b := range e.Body {
			if s, ok := b.(string); ok && strings.HasPrefix(s, name) {
				return true
			}
		}
	}
	return err != nil && strings.Contains(err.Error(), name)
}

// source renders an address as firewalld's source: the host prefix
// (192.0.2.5/32), as upstream adds it, so that either plugin's DEL and
// CHECK find what the other's ADD added.
func source(a *attachment, i int) string { return a.ips[i].String() }

// add puts every address of a into its zone, at runtime only: the
// permanent configuration is the administrator's. When one fails the
// addresses added so far are taken out again.
func (f *firewalld) add(a *attachment) (err error) {
	var added []string
	defer func() {
		if err != nil {
			for _, s := range added {
				_ = f.obj.Call(firewalldZoneFace+".removeSource", 0, a.zone, s).Err
			}
		}
	}()
	for i := range a.ips {
		s := source(a, i)
		err := f.obj.Call(firewalldZoneFace+".addSource", 0, a.zone, s).Err
		if isFirewalldError(err, fwZoneAlreadySet) {
			continue
		}
		if err != nil {
			return fmt.Errorf("firewalld: add source %s to zone %s: %w", s, a.zone, err)
		}
		added = append(added, s)
	}
	return nil
}

// check reports an address of a that is not in its zone.
func (f *firewalld) check(a *attachment) error {
	for i := range a.ips {
		s := source(a, i)
		var zone string
		if err := f.obj.Call(firewalldZoneFace+".getZoneOfSource", 0, s).Store(&zone); err != nil {
			return fmt.Errorf("firewalld: get zone of source %s: %w", s, err)
		}
		if zone != a.zone {
			return fmt.Errorf("firewalld: source %s is in zone %q, want %q", s, zone, a.zone)
		}
	}
	return nil
}

// del takes every address of a out of its zone; one not there is fine,
// and so is a zone firewalld does not know: ADD refused it.
func (f *firewalld) del(a *attachment) error {
	var errs []error
	for i := range a.ips {
		s := source(a, i)
		err := f.obj.Call(firewalldZoneFace+".removeSource", 0, a.zone, s).Err
		if err != nil && !isFirewalldError(err, fwUnknownSource) && !isFirewalldError(err, fwInvalidZone) {
			errs = append(errs, fmt.Errorf("firewalld: remove source %s from zone %s: %w", s, a.zone, err))
		}
	}
	return errors.Join(errs...)
}
