package e2e

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ecsd/ecsd/internal/store"
)

// placementCrash is the server the rounds of
// TestSIGKILLDuringAPlacementIntoADeploymentSetLeaksNoCapacity kill and
// restart, and the zone, network and sets they use.
type placementCrash struct {
	t              *testing.T
	dsn, dir, addr string
	args           []string
	s              *server
	c              *ecs.Client
	run, zone      string
	net            instanceNet
}

// placementRound is one RunInstances Amount=100 into a set of its own.
type placementRound struct {
	n         int
	set       string
	token     string
	kill      crashKill
	answered  bool
	answer    []string
	latency   time.Duration
	committed []string // the set's instances after the restart, before the retry
	phase     string
	ids       []string // the set's instances after the retry
}

// TestSIGKILLDuringAPlacementIntoADeploymentSetLeaksNoCapacity kills ecsd with
// SIGKILL while RunInstances places 100 instances into a strictly dispersed
// deployment set (before the commit, between the commit and the answer, after
// the answer), restarts it on the same data and retries with the ClientToken.
// Each set must then hold exactly the 100 instances answered, on 100 hosts,
// and the hosts' usage must be exactly the sum of the live instances: while
// they run, and nothing once they are deleted.
func TestSIGKILLDuringAPlacementIntoADeploymentSetLeaksNoCapacity(t *testing.T) {
	e := &placementCrash{t: t, dsn: os.Getenv("ECSD_E2E_STORE"), dir: t.TempDir(), run: runID()}
	e.zone = "cn-hangzhou-t" + e.run
	// 4 switches × 4 racks × 8 hosts = 128 hosts of 8 ecs.g5.large each.
	e.args = []string{"--topology", writePlacementTopology(t, e.zone, hostLayout{4, 4, 8, 16, 64})}
	e.s = startServer(t, serverOptions{dataDir: e.dir, args: e.args})
	e.addr = e.s.addr
	e.c = oldSDK(t, e.s, testAccessKeyID, testAccessKeySecret)
	e.net = zoneNet(t, e.s, e.c, e.zone, "10.0.16.0/20")
	defer func() {
		if t.Failed() {
			t.Logf("the last server's log:\n%s", e.s.stderr.String())
		}
	}()

	// Then kills at the commit until one lands between the commit and the
	// answer (a race each wins now and then), at most commitAttempts times: at
	// most 9 rounds of 100, within the group's quota of 1000.
	plan := []crashKill{
		{kind: killAfterAnswer},          // measures the call
		{kind: killAfterSend},            // the call may not even have arrived
		{kind: killAfterSend, delay: -1}, // half the first call: inside its transaction
	}
	const commitAttempts = 6
	var rounds []*placementRound
	phases := map[string]int{}
	for n := 0; n < len(plan)+commitAttempts && (n < len(plan) || phases[phaseBeforeAnswer] == 0); n++ {
		kill := crashKill{kind: killAtCommit}
		if n < len(plan) {
			kill = plan[n]
		}
		if kill.delay < 0 {
			kill.delay = rounds[0].latency / 2
		}
		r := &placementRound{n: n, kill: kill, token: fmt.Sprintf("ds-crash-%s-%d", e.run, n)}
		r.set = createDeploymentSet(t, e.c, e.zone, func(req *ecs.CreateDeploymentSetRequest) {
			req.DeploymentSetName, req.Strategy = fmt.Sprintf("crash-%d", n), "StrictDispersion"
		})
		rounds = append(rounds, r)
		e.killDuring(r)
		e.restart()
		e.retry(r)
		phases[r.phase]++
		t.Logf("round %d: kill at %-11s landed %s (%d of the set's instances committed)", n, r.kill, r.phase, len(r.committed))
	}
	if phases[phaseBeforeCommit] == 0 || phases[phaseBeforeAnswer] == 0 || phases[phaseAfterAnswer] == 0 {
		t.Fatalf("the kills did not land in every phase: %v", phases)
	}

	var live []string
	for _, r := range rounds {
		live = append(live, r.ids...)
	}
	slices.Sort(live)
	if got := sortedIDs(listInstances(t, e.c, func(q *ecs.DescribeInstancesRequest) { q.VSwitchId = e.net.vswitchID })); !slices.Equal(got, live) {
		t.Fatalf("the zone's VSwitch has %d instances, the rounds answered %d", len(got), len(live))
	}
	e.checkUsage(rounds, len(live))

	// Delete everything: the hosts run nothing, the sets are empty and go.
	for _, id := range live {
		del := ecs.CreateDeleteInstanceRequest()
		del.InstanceId, del.Force = id, requests.NewBoolean(true)
		if _, err := e.c.DeleteInstance(del); err != nil {
			t.Fatalf("DeleteInstance %s: %v", id, err)
		}
	}
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		left := listInstances(t, e.c, func(q *ecs.DescribeInstancesRequest) { q.VSwitchId = e.net.vswitchID })
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d instances left 120s after DeleteInstance", len(left))
		}
	}
	for _, r := range rounds {
		r.ids = nil
	}
	e.checkUsage(rounds, 0)
	for _, r := range rounds {
		del := ecs.CreateDeleteDeploymentSetRequest()
		del.RegionId, del.DeploymentSetId = "cn-hangzhou", r.set
		if _, err := e.c.DeleteDeploymentSet(del); err != nil {
			t.Fatalf("DeleteDeploymentSet %s with its instances gone: %v", r.set, err)
		}
	}
	e.deleteNetwork()
}

