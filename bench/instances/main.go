// Command instances measures DescribeInstances on a large fleet and how long
// RunInstances takes to bring 100 instances to Running.
//
// It starts an ecsd server in process (internal/app, SQLite in a temporary
// directory, the sim driver with no delay, the reconciler running as under
// `ecsd serve`), creates -instances instances through the API (signed
// RunInstances Amount=100 calls over loopback, spread over -vpcs VPCs with
// -vswitches /16 VSwitches each and one security group per 1000 instances; half
// tagged env=prod, the others env=dev, all team=0…9) and waits until all are
// Running. Then it measures, with one client calling one request at a time:
//
//   - RunInstances Amount=100 until all 100 are Running (-run-samples times);
//   - DescribeInstances, PageSize=100, filtered by Status=Running, VpcId and
//     Tag.1 env=prod: the first page, a deep page (PageNumber at -depth of the
//     matching set) and the same page reached with NextToken (MaxResults=100);
//   - as baselines in the same run, interleaved with them: a signed
//     DescribeRegions, and the unfiltered first page of DescribeInstances.
//
// The DescribeInstances requests are measured twice: with the reconciler
// running (it inspects every Running instance every 10 s, so on a large fleet
// it never idles), then with it stopped, which leaves the requests' own cost.
//
// It prints p50/p99/max of each and their ratios to the baselines. Timing never
// fails the run; only a wrong answer does.
//
//	go run ./bench/instances                    # 100,000 instances, several minutes
//	go run ./bench/instances -instances 5000    # a quick run
//	go run ./bench/instances -dir D             # keep the fleet in D, then
//	go run ./bench/instances -dir D -reuse      # measure DescribeInstances on it again
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/httpserve"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

const (
	benchKeyID  = "LTAIbenchmarkkey000000001"
	benchSecret = "benchmarksecret00000000000001"

	region       = "cn-hangzhou"
	image        = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"
	instanceType = "ecs.g5.large"
	ecsVersion   = "2014-05-26"
	vpcVersion   = "2016-04-28"

	batch     = 100  // RunInstances' largest Amount
	perGroup  = 1000 // instances one security group holds (guide 1.11.6)
	maxGroups = 100  // security groups one account may have (guide 1.11.1)
)

// zones are cn-hangzhou's zones; VSwitches take them in turn.
var zones = []string{"cn-hangzhou-b", "cn-hangzhou-g", "cn-hangzhou-h"}

type config struct {
	instances, vpcs, vswitches, workers int
	samples, runSamples                 int
	depth                               float64
	simDelay                            time.Duration
	cpuProfile, allProfile, memProfile  string
	dir                                 string
	verbose, reuse                      bool
}

