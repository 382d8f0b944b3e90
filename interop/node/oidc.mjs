// oidc.mjs is the cross-language peer of the jwtkit interop tests for
// client assertions (RFC 7523 §2.2, private_key_jwt) and OpenID Connect ID
// tokens, with the jose package (panva/jose). It is driven by
// oidc_test.go and is not meant to be used otherwise. Each mode reads a
// JSON array of jobs on stdin and writes a JSON array of results, one
// process for all jobs.
//
//   node oidc.mjs assert           [{"alg", "clientId", "aud"}]
//                                  -> [{"alg", "assertion", "jwk"}]   (jwk: the public key)
//   node oidc.mjs verify-assertion [{"alg", "jwk", "assertion", "clientId", "aud"}]
//                                  -> [{"alg", "ok"} or {"alg", "error"}]
//   node oidc.mjs idtoken          [{"alg", "issuer", "clientId", "nonce", "accessToken", "code"}]
//                                  -> [{"alg", "token", "jwk"}]
//   node oidc.mjs verify-idtoken   [{"alg", "jwk", "token", "issuer", "clientId", "nonce", "accessToken"}]
//                                  -> [{"alg", "ok"} or {"alg", "error"}]
//
// at_hash and c_hash are computed here, independently of jwtkit: the left
// half of the hash of the value's ASCII octets, with SHA-256, SHA-384 or
// SHA-512 as the algorithm's name ends, and SHA-512 for EdDSA.

import { base64url, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose'
import { createHash, randomBytes } from 'node:crypto'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

function halfHash(alg, value) {
  const name = alg === 'EdDSA' || alg === 'Ed25519' ? 'sha512' : 'sha' + alg.slice(-3)
  const digest = createHash(name).update(value, 'ascii').digest()
  return base64url.encode(digest.subarray(0, digest.length / 2))
}

async function keyPair(alg) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(publicKey)
  jwk.alg = alg
  jwk.kid = 'node-' + alg.toLowerCase()
  return { privateKey, jwk }
}

async function assert(job) {
  const { privateKey, jwk } = await keyPair(job.alg)
  const assertion = await new SignJWT({ jti: base64url.encode(randomBytes(16)) })
    .setProtectedHeader({ alg: job.alg, typ: 'JWT', kid: jwk.kid })
    .setIssuer(job.clientId)
    .setSubject(job.clientId)
    .setAudience(job.aud)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(privateKey)
  return { alg: job.alg, assertion, jwk }
}

async function verifyAssertion(job) {
  try {
    const key = await importJWK(job.jwk, job.alg)
    const { payload } = await jwtVerify(job.assertion, key, {
      algorithms: [job.alg],
      issuer: job.clientId,
      subject: job.clientId,
      audience: job.aud,
      requiredClaims: ['jti', 'exp', 'iat'],
      maxTokenAge: '5m',
    })
    if (payload.exp - payload.iat > 300) throw new Error('assertion lives longer than 5 minutes')
    return { alg: job.alg, ok: true }
  } catch (err) {
    return { alg: job.alg, error: `${err.code ?? err.name}: ${err.message}` }
  }
}

async function idtoken(job) {
  const { privateKey, jwk } = await keyPair(job.alg)
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({
    nonce: job.nonce,
    auth_time: now - 60,
    at_hash: halfHash(job.alg, job.accessToken),
    c_hash: halfHash(job.alg, job.code),
    azp: job.clientId,
  })
    .setProtectedHeader({ alg: job.alg, typ: 'JWT', kid: jwk.kid })
    .setIssuer(job.issuer)
    .setSubject('user-1')
    .setAudience(job.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(privateKey)
  return { alg: job.alg, token, jwk }
}

async function verifyIDToken(job) {
  try {
    const key = await importJWK(job.jwk, job.alg)
    const { payload } = await jwtVerify(job.token, key, {
      algorithms: [job.alg],
      issuer: job.issuer,
      audience: job.clientId,
      requiredClaims: ['sub', 'iat', 'exp', 'nonce'],
    })
    if (payload.nonce !== job.nonce) throw new Error('nonce mismatch')
    if (payload.at_hash !== halfHash(job.alg, job.accessToken)) throw new Error('at_hash mismatch')
    return { alg: job.alg, ok: true }
  } catch (err) {
    return { alg: job.alg, error: `${err.code ?? err.name}: ${err.message}` }
  }
}

const modes = { assert, 'verify-assertion': verifyAssertion, idtoken, 'verify-idtoken': verifyIDToken }

async function main() {
  const mode = modes[process.argv[2]]
  if (!mode) throw new Error('usage: node oidc.mjs assert|verify-assertion|idtoken|verify-idtoken')
  const jobs = await readStdin()
  const out = []
  for (const job of jobs) out.push(await mode(job))
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch((err) => {
  process.stderr.write(`oidc: ${err.code ?? err.name}: ${err.message}\n`)
  process.exit(1)
})
