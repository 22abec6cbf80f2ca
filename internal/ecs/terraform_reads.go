package ecs

import (
	"context"

	"github.com/ecsd/ecsd/internal/store"
)

// Actions the guide does not document but Terraform's alicloud_instance reads on
// every refresh (../shared/research/clients.md §4.3), answered with the shapes
// the provider asserts on. ecsd has no maintenance windows and no private pools:
// every instance reports none (clients.md §7: a new instance must report an
// empty maintenance-window list, or every plan shows a change).

// Paging of the two attribute lists (the SDK's PageNumber, PageSize 1–100).
const attributesPageSizeDefault = 10

// Maintenance defaults of every instance: Alibaba Cloud's default action, and
// the actions it allows.
const maintenanceActionDefault = "AutoRecover"

// maintenanceActions are the SupportedValues of ActionOnMaintenance.
func maintenanceActions() []string { return []string{"Stop", "AutoRecover", "AutoRedeploy"} }

// privatePoolMatchNone is PrivatePoolOptionsMatchCriteria of an instance
// launched without a private pool (RunInstances' default).
const privatePoolMatchNone = "None"

// DescribeInstanceMaintenanceAttributesRequest holds the parameters of
// DescribeInstanceMaintenanceAttributes (SDK).
type DescribeInstanceMaintenanceAttributesRequest struct {
	RegionId string `param:"RegionId"`
	// InstanceId are up to 100 instances (InstanceId.N); none means all of the region.
	InstanceId []string `param:"InstanceId" maxItems:"100"`
	PageNumber *int     `param:"PageNumber" min:"1"`
	PageSize   *int     `param:"PageSize" min:"1" max:"100"`
}

// DescribeInstanceMaintenanceAttributesResponse is the answer of
// DescribeInstanceMaintenanceAttributes.
type DescribeInstanceMaintenanceAttributesResponse struct {
	PageNumber            int                   `json:"PageNumber"`
	PageSize              int                   `json:"PageSize"`
	TotalCount            int                   `json:"TotalCount"`
	MaintenanceAttributes MaintenanceAttributes `json:"MaintenanceAttributes"`
}

// MaintenanceAttributes is the SDK's MaintenanceAttributes container.
type MaintenanceAttributes struct {
	MaintenanceAttribute []MaintenanceAttribute `json:"MaintenanceAttribute"`
}

// MaintenanceAttribute is the maintenance setting of one instance.
type MaintenanceAttribute struct {
	InstanceId          string              `json:"InstanceId"`
	NotifyOnMaintenance bool                `json:"NotifyOnMaintenance"`
	ActionOnMaintenance ActionOnMaintenance `json:"ActionOnMaintenance"`
	MaintenanceWindows  MaintenanceWindows  `json:"MaintenanceWindows"`
}

// ActionOnMaintenance is what happens to an instance during maintenance.
type ActionOnMaintenance struct {
	Value           string                     `json:"Value"`
	DefaultValue    string                     `json:"DefaultValue"`
	SupportedValues MaintenanceSupportedValues `json:"SupportedValues"`
}

// MaintenanceSupportedValues is the SDK's SupportedValues container.
type MaintenanceSupportedValues struct {
	SupportedValue []string `json:"SupportedValue"`
}

// MaintenanceWindows is the SDK's MaintenanceWindows container; always empty.
type MaintenanceWindows struct {
	MaintenanceWindow []MaintenanceWindow `json:"MaintenanceWindow"`
}

// MaintenanceWindow is a daily window (StartTime, EndTime as HH:mm:ssZ).
type MaintenanceWindow struct {
	StartTime string `json:"StartTime"`
	EndTime   string `json:"EndTime"`
}

