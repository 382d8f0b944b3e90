// The page of the reference web client: it wires the DOM contract (see the
// package comment of examples/authserver) to the session in auth.js.

import * as auth from "./auth.js";

const $ = (id) => document.getElementById(id);

function setStatus(status) {
  $("status").textContent = status;
  document.body.dataset.status = status;
  if (status === "signed-out") $("me").textContent = "";
}

// run runs f, clearing #error on success and showing the OAuth error code
// of a failure in it until the next success.
async function run(f) {
  try {
    await f();
    $("error").textContent = "";
  } catch (err) {
    $("error").textContent = err.code || "client_error";
  }
}

auth.onChange(setStatus);

$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  run(async () => {
    await auth.login($("username").value, $("password").value);
    $("password").value = "";
  });
});

$("call-api").addEventListener("click", () =>
  run(async () => {
    const me = await auth.api("/api/me");
    $("me").textContent = JSON.stringify(me, null, 2);
  }),
);

$("logout").addEventListener("click", () => run(auth.logout));
$("logout-all").addEventListener("click", () => run(auth.logoutAll));

setStatus("signed-out");
run(auth.resume);
