package e2e

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// The crash test's shape: rounds of RunInstances with crashAmount instances of
// 1 + crashDataDisks disks and a public IP each, every one cut by a SIGKILL.
const (
	crashAmount    = 100
	crashDataDisks = 2
	crashSimDelay  = "300ms"
	crashCIDR      = "10.0.16.0/20" // 4096 addresses: a /24 cannot hold the rounds
	// The ECS security-group quota (instance/validate.go MaxInstancesPerGroup).
	crashGroupQuota = 1000
	// publicIPPool is the pseudo VSwitch the public IPs are rows of (instance/publicip.go).
	publicIPPool = "ecsd:public-ip-pool"
)

// The phases a kill lands in, as the test tells them afterwards.
const (
	phaseBeforeCommit = "before the commit"
	phaseBeforeAnswer = "after the commit, before the answer"
	phaseAfterAnswer  = "after the answer"
)

// killKind says when a round's SIGKILL is sent.
type killKind int

const (
	// killAfterSend: a delay after the call was sent, answered or not.
	killAfterSend killKind = iota
	// killAtCommit: as soon as the store shows the call's ClientToken record,
	// which RunInstances writes in the transaction of its instances.
	killAtCommit
	// killAfterAnswer: a delay after the answer came.
	killAfterAnswer
	// killMidway: after the answer, once the VSwitch has instances Pending,
	// Starting and Running.
	killMidway
)

type crashKill struct {
	kind  killKind
	delay time.Duration
}

func (k crashKill) String() string {
	switch k.kind {
	case killAtCommit:
		return "the commit"
	case killAfterAnswer:
		return fmt.Sprintf("answer+%v", k.delay)
	case killMidway:
		return "midway"
	}
	return fmt.Sprintf("send+%v", k.delay.Round(100*time.Microsecond))
}

// crashRound is what one round sent, saw and left.
type crashRound struct {
	n        int
	token    string
	kill     crashKill
	answered bool          // the answer arrived (before the SIGKILL closed the connection)
	answer   []string      // its InstanceIds
	callErr  error         // what the call got instead
	latency  time.Duration // send → answer
	killedAt time.Duration // send → SIGKILL
	// atSend and atKill count the VSwitch's instances in each status before
	// the call, and just before the kill when the kill waited for the answer.
	atSend, atKill map[string]int
	// committed is how many of the round's instances the restarted server
	// has before the call is sent again.
	committed int
	phase     string
	ids       []string // the round's instances after the retry
}

// crashEnv is the server the rounds kill and restart, and the network they use.
type crashEnv struct {
	t                         *testing.T
	dsn, dir, addr            string
	args                      []string
	s                         *server
	c                         *ecs.Client
	run                       string
	vpcID, vswitchID, groupID string
	errorLogs                 []string
}

