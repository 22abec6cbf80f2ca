// Package wire decodes the parameters of an RPC-style API call into a typed request
// struct. It is the only place that knows how Alibaba Cloud clients flatten values
// onto the wire (see ../shared/research/clients.md §2 and §5):
//
//   - parameters come from the URL query and the form body together (Params);
//   - lists are `Name.N` (1-based): `SecurityGroupIds.1=sg-1`;
//   - lists of structs are `Name.N.Field`: `DataDisk.2.Size=100`, nested lists
//     `NetworkInterface.1.SecurityGroupIds.1`;
//   - struct fields are literal dotted names: `SystemDisk.Category`;
//   - maps are `Name.Key` (and the SDK's `Name.#<len>#<key>` form);
//   - some lists arrive as one JSON-array string: `InstanceIds=["i-1","i-2"]`;
//   - booleans are `true`/`false`, numbers are decimal strings.
//
// A request struct declares its parameters with a `param` tag:
//
//	type RunInstancesRequest struct {
//		RegionId         string            `param:"RegionId"`
//		ImageId          string            `param:"ImageId,required"`
//		Amount           *int              `param:"Amount" min:"1" max:"100"`
//		InstanceIds      []string          `param:"InstanceIds,json" maxItems:"100"`
//		SecurityGroupIds []string          `param:"SecurityGroupIds"`
//		SystemDisk       SystemDiskParam   `param:"SystemDisk"`
//		DataDisk         []DataDiskParam   `param:"DataDisk" maxItems:"16"`
//		Tag              []TagParam        `param:"Tag" maxItems:"20"`
//		DryRun           bool              `param:"DryRun"`
//		Category         string            `param:"Category" enum:"cloud|cloud_efficiency|cloud_ssd"`
//	}
//
// Tag options: `required` (absent or empty → MissingParameter), `json` (the list may
// also arrive as a JSON-array string). Extra tags: `min`/`max` (numbers), `maxItems`
// (lists), `enum` (`|`-separated allowed values, case-sensitive), `maxLen` (strings).
// Pointers mean "optional, and we need to know whether it was sent".
//
// Decode reports the first problem as a *Error whose Kind says what went wrong; the
// API layer turns it into the guide's MissingParameter / InvalidParameter answer.
package wire
