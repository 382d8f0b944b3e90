// DPoP (RFC 9449) in the browser: a P-256 key pair made with WebCrypto as
// non-extractable, and the proofs it signs. The private key never leaves
// WebCrypto: crypto.subtle.exportKey refuses it.

const encoder = new TextEncoder();

function b64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64json(v) {
  return b64url(encoder.encode(JSON.stringify(v)));
}

// newKeyPair makes a P-256 key pair for ES256 whose private key cannot be
// exported.
export function newKeyPair() {
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
}

// publicJWK returns the public key as a JWK with the required members only.
async function publicJWK(publicKey) {
  const j = await crypto.subtle.exportKey("jwk", publicKey);
  return { kty: j.kty, crv: j.crv, x: j.x, y: j.y };
}

// accessTokenHash returns "ath": the base64url SHA-256 hash of the token.
async function accessTokenHash(token) {
  return b64url(await crypto.subtle.digest("SHA-256", encoder.encode(token)));
}

// proof returns a DPoP proof by keys for a request with method to url (its
// query and fragment dropped), with "ath" for accessToken and the server's
// nonce, if given.
export async function proof(keys, method, url, { accessToken, nonce } = {}) {
  const u = new URL(url);
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: await publicJWK(keys.publicKey) };
  const claims = {
    jti: b64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: method,
    htu: u.origin + u.pathname,
    iat: Math.floor(Date.now() / 1000),
  };
  if (accessToken) claims.ath = await accessTokenHash(accessToken);
  if (nonce) claims.nonce = nonce;
  const input = b64json(header) + "." + b64json(claims);
  // WebCrypto's ECDSA signature is r || s, the form JWS uses (RFC 7518 §3.4).
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, encoder.encode(input));
  return input + "." + b64url(sig);
}
