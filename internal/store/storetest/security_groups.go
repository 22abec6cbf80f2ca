package storetest

// securityGroupCases cover store.SecurityGroupTx.
var securityGroupCases = []contractCase{}