func main() {
	var c config
	flag.IntVar(&c.instances, "instances", 100_000, "instances to create (a multiple of 100, at most 100,000: 100 security groups of 1000)")
	flag.IntVar(&c.vpcs, "vpcs", 4, "VPCs the instances are spread over")
	flag.IntVar(&c.vswitches, "vswitches", 2, "/16 VSwitches in each VPC")
	flag.IntVar(&c.workers, "workers", 4, "concurrent RunInstances callers while creating the fleet")
	flag.IntVar(&c.samples, "samples", 200, "DescribeInstances samples of each case")
	flag.IntVar(&c.runSamples, "run-samples", 5, "RunInstances Amount=100 → Running samples")
	flag.Float64Var(&c.depth, "depth", 0.9, "where the deep page is, as a fraction of the matching set")
	flag.DurationVar(&c.simDelay, "sim-delay", 0, "how long each transitional state lasts in the sim driver (ecsd serve --sim-delay)")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the DescribeInstances measurements to this file")
	flag.StringVar(&c.allProfile, "cpuprofile-all", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&c.memProfile, "memprofile", "", "write an allocation profile of the whole run to this file at the end")
	flag.StringVar(&c.dir, "dir", "", "keep the server's data (SQLite database) in this new directory instead of a temporary one")
	flag.BoolVar(&c.reuse, "reuse", false, "measure DescribeInstances again on the fleet an earlier run left in -dir (no creation, no launches)")
	flag.BoolVar(&c.verbose, "v", false, "log the server's warnings and errors to stderr")
	flag.Parse()
	app.TuneGC(os.Getenv) // as ecsd serve does
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if c.allProfile != "" {
		stop, err := startProfile(c.allProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	if c.memProfile != "" {
		if err := writeAllocs(c.memProfile); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
}

func (c config) check() error {
	switch {
	case c.instances < 2*batch || c.instances%batch != 0 || c.instances > maxGroups*perGroup:
		return fmt.Errorf("-instances must be a multiple of %d in [%d, %d]", batch, 2*batch, maxGroups*perGroup)
	case c.vpcs < 1 || c.vpcs > 10:
		return errors.New("-vpcs must be in [1, 10] (the VPC quota)")
	case c.vswitches < 1 || c.vswitches > 255:
		return errors.New("-vswitches must be in [1, 255]")
	case c.workers < 1 || c.samples < 1 || c.runSamples < 0:
		return errors.New("-workers and -samples must be at least 1, -run-samples at least 0")
	case c.depth <= 0 || c.depth > 1:
		return errors.New("-depth must be in (0, 1]")
	case groupsFor(c.instances) < c.vpcs:
		return errors.New("fewer security groups than VPCs: lower -vpcs or raise -instances")
	}
	return nil
}

// groupsFor is how many security groups n instances need.
func groupsFor(n int) int { return (n + perGroup - 1) / perGroup }

// writeAllocs writes the allocation profile of the run so far.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func run(c config) error {
	ctx := context.Background()
	dir := c.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ecsd-bench-instances")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if c.reuse {
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("-reuse: %w", err)
		}
	} else if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, "", dir)
	if err != nil {
		return err
	}
	defer st.Close()
	var logOut io.Writer = io.Discard
	if c.verbose {
		logOut = os.Stderr
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	a, err := app.New(ctx, app.Options{DataDir: dir, SimDelay: c.simDelay, RootAccessKeyID: benchKeyID,
		RootAccessKeySecret: benchSecret}, st, ln.Addr().String(), io.Discard, logger)
	if err != nil {
		return err
	}
	srv := httpserve.New(a.Handler, nil, logger)
	go srv.Serve(ln)
	defer srv.Shutdown(ctx)
	stop := a.Start() // the reconciler, as `ecsd serve` runs it
	defer stop()

	cl := newClient(ln.Addr().String(), c.workers+1)
	fmt.Printf("ecsd bench/instances: %d instances, %d VPCs × %d VSwitches (/16), %d security groups, sim delay %v, GOMAXPROCS %d, %s/%s\n",
		c.instances, c.vpcs, c.vswitches, groupsFor(c.instances), c.simDelay, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)

	var f *fleet
	if c.reuse {
		f, err = existingFleet(cl)
	} else {
		f, err = setUp(cl, c)
	}
	if err != nil {
		return err
	}
	// The last batch is left for the RunInstances samples, so that the account
	// holds exactly -instances instances (every group full at 100,000) when
	// DescribeInstances is measured.
	fleet := c.instances
	if c.runSamples > 0 {
		fleet -= batch
	}
	if !c.reuse {
		if err := createFleet(cl, c, f, fleet); err != nil {
			return err
		}
	}
	if c.runSamples > 0 && !c.reuse {
		if err := measureLaunches(cl, c, f); err != nil {
			return err
		}
	}
	if c.cpuProfile != "" {
		stopProfile, err := startProfile(c.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	probes, err := describeProbes(cl, c, f)
	if err != nil {
		return err
	}
	if err := measureDescribe(cl, c, probes, "the reconciler keeps running (as under `ecsd serve`)"); err != nil {
		return err
	}
	// The same requests with the reconciler stopped tell the query's own cost
	// from the contention with the reconciler's work on the same two cores.
	stop()
	return measureDescribe(cl, c, probes, "the reconciler stopped")
}

// existingFleet finds the fleet an earlier run left (-reuse): its first VPC is
// the oldest, the last that DescribeVpcs lists.
func existingFleet(cl *client) (*fleet, error) {
	var out struct {
		Vpcs struct{ Vpc []struct{ VpcId string } }
	}
	if err := cl.call(vpcVersion, "DescribeVpcs", url.Values{"PageSize": {"50"}}, &out); err != nil {
		return nil, err
	}
	if len(out.Vpcs.Vpc) == 0 {
		return nil, errors.New("-reuse: the directory holds no fleet")
	}
	var f fleet
	for i := len(out.Vpcs.Vpc) - 1; i >= 0; i-- {
		f.vpcs = append(f.vpcs, out.Vpcs.Vpc[i].VpcId)
	}
	return &f, nil
}

// fleet is the network the instances live in.
type fleet struct {
	vpcs      []string
	vswitches [][]string // per VPC
	groups    []string   // group g is in VPC g % len(vpcs)
}

// layout is where batch b of RunInstances goes and how it is tagged: 10 batches
// fill a group; half the batches are env=prod.
func (f *fleet) layout(b int) (group, vswitch string, tags [][2]string) {
	g := b / (perGroup / batch)
	v := g % len(f.vpcs)
	sw := f.vswitches[v]
	env := "dev"
	if b%2 == 0 {
		env = "prod"
	}
	return f.groups[g], sw[(b/len(f.vpcs))%len(sw)], [][2]string{{"env", env}, {"team", strconv.Itoa(b % 10)}}
}

func setUp(cl *client, c config) (*fleet, error) {
	f := &fleet{}
	for v := range c.vpcs {
		var vpc struct{ VpcId string }
		err := cl.call(vpcVersion, "CreateVpc", url.Values{"CidrBlock": {"10.0.0.0/8"}, "VpcName": {"bench-" + strconv.Itoa(v)}}, &vpc)
		if err != nil {
			return nil, err
		}
		f.vpcs = append(f.vpcs, vpc.VpcId)
		var sws []string
		for s := range c.vswitches {
			var sw struct{ VSwitchId string }
			err := cl.call(vpcVersion, "CreateVSwitch", url.Values{"VpcId": {vpc.VpcId}, "ZoneId": {zones[s%len(zones)]},
				"CidrBlock": {fmt.Sprintf("10.%d.0.0/16", s)}, "VSwitchName": {fmt.Sprintf("bench-%d-%d", v, s)}}, &sw)
			if err != nil {
				return nil, err
			}
			sws = append(sws, sw.VSwitchId)
		}
		f.vswitches = append(f.vswitches, sws)
	}
	for g := range groupsFor(c.instances) {
		var sg struct{ SecurityGroupId string }
		err := cl.call(ecsVersion, "CreateSecurityGroup", url.Values{"VpcId": {f.vpcs[g%len(f.vpcs)]},
			"SecurityGroupName": {"bench-" + strconv.Itoa(g)}}, &sg)
		if err != nil {
			return nil, err
		}
		f.groups = append(f.groups, sg.SecurityGroupId)
	}
	return f, nil
}

// runBatch calls RunInstances Amount=100 for batch b and returns the IDs.
func runBatch(cl *client, f *fleet, b int) ([]string, error) {
	group, vswitch, tags := f.layout(b)
	p := url.Values{"ImageId": {image}, "InstanceType": {instanceType}, "SecurityGroupId": {group},
		"VSwitchId": {vswitch}, "Amount": {strconv.Itoa(batch)}, "InstanceName": {"bench"}}
	for i, t := range tags {
		p.Set(fmt.Sprintf("Tag.%d.Key", i+1), t[0])
		p.Set(fmt.Sprintf("Tag.%d.Value", i+1), t[1])
	}
	var out struct {
		InstanceIdSets struct{ InstanceIdSet []string }
	}
	if err := cl.call(ecsVersion, "RunInstances", p, &out); err != nil {
		return nil, err
	}
	if n := len(out.InstanceIdSets.InstanceIdSet); n != batch {
		return nil, fmt.Errorf("RunInstances created %d instances, not %d", n, batch)
	}
	return out.InstanceIdSets.InstanceIdSet, nil
}

// count answers DescribeInstances' TotalCount for p (one instance a page).
func count(cl *client, p url.Values) (int, error) {
	q := url.Values{"PageSize": {"1"}}
	for k, v := range p {
		q[k] = v
	}
	var out describeOut
	if err := cl.call(ecsVersion, "DescribeInstances", q, &out); err != nil {
		return 0, err
	}
	return out.TotalCount, nil
}

// createFleet creates n instances with c.workers concurrent callers and waits
// until all are Running.
func createFleet(cl *client, c config, f *fleet, n int) error {
	start := time.Now()
	var next atomic.Int64
	var firstErr error
	var failed atomic.Bool
	var errOnce sync.Once
	var wg sync.WaitGroup
	var apiLat []time.Duration
	var mu sync.Mutex
	for range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= n/batch || failed.Load() {
					return
				}
				t0 := time.Now()
				if _, err := runBatch(cl, f, b); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("batch %d: %w", b, err) })
					failed.Store(true)
					return
				}
				mu.Lock()
				apiLat = append(apiLat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(15 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				running, _ := count(cl, url.Values{"Status": {"Running"}})
				fmt.Printf("  … %6.0fs: %d RunInstances answered, %d instances Running\n",
					time.Since(start).Seconds(), min(int(next.Load()), n/batch), running)
			}
		}
	}()
	wg.Wait()
	if firstErr != nil {
		close(done)
		return firstErr
	}
	answered := time.Since(start)
	err := waitCount(cl, url.Values{"Status": {"Running"}}, n, 2*time.Second)
	close(done)
	if err != nil {
		return err
	}
	all := time.Since(start)
	if total, err := count(cl, nil); err != nil || total != n {
		return fmt.Errorf("the account holds %d instances (%v), want %d", total, err, n)
	}
	s := summarize(apiLat)
	fmt.Printf("\ncreate %d instances (%d × RunInstances Amount=100, %d callers):\n", n, n/batch, c.workers)
	fmt.Printf("  all RunInstances answered: %8.1f s  %7.0f instances/s   (RunInstances latency p50 %s p99 %s max %s)\n",
		answered.Seconds(), float64(n)/answered.Seconds(), ms(s.p50), ms(s.p99), ms(s.max))
	fmt.Printf("  all Running:               %8.1f s  %7.0f instances/s\n", all.Seconds(), float64(n)/all.Seconds())
	return nil
}

