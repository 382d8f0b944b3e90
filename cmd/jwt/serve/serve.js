// The page of jwt serve. It verifies nothing itself: it sends the fields to
// this server's /api/check, which uses the jwtkit library, and shows the
// answer. It stores nothing: no storage, no cookie, no history entry.

const $ = (id) => document.getElementById(id);

function fill(list, items, render) {
  list.replaceChildren(...items.map(render));
}

async function check(event) {
  event.preventDefault();
  const body = {
    token: $("token").value,
    key: $("key").value,
    alg: $("alg").value,
    jwks_url: $("jwks-url").value,
    issuer: $("issuer").value,
  };
  $("verify").disabled = true;
  try {
    const res = await fetch("/api/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
    if (!res.ok) {
      throw new Error(`the server answered ${res.status}: ${(await res.text()).trim()}`);
    }
    const a = await res.json();
    $("header").textContent = a.header;
    $("payload").textContent = a.payload;
    $("verdict").textContent = a.verdict;
    $("verdict").dataset.state = a.verdict === "valid" ? "valid" : a.verdict.startsWith("invalid") ? "invalid" : "none";
    $("note").textContent = a.note || "";
    fill($("times"), a.times, (t) => {
      const li = document.createElement("li");
      li.dataset.claim = t.claim;
      li.textContent = `${t.claim}: ${t.time} (${t.words})`;
      return li;
    });
    fill($("lints"), a.lints, (l) => {
      const li = document.createElement("li");
      li.dataset.code = l.code;
      const code = document.createElement("code");
      code.textContent = l.code;
      li.append(code, " ", l.text);
      return li;
    });
  } catch (err) {
    $("verdict").textContent = `not verified: ${err.message}`;
    $("verdict").dataset.state = "none";
  } finally {
    $("verify").disabled = false;
  }
}

$("form").addEventListener("submit", check);
