package authz

// guide is a row of guide 1.3's table; natural a rule for an action the table
// does not list, derived from the resources its parameters name the same way
// the table does (creations check type/*, listings type/*, an action on a
// resource that resource, lists every item).
func guide(name string, resources ...string) RuleSpec {
	return RuleSpec{Name: name, Resources: resources, Guide: true}
}

func natural(name string, resources ...string) RuleSpec {
	return RuleSpec{Name: name, Resources: resources}
}

// ECSVersion is the ECS API version.
const ECSVersion = "2014-05-26"

// ECSRules are the rules of ECS 2014-05-26: every action of the guide, the
// SDK-only actions ecsd serves, and the guide table's rows for ECS actions
// ecsd does not route yet.
func ECSRules() APIRules {
	return APIRules{Version: ECSVersion, ActionPrefix: "ecs", ResourceService: "ecs", Rules: []RuleSpec{
		// Instances (1.5).
		natural("RunInstances", "instance/*", "securitygroup/{SecurityGroupId}?", "securitygroup/{SecurityGroupIds[]}?",
			"image/{ImageId}?", "snapshot/{DataDisk.N.SnapshotId}?", "keypair/{KeyPairName}?"),
		guide("CreateInstance", "instance/*", "securitygroup/{SecurityGroupId}", "image/{ImageId}",
			"snapshot/{DataDisk.N.SnapshotId}?"),
		guide("StartInstance", "instance/{InstanceId}"),
		guide("StopInstance", "instance/{InstanceId}"),
		guide("RebootInstance", "instance/{InstanceId}"),
		guide("DeleteInstance", "instance/{InstanceId}"),
		natural("AttachInstanceRamRole", "instance/{InstanceIds[]}"),
		natural("DetachInstanceRamRole", "instance/{InstanceIds[]}"),
		guide("DescribeInstanceStatus", "instance/*"),
		guide("DescribeInstances", "instance/*"),
		natural("DescribeUserData", "instance/{InstanceId}"),
		natural("DescribeInstanceRamRole", "instance/*"),
		natural("DescribeInstanceTypeFamilies", "global:*"),
		guide("DescribeInstanceTypes", "global:*"),
		guide("ModifyInstanceAttribute", "instance/{InstanceId}"),
		guide("ModifyInstanceVpcAttribute", "instance/{InstanceId}"),
		natural("ModifyInstanceVncPasswd", "instance/{InstanceId}"),
		guide("DescribeInstanceVncUrl", "instance/{InstanceId}"),
		natural("GetInstanceConsoleOutput", "instance/{InstanceId}"),
		natural("DescribeInstanceAttribute", "instance/{InstanceId}"),
		natural("DescribeInstanceMaintenanceAttributes", "instance/*"),
		natural("DescribeInstanceAttachmentAttributes", "instance/*"),
		natural("DescribeAvailableResource", "*"),
		// Deployment sets (1.6).
		natural("CreateDeploymentSet", "deploymentset/*"),
		natural("DeleteDeploymentSet", "deploymentset/{DeploymentSetId}"),
		natural("ModifyDeploymentSetAttribute", "deploymentset/{DeploymentSetId}"),
		natural("DescribeDeploymentSets", "deploymentset/*"),
		natural("DescribeDeploymentSetTopology", "deploymentset/{DeploymentSetId}"),
		// Disks (1.7).
		guide("CreateDisk", "disk/*", "snapshot/{SnapshotId}?"),
		guide("DescribeDisks", "disk/*"),
		guide("AttachDisk", "disk/{DiskId}", "instance/{InstanceId}"),
		guide("DetachDisk", "disk/{DiskId}", "instance/{InstanceId}"),
		guide("ModifyDiskAttribute", "disk/{DiskId}"),
		guide("ReInitDisk", "disk/{DiskId}"),
		guide("ResetDisk", "snapshot/{SnapshotId}", "disk/{DiskId}"),
		// The guide: the image only when it is a custom one; ecsd checks it
		// whenever ImageId is given (a policy allowing image/* covers both).
		guide("ReplaceSystemDisk", "instance/{InstanceId}", "image/{ImageId}?"),
		natural("ResizeDisk", "disk/{DiskId}"),
		guide("DeleteDisk", "disk/{DiskId}"),
		natural("migrate_disk", "disk/{disk_id}"),
		natural("query_load_progress", "disk/{disk_id}"),
		// Snapshots (1.8) and automatic snapshot policies (1.9).
		guide("CreateSnapshot", "disk/{DiskId}", "snapshot/*"),
		guide("DeleteSnapshot", "snapshot/{SnapshotId}"),
		guide("DescribeSnapshots", "snapshot/*"),
		guide("ModifySnapshotAttribute", "snapshot/{SnapshotId}"),
		natural("ImportSnapshot", "snapshot/*"),
		natural("ExportSnapshot", "snapshot/{SnapshotId}"),
		natural("DescribeSnapshotLinks", "snapshot/*"),
		guide("DescribeAutoSnapshotPolicy", "global:snapshot/*"),
		guide("ModifyAutoSnapshotPolicy", "global:snapshot/*"),
		natural("CreateAutoSnapshotPolicy", "autosnapshotpolicy/*"),
		natural("DeleteAutoSnapshotPolicy", "autosnapshotpolicy/{AutoSnapshotPolicyId}"),
		natural("ModifyAutoSnapshotPolicyEx", "autosnapshotpolicy/{AutoSnapshotPolicyId}"),
		natural("DescribeAutoSnapshotPolicyEx", "autosnapshotpolicy/*"),
		natural("ApplyAutoSnapshotPolicy", "autosnapshotpolicy/{AutoSnapshotPolicyId}", "disk/{DiskIds[]}"),
		natural("CancelAutoSnapshotPolicy", "disk/{DiskIds[]}"),
		// Images (1.10). The guide checks snapshot/$snapshotid for CreateImage,
		// which then could only be made from a snapshot; an image made from an
		// instance or a disk mapping checks those instead.
		guide("CreateImage", "image/*", "snapshot/{SnapshotId}?", "instance/{InstanceId}?",
			"snapshot/{DiskDeviceMapping.N.SnapshotId}?"),
		guide("DescribeImages", "image/*"),
		natural("ModifyImageAttribute", "image/{ImageId}"),
		guide("DeleteImage", "image/{ImageId}"),
		natural("CopyImage", "image/{ImageId}"),
		natural("CancelCopyImage", "image/{ImageId}"),
		natural("ModifyImageSharePermission", "image/{ImageId}"),
		natural("DescribeImageSharePermission", "image/{ImageId}"),
		natural("ImportImage", "image/*"),
		natural("ExportImage", "image/{ImageId}"),
		// Network (1.11).
		guide("AllocatePublicIpAddress", "instance/{InstanceId}"),
		guide("ModifyInstanceNetworkSpec", "instance/{InstanceId}"),
		// Security groups (1.12).
		guide("CreateSecurityGroup", "securitygroup/*"),
		guide("AuthorizeSecurityGroup", "securitygroup/{SecurityGroupId}", "securitygroup/{SourceGroupId}?"),
		natural("AuthorizeSecurityGroupEgress", "securitygroup/{SecurityGroupId}", "securitygroup/{DestGroupId}?"),
		guide("RevokeSecurityGroup", "securitygroup/{SecurityGroupId}", "securitygroup/{SourceGroupId}?"),
		natural("RevokeSecurityGroupEgress", "securitygroup/{SecurityGroupId}", "securitygroup/{DestGroupId}?"),
		guide("JoinSecurityGroup", "instance/{InstanceId}", "securitygroup/{SecurityGroupId}"),
		guide("LeaveSecurityGroup", "instance/{InstanceId}", "securitygroup/{SecurityGroupId}"),
		guide("DeleteSecurityGroup", "securitygroup/{SecurityGroupId}"),
		guide("DescribeSecurityGroupAttribute", "securitygroup/{SecurityGroupId}"),
		guide("DescribeSecurityGroups", "securitygroup/*"),
		natural("DescribeSecurityGroupReferences", "securitygroup/{SecurityGroupId[]}"),
		guide("ModifySecurityGroupAttribute", "securitygroup/{SecurityGroupId}"),
		natural("ModifySecurityGroupPolicy", "securitygroup/{SecurityGroupId}"),
		natural("ModifySecurityGroupRule", "securitygroup/{SecurityGroupId}", "securitygroup/{SourceGroupId}?"),
		// Key pairs (1.13): a key pair's name is its ID.
		natural("CreateKeyPair", "keypair/*"),
		natural("ImportKeyPair", "keypair/*"),
		natural("AttachKeyPair", "keypair/{KeyPairName}", "instance/{InstanceIds[]}"),
		natural("DetachKeyPair", "keypair/{KeyPairName}", "instance/{InstanceIds[]}"),
		natural("DeleteKeyPairs", "keypair/{KeyPairNames[]}"),
		natural("DescribeKeyPairs", "keypair/*"),
		// Elastic network interfaces (1.14).
		natural("CreateNetworkInterface", "networkinterface/*", "securitygroup/{SecurityGroupId}?"),
		natural("AttachNetworkInterface", "networkinterface/{NetworkInterfaceId}", "instance/{InstanceId}"),
		natural("DescribeNetworkInterfaces", "networkinterface/*"),
		natural("DetachNetworkInterface", "networkinterface/{NetworkInterfaceId}", "instance/{InstanceId}"),
		natural("DeleteNetworkInterface", "networkinterface/{NetworkInterfaceId}"),
		natural("ModifyNetworkInterfaceAttribute", "networkinterface/{NetworkInterfaceId}",
			"securitygroup/{SecurityGroupId[]}?"),
		// Regions (1.15) and tags (1.16): the tagged resource itself.
		guide("DescribeRegions", "global:*"),
		guide("DescribeZones", "global:*"),
		natural("AddTags", "{ResourceType|lower}/{ResourceId}"),
		natural("RemoveTags", "{ResourceType|lower}/{ResourceId}"),
		natural("DescribeTags", "*"),
		natural("TagResources", "{ResourceType|lower}/{ResourceId[]}"),
		natural("UntagResources", "{ResourceType|lower}/{ResourceId[]}"),
		natural("ListTagResources", "*"),
		// Tasks.
		natural("DescribeTasks", "task/*"),
		natural("DescribeTaskAttribute", "task/{TaskId}"),
		natural("CancelTask", "task/{TaskId}"),
	}}
}

