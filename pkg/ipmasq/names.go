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

package ipmasq

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
)

// Backend names, as in a config's ipMasqBackend.
const (
	BackendIPTables = "iptables"
	BackendNFTables = "nftables"
)

// nftables object names: the same as upstream's, so that either finds the
// other's rules.
const (
	tableName       = "cni_plugins_masquerade"
	postroutingName = "postrouting"
	checksName      = "masq_checks"
	// maxCommentLen is the longest rule comment the nft tool accepts
	// (NFT_USERDATA_MAXLEN allows more, but nft refuses longer comments on
	// input, so upstream cuts them there).
	maxCommentLen = 128
)

func hashHex(s string, n int) string {
	sum := sha512.Sum512([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// ChainName returns the iptables chain of an attachment:
// "CNI-" and the first 24 hex digits of SHA-512(network + containerID).
// It is 28 characters long, under iptables' 29-character limit.
func ChainName(network, containerID string) string {
	return "CNI-" + hashHex(network+containerID, 24)
}

// iptablesComment is the comment on each iptables rule of an attachment.
func iptablesComment(network, containerID string) string {
	return fmt.Sprintf("name: %q id: %q", network, containerID)
}

// networkPrefix starts the comment of every nftables rule of a network.
func networkPrefix(network string) string {
	return hashHex(network, 16) + "-"
}

// attachmentPrefix starts the comment of every nftables rule of one
// attachment: the network's hash, "-", and the hash of "ifName:containerID".
// The hashes come first so that a comment cut at maxCommentLen still names
// its attachment exactly.
func attachmentPrefix(network, ifName, containerID string) string {
	return networkPrefix(network) + hashHex(ifName+":"+containerID, 16)
}

// nftComment is the comment on each nftables rule of an attachment: the
// attachment prefix, then the names for people, cut at maxCommentLen bytes.
func nftComment(network, ifName, containerID string) string {
	c := fmt.Sprintf("%s, net: %s, if: %s, id: %s",
		attachmentPrefix(network, ifName, containerID), network, ifName, containerID)
	if len(c) > maxCommentLen {
		c = c[:maxCommentLen]
	}
	return c
}