// waitCount polls until DescribeInstances with p counts want instances. It
// does not give up on time, only when the count has not moved for stall (a
// hang, not a slow server).
func waitCount(cl *client, p url.Values, want int, poll time.Duration) error {
	const stall = 30 * time.Minute
	start, lastMove, last := time.Now(), time.Now(), -1
	for {
		n, err := count(cl, p)
		if err != nil {
			return err
		}
		if n == want {
			return nil
		}
		if n != last {
			last, lastMove = n, time.Now()
		}
		if time.Since(lastMove) > stall {
			return fmt.Errorf("DescribeInstances %v counts %d, want %d, after %v", p, n, want, time.Since(start).Round(time.Second))
		}
		time.Sleep(poll)
	}
}

// measureLaunches runs RunInstances Amount=100 into the last batch's slot and
// times it until all 100 are Running; every sample but the last is then
// force-deleted (and waited for, which frees the group's room) so the next one
// has room.
func measureLaunches(cl *client, c config, f *fleet) error {
	b := c.instances/batch - 1
	var toRunning, apiLat, deleted []time.Duration
	for i := range c.runSamples {
		start := time.Now()
		idList, err := runBatch(cl, f, b)
		if err != nil {
			return fmt.Errorf("RunInstances sample %d: %w", i+1, err)
		}
		apiLat = append(apiLat, time.Since(start))
		js, _ := json.Marshal(idList)
		these := url.Values{"InstanceIds": {string(js)}}
		running := url.Values{"InstanceIds": {string(js)}, "Status": {"Running"}}
		if err := waitCount(cl, running, batch, 10*time.Millisecond); err != nil {
			return err
		}
		toRunning = append(toRunning, time.Since(start))
		if i == c.runSamples-1 {
			break
		}
		start = time.Now()
		for _, id := range idList {
			if err := cl.call(ecsVersion, "DeleteInstance", url.Values{"InstanceId": {id}, "Force": {"true"}}, nil); err != nil {
				return err
			}
		}
		if err := waitCount(cl, these, 0, 10*time.Millisecond); err != nil {
			return err
		}
		deleted = append(deleted, time.Since(start))
	}
	r, a := summarize(toRunning), summarize(apiLat)
	fmt.Printf("\nRunInstances Amount=100 → all 100 Running, with %d other instances Running (%d samples):\n",
		c.instances-batch, len(toRunning))
	fmt.Printf("  to Running:  p50 %s  max %s   (the RunInstances answer itself: p50 %s max %s)\n",
		ms(r.p50), ms(r.max), ms(a.p50), ms(a.max))
	fmt.Printf("  samples:     %s\n", list(toRunning))
	if len(deleted) > 0 {
		d := summarize(deleted)
		fmt.Printf("  100 × DeleteInstance Force=true → all gone: p50 %s max %s\n", ms(d.p50), ms(d.max))
	}
	return nil
}