// ramAuthorizable are the actions guide 1.2.3 says RAM can authorize on ECS
// resources: the only ones a RAM user may send ResourceOwnerAccount to (1.4).
var ramAuthorizable = map[string]bool{
	"AllocatePublicIpAddress": true, "AttachDisk": true, "AuthorizeSecurityGroup": true, "CreateDisk": true,
	"CreateImage": true, "CreateInstance": true, "CreateSecurityGroup": true, "CreateSnapshot": true,
	"DeleteDisk": true, "DeleteImage": true, "DeleteInstance": true, "DeleteSecurityGroup": true,
	"DeleteSnapshot": true, "DescribeAutoSnapshotPolicy": true, "DescribeDisks": true, "DescribeImages": true,
	"DescribeInstances": true, "DescribeInstanceStatus": true, "DescribeInstanceTypes": true,
	"DescribeRegions": true, "DescribeSecurityGroupAttribute": true, "DescribeSecurityGroups": true,
	"DescribeSnapshots": true, "DescribeZones": true, "DetachDisk": true, "JoinSecurityGroup": true,
	"LeaveSecurityGroup": true, "ModifyAutoSnapshotPolicy": true, "ModifyDiskAttribute": true,
	"ModifyInstanceAttribute": true, "ModifyInstanceVpcAttribute": true, "ModifyInstanceNetworkSpec": true,
	"RebootInstance": true, "ReplaceSystemDisk": true, "ReInitDisk": true, "ResetDisk": true,
	"RevokeSecurityGroup": true, "StartInstance": true, "StopInstance": true,
}
