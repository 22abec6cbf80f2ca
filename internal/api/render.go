package api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// Response formats.
const (
	formatJSON = "JSON"
	formatXML  = "XML"
)

// Content types, exactly as clients expect them (the Tea SDK parses an XML error body
// only when the Content-Type is exactly text/xml;charset=utf-8).
const (
	contentTypeJSON = "application/json;charset=utf-8"
	contentTypeXML  = "text/xml;charset=utf-8"
)

// chooseFormat picks the response format: the Format parameter (case-insensitive)
// first, then the Accept header, and XML (the guide's default, 1.2.5) when neither
// asks for one. The Tea SDK's V3 requests send no Format but Accept: application/json.
func chooseFormat(formatParam, accept string) string {
	switch strings.ToUpper(strings.TrimSpace(formatParam)) {
	case formatJSON:
		return formatJSON
	case formatXML:
		return formatXML
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch {
		case mt == "application/json" || strings.HasSuffix(mt, "+json"):
			return formatJSON
		case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
			return formatXML
		}
	}
	return formatXML
}

// errorBody is the guide's error envelope (1.2.5), all strings.
type errorBody struct {
	RequestId string `json:"RequestId"`
	HostId    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// Bare is implemented by the responses of the guide's snake_case back-end
// actions (migrate_disk, query_load_progress, 1.7.11–1.7.12), which answer
// their own JSON object ({"code":…,"msg":…}) and nothing else: no RequestId
// member (it is still in the x-acs-request-id header), JSON whatever Format
// asks for, HTTP 200 whatever the code says.
type Bare interface {
	// BareResponse marks the type; it is never called.
	BareResponse()
}

// writeSuccess renders a handler's response with RequestId first.
func writeSuccess(w http.ResponseWriter, format, action, requestID string, resp any) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode %s response: %w", action, err)
	}
	if _, bare := resp.(Bare); bare {
		writeBody(w, formatJSON, http.StatusOK, requestID, body)
		return nil
	}
	body = withRequestID(body, requestID)
	if format == formatXML {
		if body, err = jsonToXML(body, action+"Response"); err != nil {
			return fmt.Errorf("render %s response as XML: %w", action, err)
		}
	}
	writeBody(w, format, http.StatusOK, requestID, body)
	return nil
}

// writeError renders the error envelope with the error's HTTP status.
func writeError(w http.ResponseWriter, format, requestID, hostID string, e *apierr.Error) {
	eb := errorBody{RequestId: requestID, HostId: hostID, Code: e.Code, Message: e.Message, Recommend: e.Recommend}
	body, _ := json.Marshal(eb) // a struct of strings always encodes
	if format == formatXML {
		body, _ = jsonToXML(body, "Error")
	}
	writeBody(w, format, e.HTTPStatus, requestID, body)
}

func writeBody(w http.ResponseWriter, format string, status int, requestID string, body []byte) {
	h := w.Header()
	if format == formatXML {
		h.Set("Content-Type", contentTypeXML)
	} else {
		h.Set("Content-Type", contentTypeJSON)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-acs-request-id", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// withRequestID puts "RequestId" first into a JSON object.
func withRequestID(obj []byte, requestID string) []byte {
	id, _ := json.Marshal(requestID)
	out := make([]byte, 0, len(obj)+len(id)+16)
	out = append(out, `{"RequestId":`...)
	out = append(out, id...)
	rest := bytes.TrimSpace(obj)
	if len(rest) >= 2 && rest[0] == '{' {
		if inner := bytes.TrimSpace(rest[1 : len(rest)-1]); len(inner) > 0 {
			out = append(out, ',')
			out = append(out, inner...)
		}
	}
	return append(out, '}')
}

// jsonToXML converts a JSON object into the XML the guide shows: the object's
// members become child elements of root, in order; an array becomes one element per
// item, each named after the array's key; null becomes an empty element.
func jsonToXML(data []byte, root string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("response is not a JSON object")
	}
	buf.WriteString("<" + root + ">")
	if err := xmlObjectMembers(dec, &buf); err != nil {
		return nil, err
	}
	buf.WriteString("</" + root + ">")
	return buf.Bytes(), nil
}

// xmlObjectMembers writes the members of an object whose '{' was consumed, up to and
// including its '}'.
func xmlObjectMembers(dec *json.Decoder, buf *bytes.Buffer) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("object key %v is not a string", tok)
		}
		if err := xmlValue(dec, buf, key); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// xmlValue writes the next JSON value as element(s) named name.
func xmlValue(dec *json.Decoder, buf *bytes.Buffer, name string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			buf.WriteString("<" + name + ">")
			if err := xmlObjectMembers(dec, buf); err != nil {
				return err
			}
			buf.WriteString("</" + name + ">")
		case '[':
			for dec.More() {
				if err := xmlValue(dec, buf, name); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ']'
			return err
		default:
			return fmt.Errorf("unexpected %v", v)
		}
	default:
		buf.WriteString("<" + name + ">")
		if tok != nil {
			if err := xml.EscapeText(buf, []byte(scalarText(tok))); err != nil {
				return err
			}
		}
		buf.WriteString("</" + name + ">")
	}
	return nil
}

func scalarText(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(tok)
}

// readBody reads at most limit bytes of the request body.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errBodyTooLarge
	}
	return data, nil
}

var errBodyTooLarge = errors.New("request body too large")
