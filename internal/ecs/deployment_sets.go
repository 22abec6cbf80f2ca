package ecs

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/deploymentset"
)

// deploymentSetTimeLayout is how CreationTime is rendered: ISO 8601 in UTC, to
// the minute (guide 1.18.8).
const deploymentSetTimeLayout = "2006-01-02T15:04Z"

// CreateDeploymentSetRequest holds the parameters of CreateDeploymentSet (guide
// 1.6.1).
type CreateDeploymentSetRequest struct {
	// RegionId is the set's region (the front defaults and checks it).
	RegionId string `param:"RegionId"`
	// ZoneId binds the set to a zone of the region. The guide marks it required;
	// the SDKs and Terraform do not send it, so without it the set spans the
	// region.
	ZoneId            string `param:"ZoneId"`
	DeploymentSetName string `param:"DeploymentSetName"`
	Description       string `param:"Description"`
	// Domain (Default, Switch), Granularity (Host, Rack, Switch) and Strategy
	// (LooseDispersion, LooseAggregation, StrictAggregation, StrictDispersion,
	// and the SDK's Availability), in any letter case.
	Domain      string `param:"Domain"`
	Granularity string `param:"Granularity"`
	Strategy    string `param:"Strategy"`
	ClientToken string `param:"ClientToken"`
	// GroupCount and OnUnableToRedeployFailedInstance are the SDK's, accepted
	// without effect (no deployment set groups, no failover in ecsd).
	GroupCount                       *int64 `param:"GroupCount"`
	OnUnableToRedeployFailedInstance string `param:"OnUnableToRedeployFailedInstance"`
}

// CreateDeploymentSetResponse is the answer of CreateDeploymentSet.
type CreateDeploymentSetResponse struct {
	DeploymentSetId string `json:"DeploymentSetId"`
}

// CreateDeploymentSet creates a deployment set (guide 1.6.1).
func (h *Handlers) CreateDeploymentSet(ctx context.Context, req *CreateDeploymentSetRequest) (*CreateDeploymentSetResponse, error) {
	res, err := h.deps.DeploymentSets.Create(ctx, deploymentSetCaller(ctx), deploymentset.CreateInput{
		ZoneID: req.ZoneId, Name: req.DeploymentSetName, Description: req.Description, Domain: req.Domain,
		Granularity: req.Granularity, Strategy: req.Strategy, ClientToken: req.ClientToken})
	if err != nil {
		return nil, err
	}
	return &CreateDeploymentSetResponse{DeploymentSetId: res.DeploymentSetID}, nil
}

// DeleteDeploymentSetRequest holds the parameters of DeleteDeploymentSet (guide
// 1.6.2).
type DeleteDeploymentSetRequest struct {
	RegionId        string `param:"RegionId"`
	DeploymentSetId string `param:"DeploymentSetId"`
}

// DeleteDeploymentSetResponse is the answer of DeleteDeploymentSet.
type DeleteDeploymentSetResponse struct{}

// DeleteDeploymentSet deletes a deployment set without instances (guide 1.6.2).
func (h *Handlers) DeleteDeploymentSet(ctx context.Context, req *DeleteDeploymentSetRequest) (*DeleteDeploymentSetResponse, error) {
	if err := h.deps.DeploymentSets.Delete(ctx, deploymentSetCaller(ctx), req.DeploymentSetId); err != nil {
		return nil, err
	}
	return &DeleteDeploymentSetResponse{}, nil
}

// ModifyDeploymentSetAttributeRequest holds the parameters of
// ModifyDeploymentSetAttribute (guide 1.6.3).
type ModifyDeploymentSetAttributeRequest struct {
	RegionId          string `param:"RegionId"`
	DeploymentSetId   string `param:"DeploymentSetId"`
	DeploymentSetName string `param:"DeploymentSetName"`
	Description       string `param:"Description"`
}

// ModifyDeploymentSetAttributeResponse is the answer of ModifyDeploymentSetAttribute.
type ModifyDeploymentSetAttributeResponse struct{}

// ModifyDeploymentSetAttribute renames a deployment set or changes its
// description (guide 1.6.3); an empty value leaves the attribute as it is.
func (h *Handlers) ModifyDeploymentSetAttribute(ctx context.Context, req *ModifyDeploymentSetAttributeRequest) (*ModifyDeploymentSetAttributeResponse, error) {
	err := h.deps.DeploymentSets.Modify(ctx, deploymentSetCaller(ctx), deploymentset.ModifyInput{
		ID: req.DeploymentSetId, Name: req.DeploymentSetName, Description: req.Description})
	if err != nil {
		return nil, err
	}
	return &ModifyDeploymentSetAttributeResponse{}, nil
}