// DescribeInstanceMaintenanceAttributes lists the maintenance settings of the
// caller's instances: each with its own InstanceId, no notification, the
// default AutoRecover action and no maintenance window. Unknown IDs are left out.
func (h *Handlers) DescribeInstanceMaintenanceAttributes(ctx context.Context, req *DescribeInstanceMaintenanceAttributesRequest) (*DescribeInstanceMaintenanceAttributesResponse, error) {
	page := attributesPage(req.PageNumber, req.PageSize)
	ids, total, err := h.deps.Instances.InstanceIDs(ctx, instanceCaller(ctx), req.InstanceId, page)
	if err != nil {
		return nil, err
	}
	resp := &DescribeInstanceMaintenanceAttributesResponse{PageNumber: page.Number, PageSize: page.Size, TotalCount: total,
		MaintenanceAttributes: MaintenanceAttributes{MaintenanceAttribute: []MaintenanceAttribute{}}}
	for _, id := range ids {
		resp.MaintenanceAttributes.MaintenanceAttribute = append(resp.MaintenanceAttributes.MaintenanceAttribute, MaintenanceAttribute{
			InstanceId: id,
			ActionOnMaintenance: ActionOnMaintenance{Value: maintenanceActionDefault, DefaultValue: maintenanceActionDefault,
				SupportedValues: MaintenanceSupportedValues{SupportedValue: maintenanceActions()}},
			MaintenanceWindows: MaintenanceWindows{MaintenanceWindow: []MaintenanceWindow{}},
		})
	}
	return resp, nil
}

// DescribeInstanceAttachmentAttributesRequest holds the parameters of
// DescribeInstanceAttachmentAttributes (SDK).
type DescribeInstanceAttachmentAttributesRequest struct {
	RegionId string `param:"RegionId"`
	// InstanceIds is a JSON array of up to 100 IDs; absent means all of the region.
	InstanceIds []string `param:"InstanceIds,json" maxItems:"100"`
	PageNumber  *int     `param:"PageNumber" min:"1"`
	PageSize    *int     `param:"PageSize" min:"1" max:"100"`
}

// DescribeInstanceAttachmentAttributesResponse is the answer of
// DescribeInstanceAttachmentAttributes.
type DescribeInstanceAttachmentAttributesResponse struct {
	PageNumber int                 `json:"PageNumber"`
	PageSize   int                 `json:"PageSize"`
	TotalCount int                 `json:"TotalCount"`
	Instances  AttachmentInstances `json:"Instances"`
}

// AttachmentInstances is the SDK's Instances container of this action.
type AttachmentInstances struct {
	Instance []AttachmentInstance `json:"Instance"`
}

// AttachmentInstance is the private-pool attachment of one instance.
type AttachmentInstance struct {
	InstanceId                      string `json:"InstanceId"`
	PrivatePoolOptionsId            string `json:"PrivatePoolOptionsId"`
	PrivatePoolOptionsMatchCriteria string `json:"PrivatePoolOptionsMatchCriteria"`
}

// DescribeInstanceAttachmentAttributes lists the private-pool attachments of
// the caller's instances: none, with match criteria "None". Unknown IDs are
// left out.
func (h *Handlers) DescribeInstanceAttachmentAttributes(ctx context.Context, req *DescribeInstanceAttachmentAttributesRequest) (*DescribeInstanceAttachmentAttributesResponse, error) {
	page := attributesPage(req.PageNumber, req.PageSize)
	ids, total, err := h.deps.Instances.InstanceIDs(ctx, instanceCaller(ctx), req.InstanceIds, page)
	if err != nil {
		return nil, err
	}
	resp := &DescribeInstanceAttachmentAttributesResponse{PageNumber: page.Number, PageSize: page.Size, TotalCount: total,
		Instances: AttachmentInstances{Instance: []AttachmentInstance{}}}
	for _, id := range ids {
		resp.Instances.Instance = append(resp.Instances.Instance,
			AttachmentInstance{InstanceId: id, PrivatePoolOptionsMatchCriteria: privatePoolMatchNone})
	}
	return resp, nil
}

// attributesPage is the page a PageNumber and PageSize ask for (1 and 10 by default).
func attributesPage(number, size *int) store.Page {
	p := store.Page{Number: 1, Size: attributesPageSizeDefault}
	if number != nil {
		p.Number = *number
	}
	if size != nil {
		p.Size = *size
	}
	return p
}
