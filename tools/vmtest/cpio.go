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
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// cpioWriter writes one uncompressed "newc" cpio archive, the format the
// kernel unpacks as an initramfs. One archive, uncompressed, sidesteps the
// 512-byte alignment rule for concatenated archives, and the guest does not
// spend emulated CPU time on decompression.
type cpioWriter struct {
	w    *bufio.Writer
	n    int64
	ino  uint32
	dirs map[string]bool
}

func newCPIOWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriterSize(w, 1<<20), dirs: map[string]bool{".": true, "/": true}}
}

func (c *cpioWriter) write(b []byte) error {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return err
}

func (c *cpioWriter) pad() error {
	if r := c.n % 4; r != 0 {
		return c.write(make([]byte, 4-r))
	}
	return nil
}

// header writes an entry's header and name; the caller writes size bytes.
func (c *cpioWriter) header(name string, mode uint32, size int64, rmaj, rmin uint32) error {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name != "TRAILER!!!" && size > 0xffffffff {
		return fmt.Errorf("pack %s: file too large for cpio", name)
	}
	c.ino++
	nlink := 1
	if mode&syscall.S_IFMT == syscall.S_IFDIR {
		nlink = 2
	}
	h := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, len(name)+1, 0)
	if err := c.write([]byte(h + name + "\x00")); err != nil {
		return err
	}
	return c.pad()
}

// mkdirAll adds name and its missing parents: the kernel does not create
// parent directories while unpacking.
func (c *cpioWriter) mkdirAll(name string) error {
	name = path.Clean(name)
	if c.dirs[name] {
		return nil
	}
	if err := c.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	c.dirs[name] = true
	return c.header(name, syscall.S_IFDIR|0o755, 0, 0, 0)
}

func (c *cpioWriter) bytes(name string, perm uint32, data []byte) error {
	if err := c.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	if err := c.header(name, syscall.S_IFREG|perm, int64(len(data)), 0, 0); err != nil {
		return err
	}
	if err := c.write(data); err != nil {
		return err
	}
	return c.pad()
}

func (c *cpioWriter) symlink(name, target string) error {
	if err := c.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	if err := c.header(name, syscall.S_IFLNK|0o777, int64(len(target)), 0, 0); err != nil {
		return err
	}
	if err := c.write([]byte(target)); err != nil {
		return err
	}
	return c.pad()
}

func (c *cpioWriter) charDev(name string, perm, major, minor uint32) error {
	if err := c.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	return c.header(name, syscall.S_IFCHR|perm, 0, major, minor)
}

// file adds the host file src as name, keeping its permission bits.
func (c *cpioWriter) file(name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("pack %s: %w", src, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("pack %s: %w", src, err)
	}
	if err := c.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	if err := c.header(name, syscall.S_IFREG|uint32(st.Mode().Perm()), st.Size(), 0, 0); err != nil {
		return err
	}
	n, err := io.Copy(c.w, io.LimitReader(f, st.Size()))
	c.n += n
	if err != nil {
		return fmt.Errorf("pack %s: %w", src, err)
	}
	if n != st.Size() {
		return fmt.Errorf("pack %s: file changed size while packing", src)
	}
	return c.pad()
}

// tree adds the host directory src (files, directories, symlinks) as name.
func (c *cpioWriter) tree(name, src string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		dst := path.Join(name, filepath.ToSlash(rel))
		switch {
		case d.IsDir():
			return c.mkdirAll(dst)
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return c.symlink(dst, t)
		case d.Type().IsRegular():
			return c.file(dst, p)
		}
		return nil // sockets, fifos: nothing a test reads
	})
}

// close writes the trailer and flushes.
func (c *cpioWriter) close() error {
	if err := c.header("TRAILER!!!", 0, 0, 0, 0); err != nil {
		return err
	}
	return c.w.Flush()
}
