package store

// SecurityGroupTx holds security groups and their rules (guide 1.11). It is
// filled in with the security-group resource group.
type SecurityGroupTx interface{}
