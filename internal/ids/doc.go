// Package ids generates identifiers shaped like Alibaba Cloud's: resource IDs such
// as i-bp1g6zv0ce8oghu7abcd, RequestIds, AccessKey pairs and numeric account IDs.
//
// Service code receives a Generator instead of calling a package function, so tests
// can inject Seeded and get the same IDs on every run; production uses Random.
package ids
