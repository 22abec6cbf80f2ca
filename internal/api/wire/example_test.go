package wire_test

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/ecsd/ecsd/internal/api/wire"
)

type exampleDisk struct {
	Size     int    `param:"Size" min:"20"`
	Category string `param:"Category" enum:"cloud|cloud_essd"`
}

type exampleRequest struct {
	ImageId     string        `param:"ImageId,required"`
	Amount      *int          `param:"Amount" min:"1" max:"100"`
	InstanceIds []string      `param:"InstanceIds,json" maxItems:"100"`
	DataDisk    []exampleDisk `param:"DataDisk" maxItems:"16"`
}

func ExampleDecode() {
	query, _ := url.ParseQuery("Action=RunInstances&ImageId=m-1&DataDisk.2.Size=200&DataDisk.1.Size=100")
	form, _ := url.ParseQuery(`InstanceIds=["i-1","i-2"]`)

	var r exampleRequest
	if err := wire.Decode(wire.Merge(query, form), &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.ImageId, r.Amount == nil, r.InstanceIds, r.DataDisk)

	err := wire.Decode(wire.Params{"ImageId": {"m-1"}, "DataDisk.3.Size": {"10"}}, &r)
	var e *wire.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Param, e.Value)
	}
	// Output:
	// m-1 true [i-1 i-2] [{100 } {200 }]
	// invalid DataDisk.3.Size 10
}

func ExampleEncode() {
	v, _ := wire.Encode(exampleRequest{ImageId: "m-1", InstanceIds: []string{"i-1"},
		DataDisk: []exampleDisk{{Size: 40, Category: "cloud_essd"}}})
	fmt.Println(v.Encode())
	// Output:
	// DataDisk.1.Category=cloud_essd&DataDisk.1.Size=40&ImageId=m-1&InstanceIds=%5B%22i-1%22%5D
}
