package instance

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// Identities derived from the instance ID, stable for its whole life and the
// same after every restart: its primary network interface, that interface's MAC
// address, its SMBIOS serial number and its default host name.

// PrimaryENIID is the ID of the instance's primary network interface: "eni-"
// and the instance ID's region code and random part.
func PrimaryENIID(instanceID string) string {
	return "eni-" + strings.TrimPrefix(instanceID, "i-")
}

// MACAddress is the MAC of the instance's primary network interface, in
// Alibaba Cloud's OUI 00:16:3e.
func MACAddress(instanceID string) string {
	sum := sha256.Sum256([]byte("mac\x00" + instanceID))
	return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", sum[0], sum[1], sum[2])
}

// serialNumber is the instance's SerialNumber: a version 4 UUID, lower case.
func serialNumber(instanceID string) string {
	sum := sha256.Sum256([]byte("serial\x00" + instanceID))
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// defaultHostName is the host name of an instance created without one, shaped
// like Alibaba Cloud's: "iZ", the ID without "i-", "Z"; for Windows, whose host
// names have at most 15 characters, the ID's part is cut to 12.
func defaultHostName(instanceID string, windows bool) string {
	id := strings.TrimPrefix(instanceID, "i-")
	if windows && len(id) > 12 {
		id = id[:12]
	}
	return "iZ" + id + "Z"
}
