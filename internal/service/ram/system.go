package ram

import (
	"time"
)

// SystemPolicy is a policy built into ecsd, the same for every account: the
// ones the guide names (AdministratorAccess, the ECS policies, the image
// import and export role policies) and a few that RAM users commonly get.
type SystemPolicy struct {
	Name, Description, Document string
}

// systemPolicyDate is when the system policies were "created" and "updated",
// as ListPolicies shows it.
var systemPolicyDate = time.Date(2015, 4, 28, 16, 12, 0, 0, time.UTC)

// systemPolicies lists the built-in policies, by name.
var systemPolicies = []SystemPolicy{
	{"AdministratorAccess", "管理所有阿里云资源的权限",
		`{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunECSFullAccess", "管理云服务器服务(ECS)的权限",
		`{"Statement":[{"Action":"ecs:*","Effect":"Allow","Resource":"*"},{"Action":["vpc:DescribeVpcs","vpc:DescribeVSwitches"],"Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunECSImageExportRolePolicy", "用于ECS服务导出镜像的角色的授权策略",
		`{"Version":"1","Statement":[{"Action":["oss:GetObject","oss:PutObject","oss:DeleteObject","oss:GetBucketLocation","oss:AbortMultipartUpload","oss:ListMultipartUploads","oss:ListParts"],"Resource":"*","Effect":"Allow"}]}`},
	{"AliyunECSImageImportRolePolicy", "用于ECS服务导入镜像的角色的授权策略",
		`{"Version":"1","Statement":[{"Action":["oss:GetObject","oss:GetBucketLocation"],"Resource":"*","Effect":"Allow"}]}`},
	{"AliyunECSReadOnlyAccess", "只读访问云服务器服务(ECS)的权限",
		`{"Statement":[{"Action":["ecs:Describe*","ecs:List*"],"Effect":"Allow","Resource":"*"},{"Action":["vpc:DescribeVpcs","vpc:DescribeVSwitches"],"Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunRAMFullAccess", "管理访问控制(RAM)的权限，即管理用户以及授权的权限",
		`{"Statement":[{"Action":"ram:*","Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunRAMReadOnlyAccess", "只读访问访问控制(RAM)的权限，即查看用户、组以及授权信息的权限",
		`{"Statement":[{"Action":["ram:Get*","ram:List*"],"Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunSTSAssumeRoleAccess", "调用STS服务AssumeRole接口的权限",
		`{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunVPCFullAccess", "管理专有网络(VPC)的权限",
		`{"Statement":[{"Action":"vpc:*","Effect":"Allow","Resource":"*"},{"Action":["ecs:CreateSecurityGroup","ecs:DescribeSecurityGroups"],"Effect":"Allow","Resource":"*"}],"Version":"1"}`},
	{"AliyunVPCReadOnlyAccess", "只读访问专有网络(VPC)的权限",
		`{"Statement":[{"Action":["vpc:Describe*","vpc:Get*","vpc:List*"],"Effect":"Allow","Resource":"*"}],"Version":"1"}`},
}

// systemPolicy returns the built-in policy with that name.
func systemPolicy(name string) (SystemPolicy, bool) {
	for _, p := range systemPolicies {
		if p.Name == name {
			return p, true
		}
	}
	return SystemPolicy{}, false
}

// SystemPolicies returns the built-in policies, by name.
func SystemPolicies() []SystemPolicy { return append([]SystemPolicy(nil), systemPolicies...) }