// killDuring sends round r's RunInstances and SIGKILLs the server when r.kill says.
func (e *placementCrash) killDuring(r *placementRound) {
	t := e.t
	caller := oldSDK(t, e.s, testAccessKeyID, testAccessKeySecret)
	answers := make(chan crashAnswer, 1)
	req := e.request(r)
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
	switch r.kill.kind {
	case killAfterSend:
		select {
		case a := <-answers:
			got = &a
		case <-time.After(time.Until(sent.Add(r.kill.delay))):
		}
	case killAtCommit:
		st, accountID := openStore(t, e.dsn, e.dir)
		for got == nil {
			select {
			case a := <-answers:
				got = &a
				continue
			default:
			}
			err := st.View(ctx(t), func(tx store.Tx) error {
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
		st.Close()
	case killAfterAnswer:
		select {
		case a := <-answers:
			got = &a
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d: no answer after 60s", r.n)
		}
		if got.err != nil {
			t.Fatalf("round %d: RunInstances: %v", r.n, got.err)
		}
		time.Sleep(r.kill.delay)
	}
	if err := e.s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-e.s.done
	if got == nil {
		select {
		case a := <-answers:
			got = &a
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: the call did not return 30s after the SIGKILL", r.n)
		}
	}
	if got.err == nil {
		if len(got.ids) != 100 {
			t.Fatalf("round %d answered %d instances", r.n, len(got.ids))
		}
		r.answered, r.answer, r.latency = true, got.ids, got.at
	}
}

// request is round r's call: 100 ecs.g5.large into the round's set.
func (e *placementCrash) request(r *placementRound) *ecs.RunInstancesRequest {
	req := e.net.runRequest()
	req.Amount, req.DeploymentSetId, req.ClientToken = requests.NewInteger(100), r.set, r.token
	return req
}

func (e *placementCrash) restart() {
	e.s = startServer(e.t, serverOptions{dataDir: e.dir, addr: e.addr, args: e.args})
	e.c = oldSDK(e.t, e.s, testAccessKeyID, testAccessKeySecret)
}

// retry tells where round r's kill landed from the set's instances after the
// restart, all or none of them, sends the call again with its ClientToken, and
// checks that the set then holds exactly the instances answered, one a host.
func (e *placementCrash) retry(r *placementRound) {
	t := e.t
	r.committed = describeDeploymentSet(t, e.c, r.set).InstanceIds.InstanceId
	switch {
	case r.answered:
		r.phase = phaseAfterAnswer
		if !slices.Equal(r.committed, slices.Sorted(slices.Values(r.answer))) {
			t.Fatalf("round %d: answered %d instances, the set has %d after the SIGKILL", r.n, len(r.answer), len(r.committed))
		}
	case len(r.committed) == 100:
		r.phase = phaseBeforeAnswer
	case len(r.committed) == 0:
		r.phase = phaseBeforeCommit
	default:
		t.Fatalf("round %d: the set has %d of 100 instances after a SIGKILL: not all or nothing", r.n, len(r.committed))
	}
	resp, err := e.c.RunInstances(e.request(r))
	if err != nil {
		t.Fatalf("round %d: RunInstances again with ClientToken %s: %v", r.n, r.token, err)
	}
	r.ids = slices.Sorted(slices.Values(resp.InstanceIdSets.InstanceIdSet))
	switch {
	case len(r.ids) != 100:
		t.Fatalf("round %d: the retry answered %d instances", r.n, len(r.ids))
	case r.answered && !slices.Equal(resp.InstanceIdSets.InstanceIdSet, r.answer):
		t.Fatalf("round %d: the retry answered other instances than the first answer", r.n)
	case len(r.committed) > 0 && !slices.Equal(r.ids, r.committed):
		t.Fatalf("round %d: the retry did not answer the instances committed before the SIGKILL", r.n)
	}
	d := describeDeploymentSet(t, e.c, r.set)
	if d.InstanceAmount != 100 || !slices.Equal(d.InstanceIds.InstanceId, r.ids) {
		t.Fatalf("round %d: the set has %d instances after the retry, want the 100 answered", r.n, d.InstanceAmount)
	}
	hosts := hostsOfSet(t, e.s, e.c, r.set)
	if len(hosts) != 100 {
		t.Fatalf("round %d: 100 strictly dispersed instances on %d hosts", r.n, len(hosts))
	}
}

// checkUsage reads the store the server runs on: every live instance of the
// rounds has one placement, in its round's set, and each host's usage is
// exactly the sum of its placements (the zone is this run's alone).
func (e *placementCrash) checkUsage(rounds []*placementRound, live int) {
	t := e.t
	st, _ := openStore(t, e.dsn, e.dir)
	defer st.Close()
	err := st.View(ctx(t), func(tx store.Tx) error {
		var sets []string
		want := map[string]bool{}
		for _, r := range rounds {
			sets = append(sets, r.set)
			for _, id := range r.ids {
				want[id] = true
			}
		}
		placed, err := tx.DeploymentSetPlacements(sets)
		if err != nil {
			return err
		}
		perHost := map[string]store.HostUsage{}
		for _, p := range placed {
			if !want[p.InstanceID] || p.ZoneID != e.zone || p.VCPUs != 2 || p.MemoryMiB != 8192 {
				return fmt.Errorf("placement %+v is not one of a live instance answered", p)
			}
			u := perHost[p.HostID]
			u.HostID, u.ZoneID = p.HostID, p.ZoneID
			u.VCPUs, u.MemoryMiB, u.Instances = u.VCPUs+p.VCPUs, u.MemoryMiB+p.MemoryMiB, u.Instances+1
			perHost[p.HostID] = u
			delete(want, p.InstanceID)
		}
		if len(placed) != live || len(want) != 0 {
			return fmt.Errorf("%d placements for %d live instances (%d unplaced)", len(placed), live, len(want))
		}
		usage, err := tx.ZoneHostUsage(e.zone)
		if err != nil {
			return err
		}
		if len(usage) != len(perHost) {
			return fmt.Errorf("%d hosts with usage, %d with placements", len(usage), len(perHost))
		}
		for _, u := range usage {
			if u != perHost[u.HostID] {
				return fmt.Errorf("host %s: usage %+v, its placements add up to %+v", u.HostID, u, perHost[u.HostID])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
}

// deleteNetwork deletes the group, the VSwitch and the VPC.
func (e *placementCrash) deleteNetwork() {
	t := e.t
	delGroup := ecs.CreateDeleteSecurityGroupRequest()
	delGroup.SecurityGroupId = e.net.groupID
	if _, err := e.c.DeleteSecurityGroup(delGroup); err != nil {
		t.Fatalf("DeleteSecurityGroup: %v", err)
	}
	vc := vpcSDK(t, e.s)
	delSwitch := vpc.CreateDeleteVSwitchRequest()
	delSwitch.VSwitchId = e.net.vswitchID
	if _, err := vc.DeleteVSwitch(delSwitch); err != nil {
		t.Fatalf("DeleteVSwitch: %v", err)
	}
	delVpc := vpc.CreateDeleteVpcRequest()
	delVpc.VpcId = e.net.vpcID
	if _, err := vc.DeleteVpc(delVpc); err != nil {
		t.Fatalf("DeleteVpc: %v", err)
	}
}
