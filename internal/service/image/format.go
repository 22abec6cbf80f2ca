package image

import (
	"strings"

	"github.com/ecsd/ecsd/internal/imagefile"
)

// Image file formats of ImportImage and ExportImage (guide 1.9.9), in their
// canonical spelling.
const (
	FormatRAW   = imagefile.RAW
	FormatVHD   = imagefile.VHD
	FormatQCOW2 = imagefile.QCOW2
)

// The file header checks live in internal/imagefile (ImportSnapshot and
// ExportSnapshot use them too).
var (
	virtualSize     = imagefile.VirtualSize
	qcow2Header     = imagefile.QCOW2Header
	errBadImageFile = imagefile.ErrMalformed
)

// canonicalFormat returns the canonical spelling of an image file format
// (any letter case; empty means RAW), or false.
func canonicalFormat(f string) (string, bool) {
	if f == "" {
		return FormatRAW, true
	}
	return canonical(f, FormatRAW, FormatVHD, FormatQCOW2)
}

// fileExtension is the extension of an image file of format f.
func fileExtension(f string) string {
	return "." + strings.ToLower(f)
}
