//go:build !go1.27

package main

import "github.com/jwtkit/jwt"

// Built with Go 1.26, jwt has no ML-DSA keys.

func mldsaFits(jwt.MLDSAAlgorithm, any) bool { return false }
func mldsaDescribe(any) string               { return "" }
