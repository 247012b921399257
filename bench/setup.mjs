// Prepares one benchmark run (called by run.sh; needs NODE_EXTRA_CA_CERTS = the dev CA):
// creates one principal per scenario role, holding ONLY that role on /vaults/hub, the objects the scenarios
// use, tokens, and the request bodies; probes every request once on Keyhub and on the baseline (must be 200);
// writes RUN/scenarios.json for run.sh and collect.mjs.
//   node setup.mjs <keyhub credentials.json> <keyhub origin> <baseline origin> <run dir>
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { randomBytes, createHash } from "node:crypto";
import { join } from "node:path";

const [credsFile, keyhub, baseline, runDir] = process.argv.slice(2);
const creds = JSON.parse(readFileSync(credsFile, "utf8"));
const API = "api-version=7.6";
const b64u = (buf) => Buffer.from(buf).toString("base64url");
mkdirSync(join(runDir, "bodies"), { recursive: true });

async function call(method, url, { token, json, form } = {}) {
  const headers = {};
  let body;
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) { headers["content-type"] = "application/json"; body = JSON.stringify(json); }
  if (form !== undefined) { headers["content-type"] = "application/x-www-form-urlencoded"; body = new URLSearchParams(form).toString(); }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 300)}`);
  return text.length ? JSON.parse(text) : null;
}

const tokenUrl = `${keyhub}/${creds.tenantId}/oauth2/v2.0/token`;
const scope = "https://localhost/.default";
const tokenFor = async (clientId, clientSecret) =>
  (await call("POST", tokenUrl, { form: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope } })).access_token;

const admin = await tokenFor(creds.clientId, creds.clientSecret);
// The dev admin is Owner at "/" (principals, role assignments) and Key Vault Administrator on /vaults/hub (objects).
async function principalWith(role) {
  const p = await call("POST", `${keyhub}/keyhub/v1/principals`, { token: admin, json: { displayName: `bench-${role.replace(/\W+/g, "-").toLowerCase()}-${Date.now()}` } });
  await call("POST", `${keyhub}/keyhub/v1/roleassignments`, { token: admin, json: { principalId: p.objectId, role, scope: "/vaults/hub" } });
  return { role, clientId: p.clientId, clientSecret: p.clientSecret, token: await tokenFor(p.clientId, p.clientSecret) };
}
const secretsUser = await principalWith("Key Vault Secrets User");
const secretsOfficer = await principalWith("Key Vault Secrets Officer");
const cryptoUser = await principalWith("Key Vault Crypto User");

// Objects, created by the administrator.
const secretValue = "s".repeat(64);
await call("PUT", `${keyhub}/secrets/bench-secret?${API}`, { token: admin, json: { value: secretValue, contentType: "text/plain", tags: { team: "bench" } } });
const keyOf = async (name, spec) => (await call("POST", `${keyhub}/keys/${name}/create?${API}`, { token: admin, json: spec })).key.kid.replace(/^https:\/\/[^/]+/, "");
const rsaKey = await keyOf("bench-rsa", { kty: "RSA", key_size: 2048 });
const ecKey = await keyOf("bench-ec", { kty: "EC", crv: "P-256" });
const octKey = await keyOf("bench-aes", { kty: "oct", key_size: 256 });

const digest = b64u(createHash("sha256").update("keyhub benchmark").digest());
const dataKey = b64u(randomBytes(32));
const plaintext1k = b64u(randomBytes(1024));

// Inputs that depend on the server's own keys (verify, unwrap, decrypt) are produced by that server first.
const kh = (path) => `${keyhub}${path}${path.includes("?") ? "&" : "?"}${API}`;
const bl = (path) => `${baseline}${path}`;
const khSig = (await call("POST", kh(`${rsaKey}/sign`), { token: cryptoUser.token, json: { alg: "PS256", value: digest } })).value;
const blSig = (await call("POST", bl("/rsa/sign"), { json: { alg: "PS256", value: digest } })).value;
const khWrapped = (await call("POST", kh(`${rsaKey}/wrapkey`), { token: cryptoUser.token, json: { alg: "RSA-OAEP-256", value: dataKey } })).value;
const blWrapped = (await call("POST", bl("/rsa/wrapkey"), { json: { alg: "RSA-OAEP-256", value: dataKey } })).value;
const khCt = await call("POST", kh(`${octKey}/encrypt`), { token: cryptoUser.token, json: { alg: "A256GCM", value: plaintext1k } });
const blCt = await call("POST", bl("/aes/encrypt"), { json: { alg: "A256GCM", value: plaintext1k } });

const json = (o) => ({ contentType: "application/json", body: JSON.stringify(o) });
const form = (o) => ({ contentType: "application/x-www-form-urlencoded", body: new URLSearchParams(o).toString() });

// Each scenario: what it measures, the Keyhub request (with the token of a principal holding only `role`),
// and the baseline request it is compared with.
const scenarios = [
  { name: "secret-get", title: "secret get", role: secretsUser.role, baselineKind: "a",
    keyhub: { method: "GET", url: kh("/secrets/bench-secret/"), token: secretsUser.token },
    baseline: { method: "GET", url: bl("/json/secret") } },
  { name: "secret-set", title: "secret set (new version)", role: secretsOfficer.role, baselineKind: "a",
    keyhub: { method: "PUT", url: kh("/secrets/bench-set"), token: secretsOfficer.token, ...json({ value: secretValue, contentType: "text/plain", tags: { team: "bench" } }) },
    baseline: { method: "PUT", url: bl("/json/secret"), ...json({ value: secretValue, contentType: "text/plain", tags: { team: "bench" } }) } },
  { name: "key-get", title: "key get (RSA-2048)", role: cryptoUser.role, baselineKind: "a",
    keyhub: { method: "GET", url: kh("/keys/bench-rsa/"), token: cryptoUser.token },
    baseline: { method: "GET", url: bl("/json/key") } },
  { name: "rsa-sign", title: "RSA-2048 sign PS256", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${rsaKey}/sign`), token: cryptoUser.token, ...json({ alg: "PS256", value: digest }) },
    baseline: { method: "POST", url: bl("/rsa/sign"), ...json({ alg: "PS256", value: digest }) } },
  { name: "rsa-verify", title: "RSA-2048 verify PS256", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${rsaKey}/verify`), token: cryptoUser.token, ...json({ alg: "PS256", digest, value: khSig }) },
    baseline: { method: "POST", url: bl("/rsa/verify"), ...json({ alg: "PS256", digest, value: blSig }) } },
  { name: "rsa-wrap", title: "RSA-2048 wrapKey RSA-OAEP-256", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${rsaKey}/wrapkey`), token: cryptoUser.token, ...json({ alg: "RSA-OAEP-256", value: dataKey }) },
    baseline: { method: "POST", url: bl("/rsa/wrapkey"), ...json({ alg: "RSA-OAEP-256", value: dataKey }) } },
  { name: "rsa-unwrap", title: "RSA-2048 unwrapKey RSA-OAEP-256", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${rsaKey}/unwrapkey`), token: cryptoUser.token, ...json({ alg: "RSA-OAEP-256", value: khWrapped }) },
    baseline: { method: "POST", url: bl("/rsa/unwrapkey"), ...json({ alg: "RSA-OAEP-256", value: blWrapped }) } },
  { name: "ec-sign", title: "EC P-256 sign ES256", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${ecKey}/sign`), token: cryptoUser.token, ...json({ alg: "ES256", value: digest }) },
    baseline: { method: "POST", url: bl("/ec/sign"), ...json({ alg: "ES256", value: digest }) } },
  { name: "aes-wrap", title: "AES-256 wrapKey A256KW", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${octKey}/wrapkey`), token: cryptoUser.token, ...json({ alg: "A256KW", value: dataKey }) },
    baseline: { method: "POST", url: bl("/aes/wrapkey"), ...json({ alg: "A256KW", value: dataKey }) } },
  { name: "aes-encrypt", title: "A256GCM encrypt 1 KiB", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${octKey}/encrypt`), token: cryptoUser.token, ...json({ alg: "A256GCM", value: plaintext1k }) },
    baseline: { method: "POST", url: bl("/aes/encrypt"), ...json({ alg: "A256GCM", value: plaintext1k }) } },
  { name: "aes-decrypt", title: "A256GCM decrypt 1 KiB", role: cryptoUser.role, baselineKind: "b",
    keyhub: { method: "POST", url: kh(`${octKey}/decrypt`), token: cryptoUser.token, ...json({ alg: "A256GCM", value: khCt.value, iv: khCt.iv, tag: khCt.tag }) },
    baseline: { method: "POST", url: bl("/aes/decrypt"), ...json({ alg: "A256GCM", value: blCt.value, iv: blCt.iv, tag: blCt.tag }) } },
  { name: "token", title: "token issuance (client credentials)", role: "(any principal; Secrets User's credentials)", baselineKind: "b",
    keyhub: { method: "POST", url: tokenUrl, ...form({ grant_type: "client_credentials", client_id: secretsUser.clientId, client_secret: secretsUser.clientSecret, scope }) },
    baseline: { method: "POST", url: bl("/token"), ...form({ grant_type: "client_credentials", client_id: secretsUser.clientId, client_secret: "bench-baseline-client-secret", scope }) } },
];

// Probe every request once (the token-less baseline requests and Keyhub's must all answer 2xx).
for (const s of scenarios) {
  for (const side of ["keyhub", "baseline"]) {
    const r = s[side];
    const headers = {};
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    if (r.contentType) headers["content-type"] = r.contentType;
    const res = await fetch(r.url, { method: r.method, headers, body: r.body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`probe ${s.name}/${side}: ${r.method} ${r.url} → ${res.status} ${text.slice(0, 300)}`);
    r.responseBytes = Buffer.byteLength(text);
    if (r.body !== undefined) {
      r.bodyFile = join(runDir, "bodies", `${s.name}.${side}`);
      writeFileSync(r.bodyFile, r.body);
      delete r.body;
    }
  }
}
writeFileSync(join(runDir, "scenarios.json"), JSON.stringify({ scenarios }, null, 2));
// One line per run for the shell: name side method url token bodyFile contentType ("-" when absent).
for (const s of scenarios) {
  for (const side of ["keyhub", "baseline"]) {
    const r = s[side];
    console.log([s.name, side, r.method, r.url, r.token ?? "-", r.bodyFile ?? "-", r.contentType ?? "-"].join("\t"));
  }
}