// TestSIGKILLDuringRunInstancesLosesNothingAndLeaksNothing kills ecsd with
// SIGKILL in the middle of RunInstances calls of 100 instances (with data disks
// and public IPs) and restarts it on the same data dir; the kills land before
// the commit, between the commit and the answer, and after the answer while
// instances are Pending, Starting and Running. Retrying each call with its
// ClientToken must give exactly one set of 100 instances per call (the one
// answered, when an answer came), all of them must reach Running, and no
// address, disk or security-group slot may be left over, neither while they
// run nor after they are deleted.
func TestSIGKILLDuringRunInstancesLosesNothingAndLeaksNothing(t *testing.T) {
	began := time.Now()
	e := &crashEnv{t: t, dsn: os.Getenv("ECSD_E2E_STORE"), dir: t.TempDir(), args: []string{"--sim-delay", crashSimDelay}, run: runID()}
	e.s = startServer(t, serverOptions{dataDir: e.dir, args: e.args})
	e.addr = e.s.addr
	e.c = oldSDK(t, e.s, testAccessKeyID, testAccessKeySecret)

	// The network, through the SDKs: a /20 VSwitch, and a group with a quota of 1000.
	vc := vpcSDK(t, e.s) // keeps working across restarts: same address, no kept connection
	cv := vpc.CreateCreateVpcRequest()
	cv.CidrBlock, cv.VpcName = "10.0.0.0/16", unique("e2e-crash")
	createdVpc, err := vc.CreateVpc(cv)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	e.vpcID = createdVpc.VpcId
	if e.vswitchID, err = createVSwitch(t, vc, e.vpcID, "cn-hangzhou-b", crashCIDR, "crash"); err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	e.groupID = createSecurityGroup(t, e.c, "crash", e.vpcID, "", e.run)
	capacity := availableIPs(t, vc, e.vswitchID)
	if capacity < 4000 {
		t.Fatalf("a %s VSwitch has %d available addresses", crashCIDR, capacity)
	}

	defer e.onFailure()

	// The kills, one a round. The kills at the commit go on until two have
	// landed between the commit and the answer (each lands there 9 times out
	// of 10 here, loaded or not), at most commitAttempts times: 7 to 9 rounds
	// of 100 instances, within the group's quota of 1000.
	plan := []crashKill{
		{kind: killAfterAnswer}, // its instances Pending; measures the call
		{kind: killMidway},      // its instances Pending, the first round's Starting and Running
		{kind: killAfterSend},   // the call may not even have arrived
		{kind: killAfterSend, delay: 3 * time.Millisecond},
		{kind: killAfterSend, delay: -1}, // half the first call: inside its transaction
	}
	const commitAttempts, commitHits = 4, 2
	var rounds []*crashRound
	hits := 0
	for n := 0; n < len(plan) || n < len(plan)+commitAttempts && hits < commitHits; n++ {
		kill := crashKill{kind: killAtCommit}
		if n < len(plan) {
			kill = plan[n]
		}
		if kill.delay < 0 {
			kill.delay = rounds[0].latency / 2
		}
		r := &crashRound{n: n, token: e.request(n).ClientToken, kill: kill}
		rounds = append(rounds, r)
		e.killDuring(r)
		e.restart()
		e.retry(r)
		if r.phase == phaseBeforeAnswer {
			hits++
		}
		t.Logf("round %d: kill at %-11s landed %-36s (%v after the send; answer %v; %d committed; instances %v before the send, %v at the kill)",
			n, r.kill, r.phase, r.killedAt.Round(100*time.Microsecond), answerNote(r), r.committed, r.atSend, r.atKill)
	}
	killed := time.Since(began)

	// Every round's set, and nothing else, in the VSwitch; all Running.
	var want []string
	for _, r := range rounds {
		want = append(want, r.ids...)
	}
	slices.Sort(want)
	if len(slices.Compact(slices.Clone(want))) != len(want) {
		t.Fatal("two rounds answered the same instance")
	}
	total := len(want)
	running := 0
	for deadline := time.Now().Add(180 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		running = e.count("Running")
		if running == total || time.Now().After(deadline) {
			break
		}
	}
	settled := time.Since(began)
	if running != total {
		counts := map[string]int{}
		for _, in := range e.list() {
			counts[in.Status]++
		}
		t.Fatalf("%d of %d instances Running 180s after the last restart: %v", running, total, counts)
	}
	all := e.list()
	if got := sortedIDs(all); !slices.Equal(got, want) {
		t.Fatalf("the VSwitch has %d instances, want the %d of the %d rounds", len(got), total, len(rounds))
	}
	for _, r := range rounds {
		for _, id := range r.answer {
			if _, found := slices.BinarySearch(want, id); !found {
				t.Fatalf("round %d: answered instance %s is gone", r.n, id)
			}
		}
	}
	prefix := netip.MustParsePrefix(crashCIDR)
	privateIPs, publicIPs := map[string]string{}, map[string]string{}
	for _, in := range all {
		priv, pub := in.VpcAttributes.PrivateIpAddress.IpAddress, in.PublicIpAddress.IpAddress
		if in.Status != "Running" || len(priv) != 1 || len(pub) != 1 {
			t.Fatalf("instance %s: %s, private %v, public %v", in.InstanceId, in.Status, priv, pub)
		}
		if a, err := netip.ParseAddr(priv[0]); err != nil || !prefix.Contains(a) {
			t.Fatalf("instance %s has private address %s outside %s", in.InstanceId, priv[0], crashCIDR)
		}
		if other, dup := privateIPs[priv[0]]; dup {
			t.Fatalf("instances %s and %s share the private address %s", other, in.InstanceId, priv[0])
		}
		if other, dup := publicIPs[pub[0]]; dup {
			t.Fatalf("instances %s and %s share the public address %s", other, in.InstanceId, pub[0])
		}
		privateIPs[priv[0]], publicIPs[pub[0]] = in.InstanceId, in.InstanceId
	}
	if got := availableIPs(t, vc, e.vswitchID); got != capacity-int64(total) {
		t.Fatalf("AvailableIpAddressCount = %d with %d instances, want %d", got, total, capacity-int64(total))
	}
	checkCrashDisks(t, e.c, e.run, want)
	checkGroupQuota(t, e.c, e.groupID, total)
	checkCrashStore(t, e.dsn, e.dir, e.vswitchID, e.run, want, privateIPs, publicIPs)

	// Delete everything; every address, disk and group slot comes back.
	for _, id := range want {
		del := ecs.CreateDeleteInstanceRequest()
		del.InstanceId, del.Force = id, requests.NewBoolean(true)
		if _, err := e.c.DeleteInstance(del); err != nil {
			t.Fatalf("DeleteInstance %s: %v", id, err)
		}
	}
	left := total
	for deadline := time.Now().Add(120 * time.Second); left > 0 && time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		left = e.count("")
	}
	if left > 0 {
		t.Fatalf("%d instances still listed 120s after DeleteInstance", left)
	}
	if got := availableIPs(t, vc, e.vswitchID); got != capacity {
		t.Fatalf("AvailableIpAddressCount = %d with every instance deleted, want %d", got, capacity)
	}
	checkCrashDisks(t, e.c, e.run, nil)
	checkGroupQuota(t, e.c, e.groupID, 0)
	checkCrashStore(t, e.dsn, e.dir, e.vswitchID, e.run, nil, nil, nil)
	delGroup := ecs.CreateDeleteSecurityGroupRequest()
	delGroup.SecurityGroupId = e.groupID
	if _, err := e.c.DeleteSecurityGroup(delGroup); err != nil {
		t.Fatalf("DeleteSecurityGroup with every instance gone: %v", err)
	}
	delSwitch := vpc.CreateDeleteVSwitchRequest()
	delSwitch.VSwitchId = e.vswitchID
	if _, err := vc.DeleteVSwitch(delSwitch); err != nil {
		t.Fatalf("DeleteVSwitch with every instance gone: %v", err)
	}
	delVpc := vpc.CreateDeleteVpcRequest()
	delVpc.VpcId = e.vpcID
	if _, err := vc.DeleteVpc(delVpc); err != nil {
		t.Fatalf("DeleteVpc: %v", err)
	}

	phases, atKill := map[string]int{}, map[string]int{}
	for _, r := range rounds {
		phases[r.phase]++
		for status, n := range r.atKill {
			atKill[status] += n
		}
	}
	e.collectErrors()
	for _, line := range e.errorLogs {
		t.Logf("server error log: %s", line)
	}
	t.Logf("kills: %d %s, %d %s, %d %s (instances at the kills after an answer: %v); %d instances; "+
		"rounds and restarts took %v, all Running at %v, all released at %v",
		phases[phaseBeforeCommit], phaseBeforeCommit, phases[phaseBeforeAnswer], phaseBeforeAnswer,
		phases[phaseAfterAnswer], phaseAfterAnswer, atKill, total, killed.Round(time.Millisecond),
		settled.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	// Not vacuous: kills landed before a commit, between a commit and its
	// answer, and after answers while instances were Pending and Starting.
	if phases[phaseBeforeCommit] == 0 || phases[phaseBeforeAnswer] == 0 || atKill["Pending"] == 0 || atKill["Starting"] == 0 {
		t.Fatalf("the kills did not land in every phase: %v, instances at the kills after an answer %v", phases, atKill)
	}
}

