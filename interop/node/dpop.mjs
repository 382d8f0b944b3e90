// dpop.mjs is the cross-language DPoP peer of the jwtkit interop test: it
// makes DPoP proofs (RFC 9449) with the jose package (panva/jose), a key
// pair of its own and the public key embedded as the "jwk" header, and it
// verifies proofs with jose's EmbeddedJWK. It is driven by dpop_test.go and
// is not meant to be used otherwise.
//
//   node dpop.mjs prove    stdin: [{"alg": "...", "htm": "...", "htu": "...", "accessToken": "...", "nonce": "..."}]
//                          stdout: [{"alg": "...", "proof": "...", "jkt": "..."}]
//   node dpop.mjs verify   stdin: [{"alg": "...", "proof": "..."}]
//                          stdout: [{"alg": "...", "header": {...}, "payload": {...}, "jkt": "..."}
//                                   or {"alg": "...", "error": "..."}]
//
// "jkt" is jose's RFC 7638 SHA-256 thumbprint of the proof's public key.
// A bad job is an error of that job; bad input ends the process with
// exit status 1.

import { calculateJwkThumbprint, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify, SignJWT, base64url } from 'jose'
import { createHash, randomBytes } from 'node:crypto'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function prove(job) {
  const { publicKey, privateKey } = await generateKeyPair(job.alg, { extractable: true })
  const jwk = await exportJWK(publicKey)
  const claims = {
    jti: base64url.encode(randomBytes(16)),
    htm: job.htm,
    htu: job.htu,
  }
  if (job.accessToken) {
    claims.ath = base64url.encode(createHash('sha256').update(job.accessToken, 'ascii').digest())
  }
  if (job.nonce) claims.nonce = job.nonce
  const proof = await new SignJWT(claims)
    .setProtectedHeader({ alg: job.alg, typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .sign(privateKey)
  return { alg: job.alg, proof, jkt: await calculateJwkThumbprint(jwk, 'sha256') }
}

async function verify(job) {
  try {
    const { payload, protectedHeader } = await jwtVerify(job.proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [job.alg],
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      maxTokenAge: '60s',
    })
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk, 'sha256')
    return { alg: job.alg, header: protectedHeader, payload, jkt }
  } catch (err) {
    return { alg: job.alg, error: `${err.code ?? err.name}: ${err.message}` }
  }
}

async function main() {
  const [mode] = process.argv.slice(2)
  if (mode !== 'prove' && mode !== 'verify') {
    throw new Error('usage: node dpop.mjs prove|verify')
  }
  const jobs = await readStdin()
  const out = []
  for (const job of jobs) out.push(mode === 'prove' ? await prove(job) : await verify(job))
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch((err) => {
  process.stderr.write(`dpop: ${err.code ?? err.name}: ${err.message}\n`)
  process.exit(1)
})
