// Package vpc holds the handlers of the VPC OpenAPI (Version 2016-04-28) that
// instances need, served on the same port as ECS: one file per resource group,
// one method per action, named exactly after it.
//
// Response structs carry the official SDK's JSON names and nesting
// (services/vpc); the HTTP front adds RequestId and renders JSON or XML.
//
// Files by resource group: regions.go (answered from the catalog), vpcs.go,
// vswitches.go, route_tables.go and tags.go; docs/coverage.md lists the actions.
package vpc