func answerNote(r *crashRound) string {
	if r.answered {
		return "in " + r.latency.Round(100*time.Microsecond).String()
	}
	var ue *url.Error
	if errors.As(r.callErr, &ue) {
		return "none (" + ue.Err.Error() + ")"
	}
	return "none (" + r.callErr.Error() + ")"
}

// request is round n's RunInstances: 100 instances with a public IP, a system
// disk and data disks named after the run, tagged with the run and the round.
func (e *crashEnv) request(n int) *ecs.RunInstancesRequest {
	req := ecs.CreateRunInstancesRequest()
	req.RegionId, req.ImageId, req.InstanceType = "cn-hangzhou", e2eImage, "ecs.g5.large"
	req.SecurityGroupId, req.VSwitchId = e.groupID, e.vswitchID
	req.Amount, req.InternetMaxBandwidthOut = requests.NewInteger(crashAmount), "5"
	req.ClientToken = fmt.Sprintf("crash-%s-%d", e.run, n)
	req.SystemDiskCategory, req.SystemDiskDiskName = "cloud_efficiency", "crash-sys-"+e.run
	disks := make([]ecs.RunInstancesDataDisk, crashDataDisks)
	for i := range disks {
		disks[i] = ecs.RunInstancesDataDisk{Category: "cloud_efficiency", Size: "20", DiskName: "crash-data-" + e.run}
	}
	req.DataDisk = &disks
	req.Tag = &[]ecs.RunInstancesTag{{Key: "crash-run", Value: e.run}, {Key: "crash-round", Value: strconv.Itoa(n)}}
	return req
}

