// Command qemuboot measures what ecsd's QEMU driver adds to booting a VM: the
// time from RunInstances to a guest that is ready, next to a bare
// qemu-system-x86_64 boot of the same kernel, initramfs and disk with the same
// accelerator, machine and memory; and the host memory each instance costs.
//
// It builds ecsd, starts `ecsd serve --driver qemu` on a fresh data directory
// (root is needed: the data plane makes network namespaces), registers the test
// guest of scripts/setup-qemu.sh as an image with `ecsd admin image import`,
// makes a VPC, a VSwitch and a security group with the official Go SDK, and then
// alternates, -samples times:
//
//   - bare: qemu-system-x86_64 -accel <same> -machine q35 -m <same> -kernel
//     -initrd -append, with a qcow2 overlay of the same blank disk, until the
//     guest prints ECSD-GUEST-READY on its serial console;
//   - ecsd: RunInstances (one instance) until the guest prints ECSD-GUEST-READY
//     (read from the driver's console file, polled every 20 ms), and then until
//     it prints the instance ID it read from the metadata service (DHCP lease,
//     routing to 100.100.100.200, the per-VPC metadata server).
//
// Five seconds after each guest is ready it reads its QEMU process's memory
// from /proc/<pid>/smaps and splits it into the guest's RAM (the resident pages
// of QEMU's largest mapping, the guest memory) and the rest; it reads ecsd's
// own VmRSS before the first instance and after the last, and the DHCP
// servers'. It prints p50/min/max of each boot, the ratio of the medians, and
// the host memory per instance beyond the guest's RAM: QEMU's own share plus
// ecsd's growth and the DHCP server's share per instance, next to a bare
// QEMU's own share. Timing never fails the run; only a wrong answer does.
//
//	sudo go run ./bench/qemuboot                # 5 samples of each
//	sudo go run ./bench/qemuboot -samples 10
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ecsd/ecsd/internal/guestimage"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ecsd/ecsd/internal/dataplane/netns"
	"github.com/ecsd/ecsd/internal/driver/qemu"
)

const (
	accessKeyID     = "LTAIbenchqemuboot00000001"
	accessKeySecret = "benchqemubootsecret0000000001"
	readyMarker     = "ECSD-GUEST-READY"
	region          = "cn-hangzhou"
)

