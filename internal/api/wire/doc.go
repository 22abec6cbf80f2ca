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
//		PrivatePoolId    string            `param:"PrivatePoolOptions.Id"`
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
//
// # Field types
//
// A tagged field is a scalar (string, bool, any int, uint or float type, named
// types included), a pointer to a scalar, a slice of scalars, a struct, a pointer
// to a struct, a slice of structs, or a map from a string type to a scalar. A
// tag name may itself contain dots (`PrivatePoolOptions.Id`), also next to a
// struct or list field with the same first part: keys under a sibling's literal
// name are not the struct's, list's or map's. Untagged fields and `param:"-"` are
// ignored, except untagged embedded structs, whose fields are promoted. Anything
// else (or a bad tag) is a programmer error: Decode and Encode panic the first
// time they see the type, and cache its checked plan.
//
// # Presence and empty values
//
// Unknown parameters (AccessKeyId, Signature, Format …) are ignored, and so is
// any field whose parameter is absent: Decode leaves it as it was, so callers may
// preset defaults. An empty value is absent, except for a `*string`, which becomes
// a pointer to "" (`Description=` clears a description); SDKs send `SignatureType=`
// and some clients send empty optional parameters. Empty strings skip enum and
// maxLen. `required` fails on an absent or empty value, a list or map with no
// items, or a struct with no parameter under its prefix. A struct (value or
// pointer) or a list item exists when at least one key lies under its prefix
// (`DataDisk.3.` …), even an unknown one; the required fields of a value struct
// are therefore always required, those of a pointer struct or list item only
// once it exists.
//
// # Lists
//
// N must be a canonical positive decimal: `Tag.0.Key`, `Tag.x.Key`, `Tag.01.Key`,
// `Tag..Key` and `Tag.-1.Key` fail with KindMalformedList (any key under the
// list's prefix is checked, also `Tag.Key`). Items are ordered by N numerically
// and gaps are closed up (`Ports.3`, `Ports.7` → two items), as clients such as
// Terraform may skip indices. N is never converted to an integer, so
// `Tag.99999999999999999999.Key` costs nothing. More distinct indices than
// maxItems (default 1000) fail with KindTooMany. A scalar list reads only `Name.N`
// keys and a struct list only `Name.N.Field` keys; an empty number or boolean item
// is dropped, an empty string item kept. Errors name the item as sent:
// `DataDisk.7.Size`, `Tag.3.Key`.
//
// # JSON values
//
// With the `json` option a list (and likewise a struct or map) may arrive as one
// JSON string in its bare parameter: `InstanceIds=["i-1","i-2"]`,
// `DataDisk=[{"Size":100}]`, `Opts={"Id":"x"}`. The JSON form wins when it is
// non-empty; otherwise the flat form is read. A JSON value is flattened the way
// the Tea SDKs flatten request models (array items `Name.N`, object members
// `Name.Member`, nulls dropped, numbers and booleans as their text) and then
// decoded like flat parameters, so the same rules apply and errors name the
// flattened parameter (`DataDisk.2.Size`). A list must be an array (of objects
// for a struct list, of strings, numbers or booleans otherwise), a struct or map
// an object; otherwise, or on bad JSON, KindInvalid names the bare parameter.
// `[{}]` is one zero item. Nesting deeper than 32 and more than 10000 values in
// one parameter are refused.
//
// # Maps
//
// `Labels.env=prod` sets key "env"; everything after the prefix is the key, dots
// included. The Go SDK's Map form `Labels.#3#env` (the key's byte length between
// '#') is decoded too; when both forms name one key, the SDK form wins.
//
// # Values
//
// Booleans are "true" or "false" in any case. Integers are decimal with an
// optional sign; out of the type's range is KindInvalid. Floats are what
// strconv.ParseFloat accepts, except NaN and infinities. Strings must be valid
// UTF-8. `min`/`max` are inclusive and apply to numbers, also inside lists and
// maps; `enum` and `maxLen` (in runes) to strings likewise.
//
// Encode is the mirror image, used by `ecsd call` and tests: it flattens a struct
// into url.Values so that Decode(Encode(x)) == x, except that items and pointer
// structs whose fields are all zero are dropped.
package wire
