package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Topology is the set of regions and zones an ecsd deployment serves.
type Topology struct {
	// DefaultRegion is the region assumed when a client sends no RegionId.
	DefaultRegion string `yaml:"defaultRegion"`
	// Regions are listed in the order DescribeRegions returns them.
	Regions []Region `yaml:"regions"`
}

// Region is one region of the topology.
type Region struct {
	// RegionID is the region ID, e.g. "cn-hangzhou".
	RegionID string `yaml:"regionId"`
	// LocalName is the region's name in Chinese (the API's default language).
	LocalName string `yaml:"localName"`
	// LocalNames holds the name in other AcceptLanguage values, e.g. "en-US".
	LocalNames map[string]string `yaml:"localNames,omitempty"`
	// Endpoint is the host[:port] clients use for this region; empty means the
	// endpoint of the server answering.
	Endpoint string `yaml:"endpoint,omitempty"`
	// Zones are the region's zones, in DescribeZones order.
	Zones []Zone `yaml:"zones"`
	// TimeZone is the UTC offset of the region's local time, ±HH:MM; empty
	// means DefaultTimeZone. Automatic snapshot policies fire at hours of it.
	TimeZone string `yaml:"timeZone,omitempty"`
}

// DefaultTimeZone is the local time of a region without a TimeZone: China
// Standard Time, the zone of the guide's Apsara Stack regions. It has no
// daylight saving time, so every local hour happens exactly once.
const DefaultTimeZone = "+08:00"

// Location returns the region's local time zone, a fixed offset.
func (r Region) Location() *time.Location {
	tz := r.TimeZone
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := parseUTCOffset(tz)
	if err != nil { // Validate refuses such a topology
		loc, _ = parseUTCOffset(DefaultTimeZone)
	}
	return loc
}

// parseUTCOffset reads ±HH:MM (at most ±14:00) as a fixed time zone named "UTC±HH:MM".
func parseUTCOffset(s string) (*time.Location, error) {
	t, err := time.Parse("-07:00", s)
	if err != nil || len(s) != 6 {
		return nil, fmt.Errorf("timeZone %q is not a UTC offset ±HH:MM", s)
	}
	_, off := t.Zone()
	if off > 14*3600 || off < -14*3600 {
		return nil, fmt.Errorf("timeZone %q is beyond ±14:00", s)
	}
	return time.FixedZone("UTC"+s, off), nil
}

// Zone is one availability zone of a region.
type Zone struct {
	// ZoneID is the zone ID; it starts with its region's ID, e.g. "cn-hangzhou-b".
	ZoneID string `yaml:"zoneId"`
	// LocalName is the zone's name in Chinese.
	LocalName string `yaml:"localName"`
	// LocalNames holds the name in other AcceptLanguage values, e.g. "en-US".
	LocalNames map[string]string `yaml:"localNames,omitempty"`
	// InstanceTypes are the instance types sold in the zone; empty means all.
	InstanceTypes []string `yaml:"instanceTypes,omitempty"`
	// DiskCategories are the cloud disk categories; empty means DefaultDiskCategories.
	DiskCategories []string `yaml:"diskCategories,omitempty"`
	// ResourceTypes are the creatable resource types; empty means DefaultResourceTypes.
	ResourceTypes []string `yaml:"resourceTypes,omitempty"`
	// Hosts is the zone's simulated physical capacity; absent means
	// DefaultHostLayout.
	Hosts *HostLayout `yaml:"hosts,omitempty"`
}

// DefaultDiskCategories returns the cloud disk categories a zone offers by
// default, which are also the only ones a topology may name.
func DefaultDiskCategories() []string {
	return []string{"cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd"}
}

// DefaultResourceTypes returns the resource types a zone can create by default
// (guide 1.17.1 AvailableResourceCreationType), also the only valid ones.
func DefaultResourceTypes() []string {
	return []string{"Instance", "Disk", "VSwitch", "IoOptimized"}
}

// Name returns the region's name in lang (an AcceptLanguage value), falling
// back to LocalName.
func (r Region) Name(lang string) string { return localName(r.LocalName, r.LocalNames, lang) }

// Name returns the zone's name in lang (an AcceptLanguage value), falling back
// to LocalName.
func (z Zone) Name(lang string) string { return localName(z.LocalName, z.LocalNames, lang) }

func localName(def string, names map[string]string, lang string) string {
	if lang == "" {
		return def
	}
	if n, ok := names[lang]; ok {
		return n
	}
	for k, n := range names {
		if strings.EqualFold(k, lang) {
			return n
		}
	}
	return def
}

// LoadTopology reads a topology from a YAML file (see
// testdata/topology.example.yaml) and checks it with Validate. Unknown keys are
// errors. Instance-type names are checked later, by New.
func LoadTopology(path string) (Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Topology{}, fmt.Errorf("topology: %w", err)
	}
	t, err := ParseTopology(data)
	if err != nil {
		return Topology{}, fmt.Errorf("topology %s: %w", path, err)
	}
	return t, nil
}

// ParseTopology decodes a YAML topology and checks it with Validate.
func ParseTopology(data []byte) (Topology, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var t Topology
	if err := dec.Decode(&t); err != nil {
		return Topology{}, err
	}
	if err := t.Validate(); err != nil {
		return Topology{}, err
	}
	return t, nil
}

