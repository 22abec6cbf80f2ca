package ecs

import (
	"strings"
	"testing"
)

func TestDescribeInstanceVncUrlAnswersAConsoleURLOfThisServer(t *testing.T) {
	e := newAttrEnv(t)
	inst := e.instance(t, 0)
	resp, err := attrCall(t, "InstanceId="+inst, e.h.DescribeInstanceVncUrl)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, resp, "DescribeInstanceVncUrlResponse", "DescribeInstanceVncUrlResponseBody")
	if !strings.HasPrefix(resp.VncUrl, "ws://"+testEndpoint+"/console/vnc?token=") {
		t.Errorf("DescribeInstanceVncUrl = %s", body)
	}
	e.stop(t, inst)
	_, err = attrCall(t, "InstanceId="+inst, e.h.DescribeInstanceVncUrl)
	assertAPIError(t, err, "IncorrectInstanceStatus", 403)
	_, err = attrCall(t, "InstanceId=i-nope", e.h.DescribeInstanceVncUrl)
	assertAPIError(t, err, "InvalidInstanceId.NotFound", 404)
}
