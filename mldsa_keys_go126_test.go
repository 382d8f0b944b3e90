//go:build !go1.27

package jwt

// mldsaKeyPair reports that there are no ML-DSA keys in this build.
func mldsaKeyPair(Algorithm) (priv, pub any, ok bool) { return nil, nil, false }

// mldsaFIPSTests is empty: this build has no ML-DSA.
var mldsaFIPSTests []string
