// Command ecsd is an Alibaba Cloud ECS-compatible server: the ECS OpenAPI
// (2014-05-26) and the VPC API subset (2016-04-28) that official clients call, on
// an embedded SQLite store (or PostgreSQL) with a simulated compute driver.
//
//	ecsd serve [flags]             run the server
//	ecsd call ACTION Key=Value …   sign and send one request to a running server
//	ecsd admin instance lock ID    lock an instance for security (guide 1.18.7)
//	ecsd admin account create NAME create an account (tenant); also disable, enable, list
//	ecsd admin image import FILE   register a system image of the qemu driver
//	ecsd version                   print the version
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "call":
		return runCall(args[1:], stdout, stderr)
	case "admin":
		return runAdmin(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "ecsd", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "ecsd: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `ecsd: an Alibaba Cloud ECS-compatible server

Usage:
  ecsd serve [flags]               run the server (ecsd serve -h lists the flags)
  ecsd call ACTION [Key=Value ...] sign and send one API call, print the JSON answer
  ecsd admin instance lock|unlock ID  lock an instance for security (guide 1.18.7), or unlock it
  ecsd admin account create NAME   create an account (a tenant) and print its AccessKey as JSON
  ecsd admin account disable|enable NAME_OR_ID, ecsd admin account list
  ecsd admin image import FILE [--image-id m-… --name N --kernel K --initrd I --cmdline C]
                                   register a system image of ecsd serve --driver qemu, print it as JSON
  ecsd version                     print the version

Every serve flag can also be set as an environment variable ECSD_<FLAG>
(--data-dir → ECSD_DATA_DIR) or as a key of the YAML file given by --config.
`)
}