// Validate checks the topology's structure: at least one region, each with at
// least one zone; unique, well-formed IDs; every zone ID starting with its
// region's ID; a default region that exists; only known disk categories and
// resource types; host layouts with positive numbers. It reports every problem
// found, joined.
func (t Topology) Validate() error {
	var errs []error
	if len(t.Regions) == 0 {
		errs = append(errs, errors.New("no regions"))
	}
	regions := map[string]bool{}
	zones := map[string]string{}
	for i, r := range t.Regions {
		where := fmt.Sprintf("region #%d %q", i+1, r.RegionID)
		if !validID(r.RegionID) {
			errs = append(errs, fmt.Errorf("%s: regionId must be lower-case letters, digits and dashes", where))
		} else if regions[r.RegionID] {
			errs = append(errs, fmt.Errorf("%s: listed twice", where))
		}
		regions[r.RegionID] = true
		if r.TimeZone != "" {
			if _, err := parseUTCOffset(r.TimeZone); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
			}
		}
		if len(r.Zones) == 0 {
			errs = append(errs, fmt.Errorf("%s: no zones", where))
		}
		for _, z := range r.Zones {
			errs = append(errs, validateZone(r.RegionID, z, zones)...)
		}
	}
	if t.DefaultRegion == "" {
		errs = append(errs, errors.New("defaultRegion is not set"))
	} else if !regions[t.DefaultRegion] {
		errs = append(errs, fmt.Errorf("defaultRegion %q is not one of the regions", t.DefaultRegion))
	}
	return errors.Join(errs...)
}

// validateZone checks one zone; seen maps zone IDs already found to their region.
func validateZone(regionID string, z Zone, seen map[string]string) []error {
	where := fmt.Sprintf("zone %q", z.ZoneID)
	var errs []error
	switch {
	case !validID(z.ZoneID):
		errs = append(errs, fmt.Errorf("%s: zoneId must be lower-case letters, digits and dashes", where))
	case len(z.ZoneID) <= len(regionID) || !strings.HasPrefix(z.ZoneID, regionID):
		errs = append(errs, fmt.Errorf("%s: does not belong to region %q (a zone ID starts with its region ID, e.g. %s-a)",
			where, regionID, regionID))
	case seen[z.ZoneID] != "":
		errs = append(errs, fmt.Errorf("%s: listed twice (regions %q and %q)", where, seen[z.ZoneID], regionID))
	}
	seen[z.ZoneID] = regionID
	errs = append(errs, checkList(where, "diskCategories", z.DiskCategories, DefaultDiskCategories())...)
	errs = append(errs, checkList(where, "resourceTypes", z.ResourceTypes, DefaultResourceTypes())...)
	errs = append(errs, checkList(where, "instanceTypes", z.InstanceTypes, nil)...)
	if z.Hosts != nil {
		errs = append(errs, z.Hosts.validate(where)...)
	}
	return errs
}

// checkList reports duplicates and, when allowed is not nil, values outside it.
func checkList(where, field string, values, allowed []string) []error {
	var errs []error
	for i, v := range values {
		if allowed != nil && !slices.Contains(allowed, v) {
			errs = append(errs, fmt.Errorf("%s: %s: unknown value %q (valid: %s)",
				where, field, v, strings.Join(allowed, ", ")))
		}
		if slices.Contains(values[:i], v) {
			errs = append(errs, fmt.Errorf("%s: %s: %q listed twice", where, field, v))
		}
	}
	return errs
}

func validID(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// DefaultTopology is the built-in topology: five mainland-China regions with
// their real names and two or three zones each, every zone offering every
// instance type, the default disk categories and resource types. The default
// region is cn-hangzhou.
func DefaultTopology() Topology {
	return Topology{
		DefaultRegion: "cn-hangzhou",
		Regions: []Region{
			defaultRegion("cn-qingdao", "华北1（青岛）", "China (Qingdao)", "华北 1", "Qingdao", "b", "c"),
			defaultRegion("cn-beijing", "华北2（北京）", "China (Beijing)", "华北 2", "Beijing", "a", "c", "g"),
			defaultRegion("cn-hangzhou", "华东1（杭州）", "China (Hangzhou)", "华东 1", "Hangzhou", "b", "g", "h"),
			defaultRegion("cn-shanghai", "华东2（上海）", "China (Shanghai)", "华东 2", "Shanghai", "b", "e", "g"),
			defaultRegion("cn-shenzhen", "华南1（深圳）", "China (Shenzhen)", "华南 1", "Shenzhen", "a", "d", "e"),
		},
	}
}

func defaultRegion(id, zh, en, zhArea, enCity string, zoneLetters ...string) Region {
	r := Region{RegionID: id, LocalName: zh, LocalNames: map[string]string{"en-US": en}}
	for _, l := range zoneLetters {
		up := strings.ToUpper(l)
		r.Zones = append(r.Zones, Zone{
			ZoneID:         id + "-" + l,
			LocalName:      zhArea + " 可用区 " + up,
			LocalNames:     map[string]string{"en-US": enCity + " Zone " + up},
			DiskCategories: DefaultDiskCategories(),
			ResourceTypes:  DefaultResourceTypes(),
		})
	}
	return r
}