type crashAnswer struct {
	ids []string
	err error
	at  time.Duration
}

// killDuring sends round r's RunInstances from another goroutine, on a
// connection of its own, and SIGKILLs the server when r.kill says.
func (e *crashEnv) killDuring(r *crashRound) {
	t := e.t
	var watch *sqlstore.DB
	var accountID int64
	if r.kill.kind == killAtCommit {
		watch, accountID = openStore(t, e.dsn, e.dir)
		defer watch.Close()
	}
	r.atSend = e.statuses()
	caller := oldSDK(t, e.s, testAccessKeyID, testAccessKeySecret)
	answers := make(chan crashAnswer, 1)
	req := e.request(r.n)
	sent := time.Now()
	go func() {
		resp, err := caller.RunInstances(req)
		a := crashAnswer{err: err, at: time.Since(sent)}
		if err == nil {
			a.ids = resp.InstanceIdSets.InstanceIdSet
		}
		answers <- a
	}()
	var got *crashAnswer
	wait := func(d time.Duration) {
		select {
		case a := <-answers:
			got = &a
		case <-time.After(d):
			t.Fatalf("round %d: no answer after %v", r.n, d)
		}
		if got.err != nil {
			t.Fatalf("round %d: RunInstances: %v", r.n, got.err)
		}
	}
	switch r.kill.kind {
	case killAfterSend:
		select {
		case a := <-answers:
			got = &a
			time.Sleep(time.Until(sent.Add(r.kill.delay)))
		case <-time.After(time.Until(sent.Add(r.kill.delay))):
		}
	case killAtCommit:
		c := ctx(t)
		for got == nil {
			select {
			case a := <-answers:
				got = &a
				continue
			default:
			}
			err := watch.View(c, func(tx store.Tx) error {
				_, err := tx.GetIdempotency(accountID, "RunInstances", r.token)
				return err
			})
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("round %d: read the ClientToken record: %v", r.n, err)
			}
			if time.Since(sent) > 60*time.Second {
				t.Fatalf("round %d: nothing committed and no answer after 60s", r.n)
			}
		}
	case killAfterAnswer:
		wait(60 * time.Second)
		time.Sleep(r.kill.delay)
	case killMidway:
		wait(60 * time.Second)
		for deadline := time.Now().Add(60 * time.Second); r.atKill["Pending"] == 0 || r.atKill["Starting"] == 0 ||
			r.atKill["Running"] == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no instances Pending, Starting and Running 60s after the answer: %v", r.n, r.atKill)
			}
			r.atKill = e.statuses()
		}
	}
	if got != nil && got.err == nil && r.atKill == nil {
		r.atKill = e.statuses()
	}
	if err := e.s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	r.killedAt = time.Since(sent)
	<-e.s.done
	e.collectErrors()
	if got == nil {
		select {
		case a := <-answers:
			got = &a
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: the call did not return 30s after the SIGKILL", r.n)
		}
	}
	r.callErr = got.err
	if got.err == nil {
		if len(got.ids) != crashAmount {
			t.Fatalf("round %d answered %d instances", r.n, len(got.ids))
		}
		r.answered, r.answer, r.latency = true, got.ids, got.at
	}
}

