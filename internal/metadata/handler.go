package metadata

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Header names of the token mode, as Alibaba Cloud spells them.
const (
	TokenHeader    = "X-aliyun-ecs-metadata-token"
	TokenTTLHeader = "X-aliyun-ecs-metadata-token-ttl-seconds"
	// MaxTokenTTL is the longest a token lives (6 hours); the shortest is 1 second.
	MaxTokenTTL = 21600
)

// Versions are the path prefixes the service answers under: cloud-init's
// AliYun datasource asks for 2016-01-01, most tools for latest.
var Versions = []string{"latest", "2016-01-01"}

// Clock tells the time tokens are issued and checked with.
type Clock interface{ Now() time.Time }

// Options configure a Handler.
type Options struct {
	Lookup Lookup
	// Credentials issues RAM role credentials; nil answers 404 for them.
	Credentials CredentialIssuer
	Clock       Clock
	// Hardened requires a token on every read (Alibaba's "hardened mode");
	// otherwise a token is checked only when a request carries one.
	Hardened bool
}

// Handler is the metadata service of one guest network.
type Handler struct {
	opts   Options
	mu     sync.Mutex
	tokens map[string]token
}

type token struct {
	instanceID string
	expires    time.Time
}

// New returns a Handler.
func New(opts Options) *Handler {
	return &Handler{opts: opts, tokens: map[string]token{}}
}

// ServeHTTP answers one guest request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	inst, err := h.caller(r)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			plain(w, http.StatusNotFound, "Not Found")
		} else {
			plain(w, http.StatusInternalServerError, "Internal Server Error")
		}
		return
	}
	if path == "/latest/api/token" {
		h.issueToken(w, r, inst)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if status, msg := h.checkToken(r, inst); status != 0 {
		plain(w, status, msg)
		return
	}
	if path == "/" {
		listing(w, []string{"2016-01-01/", "latest/"})
		return
	}
	rest, ok := "", false
	for _, v := range Versions {
		if path == "/"+v || strings.HasPrefix(path, "/"+v+"/") {
			rest, ok = strings.TrimPrefix(strings.TrimPrefix(path, "/"+v), "/"), true
		}
	}
	switch {
	case !ok:
		plain(w, http.StatusNotFound, "Not Found")
	case rest == "":
		listing(w, []string{"meta-data/", "user-data"})
	case rest == "user-data":
		if inst.UserData == nil {
			plain(w, http.StatusNotFound, "Not Found")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(inst.UserData)
	case rest == "meta-data" || strings.HasPrefix(rest, "meta-data/"):
		h.serveTree(w, r, inst, strings.TrimPrefix(strings.TrimPrefix(rest, "meta-data"), "/"))
	default:
		plain(w, http.StatusNotFound, "Not Found")
	}
}

func (h *Handler) caller(r *http.Request) (Instance, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return Instance{}, ErrNotFound
	}
	ctx, cancel := lookupContext(r)
	defer cancel()
	return h.opts.Lookup.InstanceByIP(ctx, ip.Unmap())
}

// lookupTimeout bounds a request's store reads.
const lookupTimeout = 10 * time.Second

// lookupContext is the context of a request's store reads: not the request's
// own, which net/http cancels as soon as the client shuts its sending side
// (as `printf … | nc` and other one-shot clients do, before they read the
// answer), but bounded by lookupTimeout.
func lookupContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), lookupTimeout)
}

