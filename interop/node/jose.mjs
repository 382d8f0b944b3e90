// jose.mjs is the cross-language peer of the jwtkit interop test: it signs
// and verifies JWTs with the jose package (panva/jose) so that
// interop_test.go can check tokens both ways. It is driven by the Go test
// and is not meant to be used otherwise.
//
//   node jose.mjs sign <alg>     stdin: {"jwk": <private or oct JWK>, "claims": {...}, "kid": "..."}
//                                stdout: the compact JWT
//   node jose.mjs verify <alg>   stdin: {"jwk": <public or oct JWK>, "token": "...",
//                                        "issuer": "...", "audience": "..."}
//                                stdout: {"header": {...}, "claims": {...}}
//
// Any failure (bad input, invalid signature, failed claim check) is written
// to stderr and ends the process with exit status 1.

import { importJWK, jwtVerify, SignJWT } from 'jose'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function sign(alg, job) {
  const key = await importJWK(job.jwk, alg)
  const header = { alg, typ: 'JWT' }
  if (job.kid) header.kid = job.kid
  return new SignJWT(job.claims).setProtectedHeader(header).sign(key)
}

async function verify(alg, job) {
  const key = await importJWK(job.jwk, alg)
  const options = { algorithms: [alg] } // pin the algorithm; exp and nbf are checked by default
  if (job.issuer) options.issuer = job.issuer
  if (job.audience) options.audience = job.audience
  const { payload, protectedHeader } = await jwtVerify(job.token, key, options)
  return JSON.stringify({ header: protectedHeader, claims: payload })
}

async function main() {
  const [mode, alg] = process.argv.slice(2)
  if (!alg || (mode !== 'sign' && mode !== 'verify')) {
    throw new Error('usage: node jose.mjs sign|verify <alg>')
  }
  const job = await readStdin()
  const out = mode === 'sign' ? await sign(alg, job) : await verify(alg, job)
  process.stdout.write(out + '\n')
}

main().catch((err) => {
  process.stderr.write(`jose: ${err.code ?? err.name}: ${err.message}\n`)
  process.exit(1)
})
