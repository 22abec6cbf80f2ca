package storetest

// keyPairCases cover store.KeyPairTx.
var keyPairCases = []contractCase{}