// issueToken answers PUT /latest/api/token: a token for the caller that
// lives the seconds the TTL header says (1–21600).
func (h *Handler) issueToken(w http.ResponseWriter, r *http.Request, inst Instance) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", "PUT")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	// a token request relayed by a proxy is refused, so that a proxy on
	// the guest cannot hand tokens to others
	if r.Header.Get("X-Forwarded-For") != "" {
		plain(w, http.StatusForbidden, "Forbidden")
		return
	}
	raw := r.Header.Get(TokenTTLHeader)
	if raw == "" {
		plain(w, http.StatusBadRequest, "Missing "+TokenTTLHeader)
		return
	}
	ttl, err := strconv.Atoi(raw)
	if err != nil || ttl < 1 || ttl > MaxTokenTTL {
		plain(w, http.StatusBadRequest, fmt.Sprintf("%s must be an integer between 1 and %d", TokenTTLHeader, MaxTokenTTL))
		return
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	now := h.opts.Clock.Now()
	h.mu.Lock()
	for k, t := range h.tokens {
		if !now.Before(t.expires) {
			delete(h.tokens, k)
		}
	}
	h.tokens[tok] = token{instanceID: inst.ID, expires: now.Add(time.Duration(ttl) * time.Second)}
	h.mu.Unlock()
	w.Header().Set(TokenTTLHeader, strconv.Itoa(ttl))
	plain(w, http.StatusOK, tok)
}

// checkToken answers 0 when the request may read, else the status and
// message: 401 for a token that is unknown, expired or another instance's;
// 403 for no token in hardened mode.
func (h *Handler) checkToken(r *http.Request, inst Instance) (int, string) {
	tok := r.Header.Get(TokenHeader)
	if tok == "" {
		if h.opts.Hardened {
			return http.StatusForbidden, "Forbidden: a metadata token is required"
		}
		return 0, ""
	}
	h.mu.Lock()
	t, ok := h.tokens[tok]
	h.mu.Unlock()
	if !ok || t.instanceID != inst.ID || !h.opts.Clock.Now().Before(t.expires) {
		return http.StatusUnauthorized, "Unauthorized"
	}
	return 0, ""
}

// node is a directory (children) or a leaf (value) of the meta-data tree.
type node struct {
	children map[string]*node
	value    string
	// role marks the leaf of a RAM role's credentials, issued when read.
	role string
}

func dir() *node { return &node{children: map[string]*node{}} }

func (n *node) leaf(name, value string) {
	if value != "" {
		n.children[name] = &node{value: value}
	}
}

func (n *node) sub(name string) *node {
	c, ok := n.children[name]
	if !ok || c.children == nil {
		c = dir()
		n.children[name] = c
	}
	return c
}

// tree builds the meta-data tree of an instance.
func tree(inst Instance) *node {
	root := dir()
	root.leaf("instance-id", inst.ID)
	root.leaf("hostname", inst.HostName)
	root.leaf("region-id", inst.RegionID)
	root.leaf("zone-id", inst.ZoneID)
	root.leaf("image-id", inst.ImageID)
	root.leaf("serial-number", inst.SerialNumber)
	if inst.OwnerAccountID != 0 {
		root.leaf("owner-account-id", strconv.FormatInt(inst.OwnerAccountID, 10))
	}
	root.sub("instance").leaf("instance-type", inst.InstanceType)
	root.leaf("network-type", "vpc")
	if inst.PublicIP != "" {
		root.leaf("public-ipv4", inst.PublicIP)
		root.leaf("eipv4", inst.PublicIP)
	}
	if len(inst.Interfaces) > 0 {
		p := inst.Interfaces[0]
		root.leaf("private-ipv4", addr(p.PrimaryIP))
		root.leaf("mac", p.MAC)
		root.leaf("vpc-id", p.VpcID)
		root.leaf("vswitch-id", p.VSwitchID)
		root.leaf("vpc-cidr-block", prefix(p.VpcCIDR))
		root.leaf("vswitch-cidr-block", prefix(p.VSwitchCIDR))
		macs := root.sub("network").sub("interfaces").sub("macs")
		for _, ifc := range inst.Interfaces {
			m := macs.sub(ifc.MAC)
			m.leaf("network-interface-id", ifc.ID)
			m.leaf("primary-ip-address", addr(ifc.PrimaryIP))
			if ifc.PrimaryIP.IsValid() {
				ips, _ := json.Marshal([]string{ifc.PrimaryIP.String()})
				m.leaf("private-ipv4s", string(ips))
			}
			m.leaf("netmask", netmask(ifc.VSwitchCIDR))
			m.leaf("gateway", addr(ifc.Gateway))
			m.leaf("vpc-id", ifc.VpcID)
			m.leaf("vswitch-id", ifc.VSwitchID)
			m.leaf("vpc-cidr-block", prefix(ifc.VpcCIDR))
			m.leaf("vswitch-cidr-block", prefix(ifc.VSwitchCIDR))
		}
	}
	if len(inst.PublicKeys) > 0 {
		keys := root.sub("public-keys")
		for i, k := range inst.PublicKeys {
			keys.sub(strconv.Itoa(i)).leaf("openssh-key", k)
		}
	}
	if inst.RAMRoleName != "" {
		root.sub("ram").sub("security-credentials").children[inst.RAMRoleName] = &node{role: inst.RAMRoleName}
	}
	return root
}

