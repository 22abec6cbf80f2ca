package store

// KeyPairTx holds SSH key pairs (guide 1.12). It is filled in with the key-pair
// resource group.
type KeyPairTx interface{}
