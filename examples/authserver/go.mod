module github.com/jwtkit/jwt/examples/authserver

go 1.26.0

require (
	github.com/jwtkit/jwt v0.0.0
	github.com/jwtkit/jwt/redisstore v0.0.0
	github.com/redis/go-redis/v9 v9.23.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/crypto v0.59.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace (
	github.com/jwtkit/jwt => ../..
	github.com/jwtkit/jwt/redisstore => ../../redisstore
)