func (h *Handler) serveTree(w http.ResponseWriter, r *http.Request, inst Instance, rest string) {
	n := tree(inst)
	if rest == "all" {
		serveAll(w, n)
		return
	}
	trailing := rest == "" || strings.HasSuffix(rest, "/")
	for _, part := range strings.Split(strings.Trim(rest, "/"), "/") {
		if part == "" {
			continue
		}
		c, ok := n.children[part]
		if !ok || n.children == nil {
			plain(w, http.StatusNotFound, "Not Found")
			return
		}
		n = c
	}
	switch {
	case n.children != nil:
		names := make([]string, 0, len(n.children))
		for name, c := range n.children {
			if c.children != nil {
				name += "/"
			}
			names = append(names, name)
		}
		sort.Strings(names)
		listing(w, names)
	case trailing:
		plain(w, http.StatusNotFound, "Not Found")
	case n.role != "":
		h.serveCredentials(w, r, inst, n.role)
	default:
		plain(w, http.StatusOK, n.value)
	}
}

// serveAll answers meta-data/all: the whole tree in one JSON object, a
// directory as an object and a leaf as the text its own path answers. It is
// not listed in meta-data/ (as on Alibaba Cloud); recent releases of
// cloud-init's AliYun datasource read it first and crawl the tree only
// when it is missing. RAM role credentials are left out: they are issued only to a
// read of their own path.
func serveAll(w http.ResponseWriter, n *node) {
	body, err := json.Marshal(allJSON(n))
	if err != nil {
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func allJSON(n *node) any {
	if n.children == nil {
		return n.value
	}
	out := map[string]any{}
	for name, c := range n.children {
		if name == "ram" {
			continue
		}
		out[name] = allJSON(c)
	}
	return out
}

// credentialsBody is the JSON Alibaba Cloud answers for a role.
type credentialsBody struct {
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	Expiration      string `json:"Expiration"`
	SecurityToken   string `json:"SecurityToken"`
	LastUpdated     string `json:"LastUpdated"`
	Code            string `json:"Code"`
}

const credentialTime = "2006-01-02T15:04:05Z"

func (h *Handler) serveCredentials(w http.ResponseWriter, r *http.Request, inst Instance, role string) {
	if h.opts.Credentials == nil {
		plain(w, http.StatusNotFound, "Not Found")
		return
	}
	ctx, cancel := lookupContext(r)
	defer cancel()
	c, err := h.opts.Credentials.InstanceRoleCredentials(ctx, inst, role)
	if errors.Is(err, ErrNotFound) {
		plain(w, http.StatusNotFound, "Not Found")
		return
	}
	if err != nil {
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	body, _ := json.MarshalIndent(credentialsBody{
		AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken,
		Expiration: c.Expiration.UTC().Format(credentialTime), LastUpdated: c.LastUpdated.UTC().Format(credentialTime),
		Code: "Success",
	}, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func listing(w http.ResponseWriter, names []string) {
	plain(w, http.StatusOK, strings.Join(names, "\n"))
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func addr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func prefix(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.Masked().String()
}

func netmask(p netip.Prefix) string {
	if !p.IsValid() || !p.Addr().Is4() {
		return ""
	}
	return net.IP(net.CIDRMask(p.Bits(), 32)).String()
}