func main() {
	samples := flag.Int("samples", 5, "boots of each kind")
	guestDir := flag.String("guest-dir", envOr(guestimage.BusyboxGuestDirEnv, guestimage.DefaultBusyboxGuestDir), "the test guest of scripts/setup-qemu.sh")
	instanceType := flag.String("instance-type", "ecs.t5-lc1m1.small", "instance type (its memory and vCPUs size the bare QEMU too)")
	accel := flag.String("accel", "", "QEMU -accel for the bare boots; empty asks ecsd's driver (KVM only when usable, else TCG)")
	keep := flag.String("dir", "", "keep ecsd's data directory here (default: a temporary one, removed)")
	flag.Parse()
	if err := run(*samples, *guestDir, *instanceType, *accel, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "qemuboot:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// bench is one run: the ecsd process, its clients and the network resources.
type bench struct {
	dir, bin, addr string
	ecsd           *exec.Cmd
	ecs            *ecs.Client
	vpc            *vpc.Client
	imageID        string
	vswitchID      string
	groupID        string
	zoneID         string
}

func run(samples int, guestDir, instanceType, accel, keep string) error {
	if os.Geteuid() != 0 {
		return errors.New("run as root: the QEMU data plane makes network namespaces")
	}
	kernel, initrd := filepath.Join(guestDir, "vmlinuz"), filepath.Join(guestDir, "initramfs.cpio.gz")
	for _, f := range []string{kernel, initrd} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%v (build the test guest with scripts/setup-qemu.sh)", err)
		}
	}
	b := &bench{dir: keep}
	if b.dir == "" {
		d, err := os.MkdirTemp("", "qemuboot")
		if err != nil {
			return err
		}
		b.dir = d
		defer os.RemoveAll(d)
	}
	if err := b.start(); err != nil {
		return err
	}
	defer b.stop()
	ctx := context.Background()
	blank := filepath.Join(b.dir, "blank.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", blank, "1G").CombinedOutput(); err != nil {
		return fmt.Errorf("qemu-img create: %v: %s", err, out)
	}
	if err := b.importImage(blank, kernel, initrd); err != nil {
		return err
	}
	if err := b.network(); err != nil {
		return err
	}
	vcpu, memMiB, err := b.size(instanceType)
	if err != nil {
		return err
	}
	if accel == "" {
		accel = qemu.Accelerator()
	}
	fmt.Printf("qemuboot: %d samples, %s (%d vCPU, %d MiB), accel %s, %s\n", samples, instanceType, vcpu, memMiB, accel, time.Now().UTC().Format(time.RFC3339))

	ecsdBefore := rssKiB(b.ecsd.Process.Pid)
	var bare, ready, meta []time.Duration
	var bareMem, ecsdMem []qemuMemory
	var instances []string
	for i := 0; i < samples; i++ {
		d, rss, err := bareBoot(ctx, b.dir, i, accel, vcpu, memMiB, kernel, initrd, blank)
		if err != nil {
			return fmt.Errorf("bare boot %d: %w", i, err)
		}
		bare, bareMem = append(bare, d), append(bareMem, rss)
		id, r, m, rss, err := b.ecsdBoot(instanceType)
		if err != nil {
			return fmt.Errorf("ecsd boot %d: %w", i, err)
		}
		instances = append(instances, id)
		ready, meta, ecsdMem = append(ready, r), append(meta, m), append(ecsdMem, rss)
		fmt.Printf("  sample %d: bare %v   ecsd ready %v, metadata read %v\n", i+1, d.Round(time.Millisecond), r.Round(time.Millisecond), m.Round(time.Millisecond))
	}
	ecsdAfter := rssKiB(b.ecsd.Process.Pid)
	dnsmasq := dnsmasqRSS()

	fmt.Println()
	fmt.Printf("%-52s %10s %10s %10s\n", "boot (start → marker on the serial console)", "p50", "min", "max")
	row := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		fmt.Printf("%-52s %10v %10v %10v\n", name, ds[len(ds)/2].Round(time.Millisecond), ds[0].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
	row("bare qemu-system-x86_64 → "+readyMarker, bare)
	row("ecsd RunInstances → "+readyMarker, ready)
	row("ecsd RunInstances → instance ID from 100.100.100.200", meta)
	fmt.Printf("ratio of medians, ecsd ready / bare: %.2f\n", float64(median(ready))/float64(median(bare)))
	fmt.Println()
	fmt.Printf("memory 5 s after ready, median (guest RAM %d MiB; \"guest\" is the part of it the guest touched)\n", memMiB)
	mib := func(kib int64) float64 { return float64(kib) / 1024 }
	memRow := func(name string, ms []qemuMemory) int64 {
		total, guest, over := make([]int64, len(ms)), make([]int64, len(ms)), make([]int64, len(ms))
		for i, m := range ms {
			total[i], guest[i], over[i] = m.totalKiB, m.guestKiB, m.overheadKiB()
		}
		fmt.Printf("  %-22s RSS %7.1f MiB = guest %6.1f MiB + QEMU %6.1f MiB\n", name, mib(medianInt(total)), mib(medianInt(guest)), mib(medianInt(over)))
		return medianInt(over)
	}
	bareOver := memRow("bare QEMU", bareMem)
	ecsdOver := memRow("QEMU under ecsd", ecsdMem)
	perInstance := (ecsdAfter - ecsdBefore) / int64(samples)
	fmt.Printf("  ecsd process:          %.1f MiB per instance (%.0f → %.0f MiB for %d instances)\n", mib(perInstance), mib(ecsdBefore), mib(ecsdAfter), samples)
	fmt.Printf("  DHCP (dnsmasq):        %.1f MiB for the VPC, %.1f MiB per instance\n", mib(dnsmasq), mib(dnsmasq)/float64(samples))
	fmt.Printf("host memory per instance beyond guest RAM: %.1f MiB with ecsd (QEMU %.1f + ecsd %.1f + DHCP %.1f), %.1f MiB for a bare QEMU\n",
		mib(ecsdOver+perInstance)+mib(dnsmasq)/float64(samples), mib(ecsdOver), mib(perInstance), mib(dnsmasq)/float64(samples), mib(bareOver))

	for _, id := range instances {
		req := ecs.CreateDeleteInstanceRequest()
		req.InstanceId, req.Force = id, "true"
		if _, err := b.ecs.DeleteInstance(req); err != nil {
			fmt.Fprintln(os.Stderr, "delete", id, err)
		}
	}
	return nil
}

// start builds ecsd and starts `ecsd serve --driver qemu` on a free port.
func (b *bench) start() error {
	b.bin = filepath.Join(b.dir, "ecsd")
	build := exec.Command("go", "build", "-o", b.bin, "./cmd/ecsd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build ecsd (run from the repository root): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b.addr = ln.Addr().String()
	ln.Close()
	ossLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	oss := ossLn.Addr().String()
	ossLn.Close()
	b.ecsd = exec.Command(b.bin, "serve", "--driver", "qemu", "--listen", b.addr, "--data-dir", filepath.Join(b.dir, "data"))
	b.ecsd.Env = append(os.Environ(), "ECSD_ACCESS_KEY_ID="+accessKeyID, "ECSD_ACCESS_KEY_SECRET="+accessKeySecret, "ECSD_OSS_LISTEN="+oss)
	logf, err := os.Create(filepath.Join(b.dir, "ecsd.log"))
	if err != nil {
		return err
	}
	b.ecsd.Stdout, b.ecsd.Stderr = logf, logf
	if err := b.ecsd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + b.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ecsd not healthy after 30 s (log: %s)", logf.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cred := credentials.NewAccessKeyCredential(accessKeyID, accessKeySecret)
	if b.ecs, err = ecs.NewClientWithOptions(region, sdk.NewConfig(), cred); err != nil {
		return err
	}
	if b.vpc, err = vpc.NewClientWithOptions(region, sdk.NewConfig(), cred); err != nil {
		return err
	}
	b.ecs.Domain, b.vpc.Domain = b.addr, b.addr
	return nil
}

// stop ends ecsd (its VMs were deleted before) and removes the network
// namespaces its data plane made.
func (b *bench) stop() {
	_ = b.ecsd.Process.Signal(syscall.SIGTERM)
	_ = b.ecsd.Wait()
	stateDir := filepath.Join(b.dir, "data", "net")
	plane, err := netns.New(netns.Config{StateDir: stateDir, Prefix: "ecsd"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "qemuboot: clean up namespaces:", err)
		return
	}
	vpcs, _ := os.ReadDir(stateDir)
	for _, v := range vpcs {
		if plane.Owns(v.Name()) {
			if err := plane.RemoveVPC(context.Background(), v.Name()); err != nil {
				fmt.Fprintln(os.Stderr, "qemuboot: remove namespace:", err)
			}
		}
	}
}

// importImage registers the test guest as a system image.
func (b *bench) importImage(disk, kernel, initrd string) error {
	out, err := exec.Command(b.bin, "admin", "image", "import", disk, "--data-dir", filepath.Join(b.dir, "data"),
		"--name", "ecsd-test-guest", "--kernel", kernel, "--initrd", initrd, "--cmdline", "console=ttyS0 quiet").Output()
	if err != nil {
		return fmt.Errorf("ecsd admin image import: %v %s", err, exitStderr(err))
	}
	var img struct{ ImageId string }
	if err := json.Unmarshal(out, &img); err != nil || img.ImageId == "" {
		return fmt.Errorf("ecsd admin image import printed %q", out)
	}
	b.imageID = img.ImageId
	return nil
}

func exitStderr(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

// network makes the VPC, VSwitch and security group every instance uses.
func (b *bench) network() error {
	zones, err := b.ecs.DescribeZones(ecs.CreateDescribeZonesRequest())
	if err != nil {
		return err
	}
	if len(zones.Zones.Zone) == 0 {
		return errors.New("DescribeZones: no zone")
	}
	b.zoneID = zones.Zones.Zone[0].ZoneId
	cv := vpc.CreateCreateVpcRequest()
	cv.CidrBlock = "192.168.0.0/16"
	v, err := b.vpc.CreateVpc(cv)
	if err != nil {
		return err
	}
	cs := vpc.CreateCreateVSwitchRequest()
	cs.VpcId, cs.ZoneId, cs.CidrBlock = v.VpcId, b.zoneID, "192.168.1.0/24"
	for {
		sw, err := b.vpc.CreateVSwitch(cs)
		if err == nil {
			b.vswitchID = sw.VSwitchId
			break
		}
		if !strings.Contains(err.Error(), "IncorrectVpcStatus") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	cg := ecs.CreateCreateSecurityGroupRequest()
	cg.VpcId = v.VpcId
	g, err := b.ecs.CreateSecurityGroup(cg)
	if err != nil {
		return err
	}
	b.groupID = g.SecurityGroupId
	return nil
}

// size returns the vCPUs and MiB of an instance type.
func (b *bench) size(instanceType string) (int, int, error) {
	req := ecs.CreateDescribeInstanceTypesRequest()
	resp, err := b.ecs.DescribeInstanceTypes(req)
	if err != nil {
		return 0, 0, err
	}
	for _, t := range resp.InstanceTypes.InstanceType {
		if t.InstanceTypeId == instanceType {
			return t.CpuCoreCount, int(t.MemorySize * 1024), nil
		}
	}
	return 0, 0, fmt.Errorf("no instance type %s", instanceType)
}

// ecsdBoot runs one instance and times it to the ready marker and to the
// metadata line; it returns the instance ID, both times and QEMU's RSS.
func (b *bench) ecsdBoot(instanceType string) (string, time.Duration, time.Duration, qemuMemory, error) {
	req := ecs.CreateRunInstancesRequest()
	req.ImageId, req.InstanceType, req.VSwitchId, req.SecurityGroupId = b.imageID, instanceType, b.vswitchID, b.groupID
	req.ZoneId, req.Amount = b.zoneID, "1"
	start := time.Now()
	resp, err := b.ecs.RunInstances(req)
	if err != nil {
		return "", 0, 0, qemuMemory{}, err
	}
	id := resp.InstanceIdSets.InstanceIdSet[0]
	dir := filepath.Join(b.dir, "data", "qemu", id)
	console := filepath.Join(dir, "console.log")
	ready, err := waitFor(console, readyMarker, start, 3*time.Minute)
	if err != nil {
		return id, 0, 0, qemuMemory{}, err
	}
	meta, err := waitFor(console, "ECSD-META instance-id="+id, start, 3*time.Minute)
	if err != nil {
		return id, 0, 0, qemuMemory{}, err
	}
	time.Sleep(time.Until(start.Add(ready + 5*time.Second)))
	pid, err := readPID(filepath.Join(dir, "qemu.pid"))
	if err != nil {
		return id, 0, 0, qemuMemory{}, err
	}
	return id, ready, meta, memoryOf(pid), nil
}

// bareBoot boots the guest with qemu-system-x86_64 alone and times it to the
// ready marker; it returns the time and QEMU's RSS 5 s after ready.
func bareBoot(ctx context.Context, dir string, i int, accel string, vcpu, memMiB int, kernel, initrd, blank string) (time.Duration, qemuMemory, error) {
	overlay := filepath.Join(dir, fmt.Sprintf("bare-%d.qcow2", i))
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", blank, overlay).CombinedOutput(); err != nil {
		return 0, qemuMemory{}, fmt.Errorf("qemu-img: %v: %s", err, out)
	}
	defer os.Remove(overlay)
	console := filepath.Join(dir, fmt.Sprintf("bare-%d.log", i))
	defer os.Remove(console)
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", "-accel", accel, "-machine", "q35",
		"-m", strconv.Itoa(memMiB), "-smp", strconv.Itoa(vcpu), "-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "file:"+console, "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet",
		"-drive", "file="+overlay+",if=none,id=d0,format=qcow2", "-device", "virtio-blk-pci,drive=d0")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, qemuMemory{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	d, err := waitFor(console, readyMarker, start, 3*time.Minute)
	if err != nil {
		return 0, qemuMemory{}, err
	}
	time.Sleep(time.Until(start.Add(d + 5*time.Second)))
	return d, memoryOf(cmd.Process.Pid), nil
}

// waitFor polls file until it contains marker and returns the time since start.
func waitFor(file, marker string, start time.Time, limit time.Duration) (time.Duration, error) {
	for time.Since(start) < limit {
		if b, err := os.ReadFile(file); err == nil && bytes.Contains(b, []byte(marker)) {
			return time.Since(start), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _ := os.ReadFile(file)
	return 0, fmt.Errorf("no %q in %s after %v; console:\n%s", marker, file, limit, b)
}

func readPID(file string) (int, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// qemuMemory is a QEMU process's resident memory, split into the guest's RAM
// (the pages of the guest's memory mapping the guest has touched) and the rest
// (QEMU itself, its translation cache under TCG, device state).
type qemuMemory struct{ totalKiB, guestKiB int64 }

func (m qemuMemory) overheadKiB() int64 { return m.totalKiB - m.guestKiB }

// memoryOf reads /proc/<pid>/smaps: the guest's RAM is QEMU's largest mapping.
func memoryOf(pid int) qemuMemory {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return qemuMemory{}
	}
	defer f.Close()
	var m qemuMemory
	var size, biggest int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "Size:":
			size = n
		case "Rss:":
			m.totalKiB += n
			if size > biggest {
				biggest, m.guestKiB = size, n
			}
		}
	}
	return m
}

// rssKiB returns the VmRSS of a process in KiB (0 when unknown).
func rssKiB(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return n
		}
	}
	return 0
}

// dnsmasqRSS sums the VmRSS of every dnsmasq process.
func dnsmasqRSS() int64 {
	var total int64
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(comm)) == "dnsmasq" {
			total += rssKiB(pid)
		}
	}
	return total
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianInt(xs []int64) int64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