// restart starts ecsd again on the same data dir and address.
func (e *crashEnv) restart() {
	e.s = startServer(e.t, serverOptions{dataDir: e.dir, addr: e.addr, args: e.args})
	e.c = oldSDK(e.t, e.s, testAccessKeyID, testAccessKeySecret)
}

// retry tells where round r's kill landed from what the restarted server
// has, sends the call again with its ClientToken and checks that exactly one
// set of instances carries the round's tag: the one answered, or the one
// committed, or a new one when nothing was.
func (e *crashEnv) retry(r *crashRound) {
	t := e.t
	before := e.roundInstances(r.n)
	r.committed = len(before)
	switch {
	case r.answered:
		r.phase = phaseAfterAnswer
		if !slices.Equal(sortedIDs(before), slices.Sorted(slices.Values(r.answer))) {
			t.Fatalf("round %d: answered %d instances, %d of the round's survived the SIGKILL", r.n, len(r.answer), len(before))
		}
	case r.committed == crashAmount:
		r.phase = phaseBeforeAnswer
	case r.committed == 0:
		r.phase = phaseBeforeCommit
	default:
		t.Fatalf("round %d: %d of %d instances survived a SIGKILL %v after the call: not all or nothing",
			r.n, r.committed, crashAmount, r.killedAt)
	}
	resp, err := e.c.RunInstances(e.request(r.n))
	if err != nil {
		t.Fatalf("round %d: RunInstances again with ClientToken %s: %v", r.n, r.token, err)
	}
	r.ids = resp.InstanceIdSets.InstanceIdSet
	switch {
	case len(r.ids) != crashAmount:
		t.Fatalf("round %d: the retry answered %d instances", r.n, len(r.ids))
	case r.answered && !slices.Equal(r.ids, r.answer):
		t.Fatalf("round %d: the retry answered other instances than the first answer", r.n)
	case r.committed > 0 && !slices.Equal(slices.Sorted(slices.Values(r.ids)), sortedIDs(before)):
		t.Fatalf("round %d: the retry did not answer the instances committed before the SIGKILL", r.n)
	}
	if after := e.roundInstances(r.n); !slices.Equal(sortedIDs(after), slices.Sorted(slices.Values(r.ids))) {
		t.Fatalf("round %d: %d instances carry its tag after the retry, want the %d answered", r.n, len(after), len(r.ids))
	}
}

