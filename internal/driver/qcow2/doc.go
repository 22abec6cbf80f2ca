// Package qcow2 is the volume layer of the QEMU driver: a directory of qcow2
// files that holds golden images, disks and snapshots, managed with qemu-img.
//
// Layout under Config.Dir (<data-dir>/volumes):
//
//	images/<image-id>/disk.qcow2   the golden image, read-only (mode 0444), standalone
//	images/<image-id>/kernel       the image's boot files, when it boots directly
//	images/<image-id>/initrd
//	images/<image-id>/image.json   the image's record, written last
//	disks/<disk-id>.qcow2          a disk: an overlay on a golden image (absolute
//	                               backing path), a copy of a snapshot, or blank
//	snapshots/<snapshot-id>.qcow2  a snapshot: a standalone, flattened copy
//	snapshots/<snapshot-id>.json   its record ("copying", then "done"), written last
//	exports/<image-id>-….<format>.tmp.<pid>
//	                               an image converted for ExportImage, removed once
//	                               read (and by the next New after a crash)
//
// Every file is written under a temporary name (<final>.tmp.<pid>), synced and
// renamed into place, and records go last, so a crash at any point leaves either
// the old state or the new one, plus at most a temporary file that the next
// attempt removes. Every operation is idempotent on its IDs.
//
// Snapshots are standalone: a snapshot file has no backing file and no disk has a
// snapshot as its backing file, so deleting a snapshot never touches a disk, and
// restoring one (ResetDisk) writes a fresh copy over the disk. A snapshot of a
// running VM's disk is a crash-consistent point-in-time copy made by QEMU itself
// (blockdev-backup sync=full through the Live hook); of a stopped disk, a
// qemu-img convert. ImportSnapshot makes a snapshot from a file of any format
// qemu-img reads; ExportImage and OpenSnapshot hand out images and snapshots as
// files. No block-commit ever runs, so no write can reach a golden
// image; the QEMU driver also opens golden images read-only. See docs/disks.md
// and docs/snapshots.md.
package qcow2
