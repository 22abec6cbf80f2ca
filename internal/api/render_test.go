package api

import (
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

func TestChooseFormatPrefersFormatThenAcceptThenXML(t *testing.T) {
	cases := []struct{ format, accept, want string }{
		{"JSON", "", formatJSON},
		{"json", "application/xml", formatJSON},
		{"xml", "application/json", formatXML},
		{"Xml", "", formatXML},
		{"", "application/json", formatJSON},
		{"", "text/xml", formatXML},
		{"", "application/xml;q=0.9, application/json", formatXML},
		{"", "*/*", formatXML},
		{"", "", formatXML},
		{"yaml", "application/json", formatJSON},
	}
	for _, c := range cases {
		if got := chooseFormat(c.format, c.accept); got != c.want {
			t.Errorf("chooseFormat(%q, %q) = %s, want %s", c.format, c.accept, got, c.want)
		}
	}
}

func TestWithRequestIDPutsRequestIdFirst(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:                       `{"RequestId":"R"}`,
		`{"A":1}`:                  `{"RequestId":"R","A":1}`,
		` { "A" : [1,2] , "B":{}}`: `{"RequestId":"R","A" : [1,2] , "B":{}}`,
	} {
		if got := string(withRequestID([]byte(in), "R")); got != want {
			t.Errorf("withRequestID(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestJSONToXMLRepeatsArrayItemsUnderTheirKey(t *testing.T) {
	in := `{"RequestId":"R","Regions":{"Region":[{"RegionId":"a<b"},{"RegionId":"c"}]},` +
		`"Zone":{"DiskCategories":["cloud","cloud_ssd"],"Empty":[],"Count":3,"Ok":true,"Nothing":null}}`
	out, err := jsonToXML([]byte(in), "DescribeRegionsResponse")
	if err != nil {
		t.Fatal(err)
	}
	want := xml.Header + `<DescribeRegionsResponse><RequestId>R</RequestId><Regions><Region><RegionId>a&lt;b</RegionId></Region>` +
		`<Region><RegionId>c</RegionId></Region></Regions><Zone><DiskCategories>cloud</DiskCategories>` +
		`<DiskCategories>cloud_ssd</DiskCategories><Count>3</Count><Ok>true</Ok><Nothing></Nothing></Zone></DescribeRegionsResponse>`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	// The SDKs decode XML with encoding/xml into the same structs as JSON.
	var doc struct {
		Regions struct {
			Region []struct{ RegionId string }
		}
		Zone struct {
			DiskCategories []string
			Count          int
			Ok             bool
		}
	}
	if err := xml.Unmarshal(out, &doc); err != nil || len(doc.Regions.Region) != 2 || doc.Zone.Count != 3 || !doc.Zone.Ok ||
		len(doc.Zone.DiskCategories) != 2 || doc.Regions.Region[0].RegionId != "a<b" {
		t.Fatalf("round trip: %+v %v", doc, err)
	}
}

func TestErrorEnvelopeHasTheGuideFieldsInBothFormats(t *testing.T) {
	e := apierr.NotFound("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
	rec := httptest.NewRecorder()
	writeError(rec, formatJSON, "RID", "ecs.example", e)
	if rec.Code != 404 || rec.Header().Get("Content-Type") != contentTypeJSON {
		t.Fatalf("status %d, content type %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
		if _, ok := body[k].(string); !ok {
			t.Errorf("error field %s missing or not a string: %s", k, rec.Body)
		}
	}
	rec = httptest.NewRecorder()
	writeError(rec, formatXML, "RID", "ecs.example", e)
	if rec.Header().Get("Content-Type") != contentTypeXML || !strings.Contains(rec.Body.String(), "<Error><RequestId>RID</RequestId>") {
		t.Fatalf("XML error: %s %s", rec.Header().Get("Content-Type"), rec.Body)
	}
}