// roundInstances lists the instances tagged with round n.
func (e *crashEnv) roundInstances(n int) []ecs.Instance {
	return listInstances(e.t, e.c, func(r *ecs.DescribeInstancesRequest) {
		r.VSwitchId = e.vswitchID
		r.Tag = &[]ecs.DescribeInstancesTag{{Key: "crash-round", Value: strconv.Itoa(n)}, {Key: "crash-run", Value: e.run}}
	})
}

// list lists the VSwitch's instances.
func (e *crashEnv) list() []ecs.Instance {
	return listInstances(e.t, e.c, func(r *ecs.DescribeInstancesRequest) { r.VSwitchId = e.vswitchID })
}

// count counts the VSwitch's instances with that status (any when empty).
func (e *crashEnv) count(status string) int {
	e.t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	req.RegionId, req.VSwitchId, req.Status, req.PageSize = "cn-hangzhou", e.vswitchID, status, "1"
	resp, err := e.c.DescribeInstances(req)
	if err != nil {
		e.t.Fatalf("DescribeInstances: %v", err)
	}
	return resp.TotalCount
}

// collectErrors keeps the error lines of the killed server's log.
func (e *crashEnv) collectErrors() {
	for _, line := range strings.Split(e.s.stderr.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			e.errorLogs = append(e.errorLogs, line)
		}
	}
}

// onFailure shows the running server's log when the test failed and, on a
// shared store (ECSD_E2E_STORE), deletes what the test made, as far as it can.
// It is deferred, so it runs before the cleanups kill the server.
func (e *crashEnv) onFailure() {
	if !e.t.Failed() {
		return
	}
	e.t.Logf("the last server's log:\n%s", e.s.stderr.String())
	if e.dsn == "" {
		return
	}
	req := ecs.CreateDescribeInstancesRequest()
	req.RegionId, req.VSwitchId, req.MaxResults = "cn-hangzhou", e.vswitchID, "100"
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		resp, err := e.c.DescribeInstances(req)
		if err != nil || len(resp.Instances.Instance) == 0 {
			break
		}
		for _, in := range resp.Instances.Instance {
			del := ecs.CreateDeleteInstanceRequest()
			del.InstanceId, del.Force = in.InstanceId, requests.NewBoolean(true)
			_, _ = e.c.DeleteInstance(del)
		}
	}
	delGroup := ecs.CreateDeleteSecurityGroupRequest()
	delGroup.SecurityGroupId = e.groupID
	_, _ = e.c.DeleteSecurityGroup(delGroup)
	vc := vpcSDK(e.t, e.s)
	delSwitch := vpc.CreateDeleteVSwitchRequest()
	delSwitch.VSwitchId = e.vswitchID
	_, _ = vc.DeleteVSwitch(delSwitch)
	delVpc := vpc.CreateDeleteVpcRequest()
	delVpc.VpcId = e.vpcID
	_, _ = vc.DeleteVpc(delVpc)
}

// statuses counts the VSwitch's instances in each status.
func (e *crashEnv) statuses() map[string]int {
	counts := map[string]int{}
	for _, status := range []string{"Pending", "Starting", "Running", "Stopping", "Stopped"} {
		if n := e.count(status); n > 0 {
			counts[status] = n
		}
	}
	return counts
}

// openStore opens the store the server runs on, beside it, and finds the
// test account.
func openStore(t *testing.T, dsn, dir string) (*sqlstore.DB, int64) {
	t.Helper()
	st, err := sqlstore.Open(ctx(t), dsn, dir)
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	var key store.AccessKey
	if err := st.View(ctx(t), func(tx store.Tx) error {
		key, err = tx.GetAccessKey(testAccessKeyID)
		return err
	}); err != nil {
		st.Close()
		t.Fatalf("the test's AccessKey in the store: %v", err)
	}
	return st, key.AccountID
}