// DescribeDeploymentSetsRequest holds the parameters of DescribeDeploymentSets
// (guide 1.6.4).
type DescribeDeploymentSetsRequest struct {
	RegionId string `param:"RegionId"`
	// DeploymentSetIds is a JSON array of at most 100 IDs. The guide marks it
	// required; without it every set of the region is listed, as the SDKs
	// expect.
	DeploymentSetIds  *string `param:"DeploymentSetIds"`
	DeploymentSetName string  `param:"DeploymentSetName"`
	Domain            string  `param:"Domain"`
	Granularity       string  `param:"Granularity"`
	Strategy          string  `param:"Strategy"`
	// NetworkType is the SDK's, accepted without effect.
	NetworkType string `param:"NetworkType"`
	// PageNumber (from 1, default 1) and PageSize (1 to 100, default 10).
	PageNumber *int32 `param:"PageNumber" min:"1"`
	PageSize   *int32 `param:"PageSize" min:"1" max:"100"`
}

// DescribeDeploymentSetsResponse is the answer of DescribeDeploymentSets, in
// the SDK's shape (the guide's DeploymentSetList is the SDK's DeploymentSets).
type DescribeDeploymentSetsResponse struct {
	RegionId       string         `json:"RegionId"`
	TotalCount     int            `json:"TotalCount"`
	PageNumber     int            `json:"PageNumber"`
	PageSize       int            `json:"PageSize"`
	DeploymentSets DeploymentSets `json:"DeploymentSets"`
}

// DeploymentSets is the SDK's DeploymentSets container.
type DeploymentSets struct {
	DeploymentSet []DeploymentSetItem `json:"DeploymentSet"`
}

// DeploymentSetItem is one deployment set (the guide's DeploymentSetType, in
// the SDK's DeploymentSet shape).
type DeploymentSetItem struct {
	DeploymentSetId          string                 `json:"DeploymentSetId"`
	DeploymentSetName        string                 `json:"DeploymentSetName"`
	DeploymentSetDescription string                 `json:"DeploymentSetDescription"`
	Domain                   string                 `json:"Domain"`
	Granularity              string                 `json:"Granularity"`
	Strategy                 string                 `json:"Strategy"`
	DeploymentStrategy       string                 `json:"DeploymentStrategy"`
	CreationTime             string                 `json:"CreationTime"`
	InstanceAmount           int                    `json:"InstanceAmount"`
	InstanceIds              DeploymentSetInstances `json:"InstanceIds"`
	Capacities               DeploymentSetCapacity  `json:"Capacities"`
}

// DeploymentSetInstances is the SDK's InstanceIdsInDescribeDeploymentSets.
type DeploymentSetInstances struct {
	InstanceId []string `json:"InstanceId"`
}

// DeploymentSetCapacity is the SDK's Capacities container.
type DeploymentSetCapacity struct {
	Capacity []DeploymentSetZoneCapacity `json:"Capacity"`
}

// DeploymentSetZoneCapacity is how many instances of a strictly dispersed set
// a zone holds and can still take.
type DeploymentSetZoneCapacity struct {
	ZoneId          string `json:"ZoneId"`
	UsedAmount      int    `json:"UsedAmount"`
	AvailableAmount int    `json:"AvailableAmount"`
}

// DescribeDeploymentSets lists the caller's deployment sets in the region,
// newest first, with their instances (guide 1.6.4).
func (h *Handlers) DescribeDeploymentSets(ctx context.Context, req *DescribeDeploymentSetsRequest) (*DescribeDeploymentSetsResponse, error) {
	ids, err := deploymentset.ParseIDs(req.DeploymentSetIds)
	if err != nil {
		return nil, err
	}
	q := deploymentset.ListQuery{IDs: ids, Name: req.DeploymentSetName, Domain: req.Domain, Granularity: req.Granularity,
		Strategy: req.Strategy}
	if req.PageNumber != nil {
		q.PageNumber = int(*req.PageNumber)
	}
	if req.PageSize != nil {
		q.PageSize = int(*req.PageSize)
	}
	c := deploymentSetCaller(ctx)
	res, err := h.deps.DeploymentSets.List(ctx, c, q)
	if err != nil {
		return nil, err
	}
	resp := &DescribeDeploymentSetsResponse{RegionId: c.RegionID, TotalCount: res.TotalCount, PageNumber: res.PageNumber,
		PageSize: res.PageSize, DeploymentSets: DeploymentSets{DeploymentSet: []DeploymentSetItem{}}}
	for _, s := range res.Sets {
		item := DeploymentSetItem{DeploymentSetId: s.ID, DeploymentSetName: s.Name, DeploymentSetDescription: s.Description,
			Domain: s.Domain, Granularity: s.Granularity, Strategy: s.Strategy, DeploymentStrategy: s.Strategy,
			CreationTime:   s.CreatedAt.UTC().Truncate(time.Minute).Format(deploymentSetTimeLayout),
			InstanceAmount: len(s.InstanceIDs), InstanceIds: DeploymentSetInstances{InstanceId: list(s.InstanceIDs)},
			Capacities: DeploymentSetCapacity{Capacity: []DeploymentSetZoneCapacity{}}}
		for _, c := range s.Capacities {
			item.Capacities.Capacity = append(item.Capacities.Capacity,
				DeploymentSetZoneCapacity{ZoneId: c.ZoneID, UsedAmount: c.Used, AvailableAmount: c.Available})
		}
		resp.DeploymentSets.DeploymentSet = append(resp.DeploymentSets.DeploymentSet, item)
	}
	return resp, nil
}

