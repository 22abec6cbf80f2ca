// Package vpc holds the handlers of the VPC OpenAPI (Version 2016-04-28) that
// instances need, served on the same port as ECS: one file per resource group,
// one method per action, named exactly after it.
//
// Response structs carry the official SDK's JSON names and nesting
// (services/vpc); the HTTP front adds RequestId and renders JSON or XML.
//
// Implemented so far: regions.go (DescribeRegions, DescribeZones), answered
// from the catalog.
package vpc
