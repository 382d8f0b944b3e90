// The client's lasting state, in IndexedDB: the DPoP key pair (a
// non-extractable CryptoKey, which IndexedDB stores without exposing its
// private part) and the refresh token bound to it. Nothing goes to
// localStorage, sessionStorage or a cookie.

const DB = "jwtkit-web-client";
const STORE = "session";

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, f) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req && req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// get returns the value stored under name, or undefined.
export function get(name) {
  return run("readonly", (s) => s.get(name));
}

// put stores the values of the object entries, in one transaction.
export function put(entries) {
  return run("readwrite", (s) => {
    for (const [name, value] of Object.entries(entries)) s.put(value, name);
  });
}

// clear deletes the key pair and the refresh token.
export function clear() {
  return run("readwrite", (s) => s.clear());
}
