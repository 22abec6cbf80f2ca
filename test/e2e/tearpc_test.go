package e2e

import (
	"testing"

	rpc "github.com/alibabacloud-go/tea-rpc/client"
	util "github.com/alibabacloud-go/tea-utils/service"
	"github.com/alibabacloud-go/tea/tea"
)

// terraformRPC calls ecsd the way terraform-provider-alicloud's client.RpcPost does:
// tea-rpc, signature V1, common parameters in the query, business parameters in a
// form body, Format=json.
func terraformRPC(t *testing.T, s *server, secret, version, action string, body map[string]any) (map[string]any, error) {
	t.Helper()
	c, err := rpc.NewClient(&rpc.Config{
		AccessKeyId:     tea.String(testAccessKeyID),
		AccessKeySecret: tea.String(secret),
		RegionId:        tea.String("cn-hangzhou"),
		Endpoint:        tea.String(s.addr),
		Protocol:        tea.String("HTTP"),
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime := &util.RuntimeOptions{Autoretry: tea.Bool(false)}
	return c.DoRequest(tea.String(action), tea.String("HTTP"), tea.String("POST"), tea.String(version),
		tea.String("AK"), nil, body, runtime)
}

func TestTerraformTransportPostsBusinessParametersInTheFormBody(t *testing.T) {
	s := startServer(t, serverOptions{})
	resp, err := terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeZones", map[string]any{"RegionId": "cn-beijing"})
	if err != nil {
		t.Fatalf("DescribeZones: %v", err)
	}
	zones, _ := resp["Zones"].(map[string]any)
	if list, _ := zones["Zone"].([]any); len(list) < 2 {
		t.Fatalf("DescribeZones = %v", resp)
	}
	// Terraform type-asserts raw values: numbers must be JSON numbers.
	resp, err = terraformRPC(t, s, testAccessKeySecret, "2014-05-26", "DescribeInstanceTypes",
		map[string]any{"InstanceTypeFamily": "ecs.g5"})
	if err != nil {
		t.Fatalf("DescribeInstanceTypes: %v", err)
	}
	types := resp["InstanceTypes"].(map[string]any)["InstanceType"].([]any)
	first := types[0].(map[string]any)
	if _, isString := first["CpuCoreCount"].(string); isString || first["CpuCoreCount"] == nil {
		t.Fatalf("CpuCoreCount is %T %v, want a JSON number", first["CpuCoreCount"], first["CpuCoreCount"])
	}
	if _, err := terraformRPC(t, s, testAccessKeySecret, "2016-04-28", "DescribeZones", map[string]any{"RegionId": "cn-hangzhou"}); err != nil {
		t.Fatalf("VPC DescribeZones: %v", err)
	}
	_, err = terraformRPC(t, s, "wrong", "2014-05-26", "DescribeRegions", map[string]any{})
	if code, status := teaError(t, err); code != "SignatureDoesNotMatch" || status != 400 {
		t.Fatalf("wrong secret: %d %s", status, code)
	}
}
