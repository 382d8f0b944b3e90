// Package codec is the claims codec of package jwt: it decodes a claims
// set into the caller's claims type on Verify, and encodes a claims value
// on Sign, with the semantics of encoding/json (the v1 API) and without
// calling it, except for values with their own JSON or text methods.
//
// It holds the decoding plans and decoders (decode.go, decoders.go,
// decode_struct.go, decode_collections.go, any.go), the encoders
// (encode.go, encode_object.go, encode_claims.go), the field tables
// encoding/json's rules choose (fields.go), number parsing (numbers.go)
// and the type cache both builders share (cache.go). It never imports
// package jwt: what it needs of the registered claims (their struct type,
// names, the types of "aud" and of the dates, and their appenders) it
// reaches through [Registered], a table package jwt keeps; and on Verify
// package jwt's claims reader walks the payload and hands each member to a
// [Pass], so that one reader checks the claims set and the codec only
// stores values.
//
// # encoding/json/v2
//
// Go 1.27 ships encoding/json/v2 without an experiment flag. By default it
// rejects duplicate member names at every depth, matches names
// case-sensitively and rejects invalid UTF-8. Measured beside this codec
// under go1.27.3 (BenchmarkJSONv2 in the benchmarks module: HS256, the raw
// signature check and then json.Unmarshal with v1 or v2, against jwt.Verify
// and jwt.Sign; CPU ns per operation, median of 3, on the shared 2-core
// machine):
//
//	row           jwtkit     v1       v2     v2/v1  jwtkit/v2
//	struct         2,300    1,850    1,711   0.92    1.34
//	map            3,464    5,322    3,887   0.73    0.89
//	200B/struct    3,251    2,216    2,228   1.01    1.46
//	200B/map       4,750    7,213    5,838   0.81    0.81
//	2KiB/struct   33,326   30,497   43,485   1.43    0.77
//	2KiB/map      48,611  114,337   87,499   0.77    0.56
//	7KiB/struct  119,764  129,762  154,336   1.19    0.78
//	7KiB/map     207,230  424,742  371,852   0.88    0.56
//	sign           1,824    3,210    2,415   0.75    0.76
//
// The jwtkit rows do more than the others: they parse the header, check
// every claim, reject names equal under encoding/json's case folding and
// allocate the Token; the v1 and v2 rows know the token's shape and only
// check exp. v2 is faster than v1 on maps (by about a quarter) and for
// signing, no faster on small structs and slower on large ones; the codec
// is faster than v2 on every map row (0.56× to 0.89×), on large structs
// (0.77×) and for signing (0.76×), and allocates far less (774 allocations
// against 1,310 for the 7 KiB map).
//
// What it means. Switching to v2 would not make Verify or Sign faster,
// and it would change what callers' claims types decode: v2 matches names
// case-sensitively where encoding/json v1 (whose rules this codec follows,
// and which users' struct tags were written for) folds case, and its
// omitempty, ",string" and nil-slice rules differ. So the codec stays. When
// Go 1.28 ships and Go 1.27 becomes the oldest supported release, v2 is
// always there to use, and two uses are worth measuring again then: its
// jsontext tokenizer in place of internal/strictjson's reader for the
// strict pass, and v2 with its v1-compatibility options (json.DefaultOptionsV1)
// as the fallback for values with their own methods, which today go to
// encoding/json v1. Neither is a reason to switch before it wins here.
package codec