// describeOut is the part of DescribeInstances' answer the benchmark reads.
type describeOut struct {
	TotalCount int
	PageNumber int
	NextToken  string
	Instances  struct {
		Instance []struct {
			InstanceId    string
			Status        string
			VpcAttributes struct{ VpcId string }
			Tags          struct {
				Tag []struct{ TagKey, TagValue string }
			}
		}
	}
}

// a measured request: its parameters and how to check its answer.
type probe struct {
	name    string
	version string
	action  string
	params  url.Values
	check   func(body []byte) error
}

// describeSet is what measureDescribe runs: the probes (baselines first) and
// the size of the filtered list.
type describeSet struct {
	probes          []probe
	matching, pages int
}

// describeProbes finds the deep page (walking to it with NextToken too, and
// checking that both ways reach the same page) and returns the requests to
// measure.
func describeProbes(cl *client, c config, f *fleet) (*describeSet, error) {
	filter := url.Values{"Status": {"Running"}, "VpcId": {f.vpcs[0]}, "Tag.1.Key": {"env"}, "Tag.1.Value": {"prod"}}
	matching, err := count(cl, filter)
	if err != nil {
		return nil, err
	}
	pages := (matching + batch - 1) / batch
	deep := max(int(math.Ceil(c.depth*float64(pages))), 1)
	with := func(extra ...string) url.Values {
		p := url.Values{}
		for k, v := range filter {
			p[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			p.Set(extra[i], extra[i+1])
		}
		return p
	}
	// Walk to the deep page with NextToken, and check that it is the page
	// PageNumber=deep answers.
	token := ""
	var tokenFirst string
	for page := 1; page < deep; page++ {
		p := with("MaxResults", "100")
		if token != "" {
			p.Set("NextToken", token)
		}
		var out describeOut
		if err := cl.call(ecsVersion, "DescribeInstances", p, &out); err != nil {
			return nil, err
		}
		if out.NextToken == "" {
			return nil, fmt.Errorf("NextToken ended at page %d of %d", page, pages)
		}
		token = out.NextToken
	}
	if token != "" {
		var out describeOut
		if err := cl.call(ecsVersion, "DescribeInstances", with("MaxResults", "100", "NextToken", token), &out); err != nil {
			return nil, err
		}
		if len(out.Instances.Instance) > 0 {
			tokenFirst = out.Instances.Instance[0].InstanceId
		}
	}
	var byNumber describeOut
	if err := cl.call(ecsVersion, "DescribeInstances", with("PageSize", "100", "PageNumber", strconv.Itoa(deep)), &byNumber); err != nil {
		return nil, err
	}
	if token != "" && (len(byNumber.Instances.Instance) == 0 || byNumber.Instances.Instance[0].InstanceId != tokenFirst) {
		return nil, fmt.Errorf("page %d by PageNumber and by NextToken differ", deep)
	}
	wantPage := func(total, size int, vpc string) func([]byte) error {
		return func(body []byte) error {
			var out describeOut
			if err := json.Unmarshal(body, &out); err != nil {
				return err
			}
			if out.TotalCount != total || len(out.Instances.Instance) != size {
				return fmt.Errorf("TotalCount %d with %d instances, want %d with %d", out.TotalCount, len(out.Instances.Instance), total, size)
			}
			for _, in := range out.Instances.Instance {
				if vpc != "" && (in.Status != "Running" || in.VpcAttributes.VpcId != vpc || !slices.Contains(in.Tags.Tag, struct{ TagKey, TagValue string }{"env", "prod"})) {
					return fmt.Errorf("instance %s does not match the filter", in.InstanceId)
				}
			}
			return nil
		}
	}
	deepSize := min(batch, matching-(deep-1)*batch)
	probes := []probe{
		{name: "DescribeRegions (signed)", version: ecsVersion, action: "DescribeRegions", params: url.Values{}},
		{name: "DescribeInstances, no filter, page 1", version: ecsVersion, action: "DescribeInstances",
			params: url.Values{"PageSize": {"100"}}, check: wantPage(c.instances, batch, "")},
		{name: "filtered, page 1", version: ecsVersion, action: "DescribeInstances",
			params: with("PageSize", "100", "PageNumber", "1"), check: wantPage(matching, min(batch, matching), f.vpcs[0])},
		{name: fmt.Sprintf("filtered, page %d (PageNumber)", deep), version: ecsVersion, action: "DescribeInstances",
			params: with("PageSize", "100", "PageNumber", strconv.Itoa(deep)), check: wantPage(matching, deepSize, f.vpcs[0])},
	}
	if token != "" {
		probes = append(probes, probe{name: fmt.Sprintf("filtered, page %d (NextToken)", deep), version: ecsVersion,
			action: "DescribeInstances", params: with("MaxResults", "100", "NextToken", token),
			check: wantPage(matching, deepSize, f.vpcs[0])})
	}
	return &describeSet{probes: probes, matching: matching, pages: pages}, nil
}

// measureDescribe runs every probe c.samples times, interleaved, after a
// warm-up whose answers are checked, and prints the latencies and ratios.
func measureDescribe(cl *client, c config, set *describeSet, label string) error {
	probes := set.probes
	// Warm up, then interleave the probes so that all see the same server.
	lat := make([][]time.Duration, len(probes))
	for round := -5; round < c.samples; round++ {
		for i, p := range probes {
			t0 := time.Now()
			body, err := cl.raw(p.version, p.action, p.params)
			d := time.Since(t0)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if p.check != nil && round < 0 {
				if err := p.check(body); err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
			}
			if round >= 0 {
				lat[i] = append(lat[i], d)
			}
		}
	}
	fmt.Printf("\nDescribeInstances PageSize=100, filter Status=Running + VpcId + Tag env=prod: %d of %d instances match (%d pages)\n",
		set.matching, c.instances, set.pages)
	fmt.Printf("%d samples each, one request at a time, interleaved; %s\n\n", c.samples, label)
	fmt.Printf("  %-40s %9s %9s %9s   %-17s %-17s\n", "", "p50", "p99", "max", "p50/p99 ÷ Regions", "p50/p99 ÷ page 1")
	sums := make([]stats, len(probes))
	for i := range probes {
		sums[i] = summarize(lat[i])
	}
	for i, p := range probes {
		s := sums[i]
		line := fmt.Sprintf("  %-40s %9s %9s %9s", p.name, ms(s.p50), ms(s.p99), ms(s.max))
		if i > 0 {
			line += fmt.Sprintf("   %6.1f× %6.1f×", ratio(s.p50, sums[0].p50), ratio(s.p99, sums[0].p99))
		}
		if i > 1 {
			line += fmt.Sprintf("   %6.2f× %6.2f×", ratio(s.p50, sums[1].p50), ratio(s.p99, sums[1].p99))
		}
		fmt.Println(line)
	}
	worst := time.Duration(0)
	for _, s := range sums[2:] {
		worst = max(worst, s.p99)
	}
	verdict := "met"
	if worst >= 50*time.Millisecond {
		verdict = "missed"
	}
	fmt.Printf("\n  target p99 < 50 ms for the filtered pages (%s): %s (worst p99 %s)\n", label, verdict, ms(worst))
	return nil
}

type stats struct{ p50, p99, max time.Duration }

func summarize(d []time.Duration) stats {
	if len(d) == 0 {
		return stats{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[max(int(math.Ceil(q*float64(len(s))))-1, 0)] }
	return stats{p50: at(0.50), p99: at(0.99), max: s[len(s)-1]}
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func list(ds []time.Duration) string {
	out := ""
	for i, d := range ds {
		if i > 0 {
			out += ", "
		}
		out += ms(d)
	}
	return out
}

// client makes signed (signature V1) GET calls over loopback, as the SDKs do.
type client struct {
	addr string
	http *http.Client
	gen  ids.Generator
}

func newClient(addr string, conns int) *client {
	return &client{addr: addr, gen: ids.Random(),
		http: &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: conns}}}
}

// raw calls action and returns the body of a 200 answer.
func (c *client) raw(version, action string, params url.Values) ([]byte, error) {
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	p.Set("Action", action)
	p.Set("Version", version)
	p.Set("Format", "JSON")
	p.Set("RegionId", region)
	p.Set("AccessKeyId", benchKeyID)
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureNonce", c.gen.NewRequestID())
	p.Set("Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z"))
	p.Set("Signature", sign.SignV1(http.MethodGet, p, benchSecret))
	resp, err := c.http.Get("http://" + c.addr + "/?" + p.Encode())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %s", action, resp.StatusCode, body)
	}
	return body, nil
}

// call calls action and decodes its answer into out (when not nil).
func (c *client) call(version, action string, params url.Values, out any) error {
	body, err := c.raw(version, action, params)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}