// listInstances walks DescribeInstances with MaxResults and NextToken.
func listInstances(t *testing.T, c *ecs.Client, edit func(*ecs.DescribeInstancesRequest)) []ecs.Instance {
	t.Helper()
	var all []ecs.Instance
	token := ""
	for page := 0; ; page++ {
		req := ecs.CreateDescribeInstancesRequest()
		req.RegionId, req.MaxResults, req.NextToken = "cn-hangzhou", "100", token
		edit(req)
		resp, err := c.DescribeInstances(req)
		if err != nil {
			t.Fatalf("DescribeInstances: %v", err)
		}
		all = append(all, resp.Instances.Instance...)
		if token = resp.NextToken; token == "" {
			return all
		}
		if page > 1000 {
			t.Fatal("DescribeInstances: NextToken never ends")
		}
	}
}

func sortedIDs(instances []ecs.Instance) []string {
	ids := make([]string, len(instances))
	for i, in := range instances {
		ids[i] = in.InstanceId
	}
	slices.Sort(ids)
	return ids
}

// availableIPs is the VSwitch's AvailableIpAddressCount.
func availableIPs(t *testing.T, c *vpc.Client, vswitchID string) int64 {
	t.Helper()
	req := vpc.CreateDescribeVSwitchAttributesRequest()
	req.VSwitchId = vswitchID
	resp, err := c.DescribeVSwitchAttributes(req)
	if err != nil {
		t.Fatalf("DescribeVSwitchAttributes: %v", err)
	}
	return resp.AvailableIpAddressCount
}

// checkCrashDisks: through DescribeDisks, each instance has its system disk and
// its data disks In_use, and no disk of the run is anywhere else.
func checkCrashDisks(t *testing.T, c *ecs.Client, run string, instances []string) {
	t.Helper()
	for _, d := range []struct {
		name string
		per  int
	}{{"crash-sys-" + run, 1}, {"crash-data-" + run, crashDataDisks}} {
		var disks []ecs.Disk
		for page := 1; ; page++ {
			req := ecs.CreateDescribeDisksRequest()
			req.RegionId, req.DiskName = "cn-hangzhou", d.name
			req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(100)
			resp, err := c.DescribeDisks(req)
			if err != nil {
				t.Fatalf("DescribeDisks: %v", err)
			}
			disks = append(disks, resp.Disks.Disk...)
			if len(resp.Disks.Disk) == 0 || len(disks) >= resp.TotalCount {
				break
			}
		}
		per := map[string]int{}
		for _, disk := range disks {
			if disk.Status != "In_use" || !slices.Contains(instances, disk.InstanceId) {
				t.Fatalf("disk %s (%s) is %s on %q: not a disk of a live instance", disk.DiskId, d.name, disk.Status, disk.InstanceId)
			}
			per[disk.InstanceId]++
		}
		if len(disks) != len(instances)*d.per {
			t.Fatalf("%d disks named %s, want %d for %d instances", len(disks), d.name, len(instances)*d.per, len(instances))
		}
		for _, id := range instances {
			if per[id] != d.per {
				t.Fatalf("instance %s has %d disks named %s, want %d", id, per[id], d.name, d.per)
			}
		}
	}
}

// checkGroupQuota: the group counts the instances against its quota of 1000.
func checkGroupQuota(t *testing.T, c *ecs.Client, groupID string, instances int) {
	t.Helper()
	req := ecs.CreateDescribeSecurityGroupsRequest()
	req.RegionId, req.SecurityGroupIds = "cn-hangzhou", `["`+groupID+`"]`
	resp, err := c.DescribeSecurityGroups(req)
	if err != nil || len(resp.SecurityGroups.SecurityGroup) != 1 {
		t.Fatalf("DescribeSecurityGroups %s: %+v, %v", groupID, resp, err)
	}
	g := resp.SecurityGroups.SecurityGroup[0]
	if g.EcsCount != instances || g.AvailableInstanceAmount != crashGroupQuota-instances {
		t.Fatalf("group %s: EcsCount %d, AvailableInstanceAmount %d with %d instances", groupID, g.EcsCount,
			g.AvailableInstanceAmount, instances)
	}
}