// DescribeDeploymentSetTopologyRequest holds the parameters of
// DescribeDeploymentSetTopology (guide 1.6.5).
type DescribeDeploymentSetTopologyRequest struct {
	RegionId        string `param:"RegionId"`
	DeploymentSetId string `param:"DeploymentSetId"`
	// Granularity, Domain, Strategy, DeploymentSetName and NetworkType are
	// sent by older SDKs; they are accepted without effect.
	Granularity       string `param:"Granularity"`
	Domain            string `param:"Domain"`
	Strategy          string `param:"Strategy"`
	DeploymentSetName string `param:"DeploymentSetName"`
	NetworkType       string `param:"NetworkType"`
}

// DescribeDeploymentSetTopologyResponse is the answer of
// DescribeDeploymentSetTopology: the guide's Switchs and Racks, shaped as the
// older SDKs that had this action decode them.
type DescribeDeploymentSetTopologyResponse struct {
	RegionId        string           `json:"RegionId"`
	DeploymentSetId string           `json:"DeploymentSetId"`
	Switchs         TopologySwitches `json:"Switchs"`
	Racks           TopologyRacks    `json:"Racks"`
}

// TopologySwitches is the Switchs container.
type TopologySwitches struct {
	Switch []TopologySwitch `json:"Switch"`
}

// TopologySwitch is one switch with the set's hosts below it.
type TopologySwitch struct {
	SwitchId string        `json:"SwitchId"`
	Hosts    TopologyHosts `json:"Hosts"`
}

// TopologyRacks is the Racks container.
type TopologyRacks struct {
	Rack []TopologyRack `json:"Rack"`
}

// TopologyRack is one rack with the set's hosts in it.
type TopologyRack struct {
	RackId string        `json:"RackId"`
	Hosts  TopologyHosts `json:"Hosts"`
}

// TopologyHosts is a Hosts container.
type TopologyHosts struct {
	Host []TopologyHost `json:"Host"`
}

// TopologyHost is one host with the set's instances on it.
type TopologyHost struct {
	HostId      string                 `json:"HostId"`
	InstanceIds DeploymentSetInstances `json:"InstanceIds"`
}

// DescribeDeploymentSetTopology answers where a deployment set's instances run:
// by switch and host, and by rack and host (guide 1.6.5).
func (h *Handlers) DescribeDeploymentSetTopology(ctx context.Context, req *DescribeDeploymentSetTopologyRequest) (*DescribeDeploymentSetTopologyResponse, error) {
	t, err := h.deps.DeploymentSets.Topology(ctx, deploymentSetCaller(ctx), req.DeploymentSetId)
	if err != nil {
		return nil, err
	}
	resp := &DescribeDeploymentSetTopologyResponse{RegionId: t.RegionID, DeploymentSetId: t.DeploymentSetID,
		Switchs: TopologySwitches{Switch: []TopologySwitch{}}, Racks: TopologyRacks{Rack: []TopologyRack{}}}
	for _, g := range t.Switches {
		resp.Switchs.Switch = append(resp.Switchs.Switch, TopologySwitch{SwitchId: g.ID, Hosts: topologyHosts(g.Hosts)})
	}
	for _, g := range t.Racks {
		resp.Racks.Rack = append(resp.Racks.Rack, TopologyRack{RackId: g.ID, Hosts: topologyHosts(g.Hosts)})
	}
	return resp, nil
}

func topologyHosts(hosts []deploymentset.HostInstances) TopologyHosts {
	out := TopologyHosts{Host: []TopologyHost{}}
	for _, h := range hosts {
		out.Host = append(out.Host, TopologyHost{HostId: h.HostID, InstanceIds: DeploymentSetInstances{InstanceId: list(h.InstanceIDs)}})
	}
	return out
}

// deploymentSetCaller is the caller of a deployment-set action.
func deploymentSetCaller(ctx context.Context) deploymentset.Caller {
	c := reqctx.From(ctx)
	return deploymentset.Caller{AccountID: c.AccountID, RegionID: c.RegionID}
}
