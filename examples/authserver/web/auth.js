// The session of the reference web client, as the OAuth 2.0 for
// Browser-Based Applications best current practice asks:
//
//   - the access token lives in this module's memory only;
//   - the refresh token, DPoP-bound to a non-extractable key, is kept with
//     that key in IndexedDB (keystore.js), so a reload keeps the session
//     and a copied refresh token is useless without this browser;
//   - refreshes happen shortly before the access token expires and on a
//     401 with error="invalid_token", one at a time across tabs (the Web
//     Locks API), each reading the latest refresh token under the lock, so
//     two tabs never race a rotation and never trip reuse detection;
//   - a server nonce (use_dpop_nonce, RFC 9449 §8 and §9) is answered by
//     one retry with the nonce, which later proofs carry;
//   - logging out clears the key and the state.

import * as keystore from "./keystore.js";
import { newKeyPair, proof } from "./dpop.js";

const REFRESH_LOCK = "jwtkit-web-client-refresh";
const channel = "BroadcastChannel" in self ? new BroadcastChannel("jwtkit-web-client") : null;

// An OAuthError is a refusal: code is the OAuth error code ("invalid_grant",
// "invalid_token", ...), or "network_error" and "server_error".
export class OAuthError extends Error {
  constructor(code, status, description) {
    super(description ? `${code}: ${description}` : code);
    this.code = code;
    this.status = status;
  }
}

let access = null; // { token, expiresAt (ms), lifetime (ms) }
let timer = 0;
let nonce = ""; // the server's latest DPoP nonce
let refreshing = null; // this tab's refresh in flight
const listeners = new Set();

// onChange calls f with "signed-in" or "signed-out" on every change.
export function onChange(f) {
  listeners.add(f);
}

function notify(status) {
  for (const f of listeners) f(status);
}

channel?.addEventListener("message", (ev) => {
  if (ev.data === "signed-out") {
    forget();
    notify("signed-out");
  }
});

function url(path) {
  return new URL(path, location.origin).href;
}

// challengeError returns the "error" of a WWW-Authenticate header, or "".
function challengeError(res) {
  const m = /error="([^"]*)"/.exec(res.headers.get("WWW-Authenticate") || "");
  return m ? m[1] : "";
}

// errorOf returns the OAuthError of a refused response.
async function errorOf(res) {
  let code = challengeError(res);
  let description = "";
  try {
    const body = await res.clone().json();
    code = code || body.error || "";
    description = body.error_description || "";
  } catch {
    // not JSON
  }
  return new OAuthError(code || (res.status >= 500 ? "server_error" : `http_${res.status}`), res.status, description);
}

// send sends a request with a DPoP proof by keys, retrying once with the
// server's nonce if it asks for one.
async function send(method, path, keys, { body, accessToken } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { DPoP: await proof(keys, method, url(path), { accessToken, nonce }) };
    if (accessToken) headers.Authorization = `DPoP ${accessToken}`;
    if (body) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(url(path), {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
      });
    } catch (err) {
      throw new OAuthError("network_error", 0, err.message);
    }
    const fresh = res.headers.get("DPoP-Nonce");
    if (fresh) nonce = fresh;
    if (attempt === 0 && fresh && (res.status === 400 || res.status === 401)) {
      const e = await errorOf(res);
      if (e.code === "use_dpop_nonce") continue;
    }
    return res;
  }
}

// setAccess keeps the access token of a token answer in memory and plans
// the next refresh, shortly before it expires.
function setAccess(t) {
  const lifetime = t.expires_in * 1000;
  access = { token: t.access_token, expiresAt: Date.now() + lifetime, lifetime };
  clearTimeout(timer);
  timer = setTimeout(() => refresh().catch(() => {}), Math.max(0, lifetime - margin()));
}

// margin is how long before its expiry the access token is refreshed: a
// quarter of its lifetime, at most 30 s.
function margin() {
  return Math.min(30000, (access?.lifetime ?? 0) / 4);
}

function forget() {
  access = null;
  clearTimeout(timer);
}

// clearSession forgets the tokens and deletes the key, here and in IndexedDB.
async function clearSession() {
  forget();
  await keystore.clear();
  channel?.postMessage("signed-out");
  notify("signed-out");
}

// login signs in with a new key pair, to which both tokens are bound.
export async function login(username, password) {
  const keys = await newKeyPair();
  const res = await send("POST", "/login", keys, { body: { username, password } });
  if (!res.ok) throw await errorOf(res);
  const t = await res.json();
  if (t.token_type !== "DPoP") throw new OAuthError("invalid_token_type", res.status, "the tokens are not DPoP-bound");
  await keystore.put({ keys, refresh: t.refresh_token });
  setAccess(t);
  notify("signed-in");
}

// refresh gets a new pair with the refresh token in IndexedDB, holding the
// lock that every tab takes to refresh. A refusal of the refresh token
// (invalid_grant) ends the session.
export function refresh() {
  refreshing ??= navigator.locks
    .request(REFRESH_LOCK, async () => {
      // Read under the lock: another tab may have just rotated it.
      const keys = await keystore.get("keys");
      const rt = await keystore.get("refresh");
      if (!keys || !rt) {
        forget();
        notify("signed-out");
        throw new OAuthError("login_required", 0, "signed out");
      }
      const res = await send("POST", "/token/refresh", keys, { body: { refresh_token: rt } });
      if (!res.ok) {
        const e = await errorOf(res);
        if (e.code === "invalid_grant") await clearSession();
        throw e;
      }
      const t = await res.json();
      await keystore.put({ refresh: t.refresh_token });
      setAccess(t);
      notify("signed-in");
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

// resume restores the session of an earlier page, if IndexedDB holds one.
export async function resume() {
  if (!(await keystore.get("refresh"))) {
    notify("signed-out");
    return;
  }
  await refresh();
}

// currentAccess returns a fresh access token, refreshing first if it is
// missing or about to expire.
async function currentAccess() {
  if (!access || Date.now() >= access.expiresAt - margin()) await refresh();
  return access.token;
}

// authorized sends an authorized request with the access token and a
// proof, refreshing and retrying once on error="invalid_token".
async function authorized(method, path, body) {
  const keys = await keystore.get("keys");
  if (!keys) throw new OAuthError("login_required", 0, "signed out");
  let res = await send(method, path, keys, { body, accessToken: await currentAccess() });
  if (res.status === 401 && challengeError(res) === "invalid_token") {
    await refresh();
    res = await send(method, path, keys, { body, accessToken: access.token });
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

// api gets the JSON of the API at path.
export async function api(path) {
  const res = await authorized("GET", path);
  return res.json();
}

// logout ends this session: the server revokes its refresh token's family,
// and the key and state are cleared here whatever the server answered.
export async function logout() {
  try {
    const rt = await keystore.get("refresh");
    await authorized("POST", "/logout", { refresh_token: rt });
  } finally {
    await clearSession();
  }
}

// logoutAll ends every session of the user, on every device, and clears
// the key and state here.
export async function logoutAll() {
  try {
    await authorized("POST", "/logout/all");
  } finally {
    await clearSession();
  }
}