// checkCrashStore reads, in the store the server runs on, what the API does not
// show: the VSwitch's address rows, the public-IP pool's rows and the disk rows
// belong to the live instances, one each, and the instances have nothing left
// to do but their health check.
func checkCrashStore(t *testing.T, dsn, dir, vswitchID, run string, instances []string, privateIPs, publicIPs map[string]string) {
	t.Helper()
	st, accountID := openStore(t, dsn, dir)
	defer st.Close()
	err := st.View(ctx(t), func(tx store.Tx) error {
		live := map[string]bool{}
		for _, id := range instances {
			live[id] = true
		}
		rows, err := tx.ListPrivateIPs(vswitchID)
		if err != nil {
			return err
		}
		if len(rows) != len(instances) {
			return fmt.Errorf("%d address rows in the VSwitch, want one for each of %d instances", len(rows), len(instances))
		}
		for _, r := range rows {
			if r.OwnerType != "Instance" || !live[r.OwnerID] || privateIPs[r.Address] != r.OwnerID {
				return fmt.Errorf("address row %+v is not the address of a live instance", r)
			}
		}
		pool, err := tx.ListPrivateIPs(publicIPPool)
		if err != nil {
			return err
		}
		ours := 0
		for _, r := range pool {
			if live[r.OwnerID] {
				ours++
				if publicIPs[r.Address] != r.OwnerID {
					return fmt.Errorf("public-IP row %+v does not match DescribeInstances", r)
				}
				continue
			}
			if dsn == "" { // the SQLite store is this test's alone; a shared one has other tests' rows
				return fmt.Errorf("public-IP row %+v belongs to no live instance", r)
			}
		}
		if ours != len(instances) {
			return fmt.Errorf("%d public-IP rows for %d instances", ours, len(instances))
		}
		if dsn == "" { // the SQLite store is this test's alone: nothing else in the account
			n, err := tx.CountInstances(accountID, "cn-hangzhou")
			if err != nil {
				return err
			}
			_, disks, err := tx.ListDisks(store.DiskFilter{AccountID: accountID, Page: store.Page{Number: 1, Size: 1}})
			if err != nil {
				return err
			}
			if n != len(instances) || disks != len(instances)*(1+crashDataDisks) {
				return fmt.Errorf("the account has %d instances and %d disks, want %d and %d", n, disks,
					len(instances), len(instances)*(1+crashDataDisks))
			}
		}
		for _, name := range []string{"crash-sys-" + run, "crash-data-" + run} {
			disks, n, err := tx.ListDisks(store.DiskFilter{AccountID: accountID, Name: name, Page: store.Page{Number: 1, Size: 100_000}})
			if err != nil {
				return err
			}
			for _, d := range disks {
				if !live[d.InstanceID] || d.Status != "In_use" {
					return fmt.Errorf("disk row %s (%s) is %s on %q: not a disk of a live instance", d.ID, name, d.Status, d.InstanceID)
				}
			}
			if n != len(disks) {
				return fmt.Errorf("%d disk rows named %s, %d listed", n, name, len(disks))
			}
		}
		for _, id := range instances {
			in, err := tx.GetInstance(accountID, id)
			if err != nil {
				return fmt.Errorf("instance %s: %w", id, err)
			}
			if in.Status != "Running" || len(in.DriverHandle) == 0 || in.NextStatus != "" {
				return fmt.Errorf("instance %s is %s with next step %q and a handle of %d bytes", id, in.Status, in.NextStatus, len(in.DriverHandle))
			}
			disks, err := tx.InstanceDisks(id)
			if err != nil {
				return err
			}
			if len(disks) != 1+crashDataDisks {
				return fmt.Errorf("instance %s has %d disk rows", id, len(disks))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
}
