// Package ecs holds the handlers of the ECS OpenAPI (Version 2014-05-26): one
// file per resource group, one method per action, named exactly after it.
//
// A handler takes a typed request (its parameters declared with `param` tags,
// decoded by internal/api/wire) and returns a typed response or an error. The
// response structs carry the official SDK's JSON names and nesting (the SDK's
// response structs are the reference where the guide's examples differ); the
// HTTP front adds RequestId and renders JSON or XML. Errors are *apierr.Error
// values with the guide's codes.
//
// Which actions are implemented is listed in docs/coverage.md (generated from the
// registry). Files by resource group: regions.go and instance_types.go (answered
// from the catalog), instances*.go, instance_attributes*.go, disks*.go,
// security_groups*.go, key_pairs.go, images.go, tags.go, and terraform_reads*.go
// (the reads Terraform's alicloud provider makes that the guide does not document).
package ecs
