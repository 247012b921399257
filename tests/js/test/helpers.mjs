// Shared helpers for the end-to-end tests. run.mjs starts the server and writes the context file.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";

const contextPath = process.env.KEYHUB_TEST_CONTEXT;
if (!contextPath) {
  throw new Error("KEYHUB_TEST_CONTEXT is not set: run the suite with `npm test` (node run.mjs), not `node --test` directly");
}

/** Connection details written by run.mjs. */
export const ctx = JSON.parse(readFileSync(contextPath, "utf8"));

/** Interval for the delete / recover pollers. */
export const POLL = { intervalInMs: 100 };

const runId = randomBytes(3).toString("hex");
let counter = 0;

/** A secret name no other test uses: `<prefix>-<run>-<n>`, valid for `^[0-9a-zA-Z-]{1,127}$`. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}-${runId}-${counter}`;
}

/** A ClientSecretCredential for the given principal ({ clientId, clientSecret }), pointed at Keyhub. */
export function credentialFor(principal = ctx.admin, options = {}) {
  return new ClientSecretCredential(ctx.tenantId, principal.clientId, principal.clientSecret, {
    authorityHost: ctx.authorityHost,
    disableInstanceDiscovery: true,
    ...options,
  });
}

/** A SecretClient for the hub vault as the given principal. */
export function secretClient(principal = ctx.admin, options = {}) {
  return new SecretClient(ctx.vaultUrl, credentialFor(principal), {
    disableChallengeResourceVerification: true,
    ...options,
  });
}

/** Asserts that `promise` rejects with a RestError of the given status and error code (and inner code). */
export async function rejectsWithRestError(promise, { statusCode, code, innerCode }) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a rejection with ${statusCode} ${code ?? ""}, but the call succeeded`);
  const summary = `${error.name}: statusCode=${error.statusCode} code=${error.code} message=${error.message}`;
  assert.equal(error.statusCode, statusCode, summary);
  if (code !== undefined) assert.equal(error.code, code, summary);
  if (innerCode !== undefined) {
    const inner = error.details?.error?.innerError?.code;
    assert.equal(inner, innerCode, `${summary}; details=${JSON.stringify(error.details)}`);
  }
  return error;
}

/** Deletes a secret and waits for the delete poller to finish. */
export async function deleteAndWait(client, name) {
  const poller = await client.beginDeleteSecret(name, POLL);
  return poller.pollUntilDone();
}

/** A Date with whole seconds (Key Vault stores attribute dates as Unix seconds). */
export function wholeSeconds(msFromNow) {
  return new Date(Math.floor((Date.now() + msFromNow) / 1000) * 1000);
}

/** Collects an async iterable into an array. */
export async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

// ---------------------------------------------------------------------------------------------------------------
// Keys (@azure/keyvault-keys): KeyClient, CryptographyClient, raw requests and JWK conversions.

const sharedCredentials = new Map();

/** One ClientSecretCredential per principal for the whole test file (it caches its token). */
export function sharedCredentialFor(principal = ctx.admin) {
  let credential = sharedCredentials.get(principal.clientId);
  if (!credential) {
    credential = credentialFor(principal);
    sharedCredentials.set(principal.clientId, credential);
  }
  return credential;
}

/** A KeyClient for the hub vault as the given principal. */
export function keyClient(principal = ctx.admin, options = {}) {
  return new KeyClient(ctx.vaultUrl, sharedCredentialFor(principal), {
    disableChallengeResourceVerification: true,
    ...options,
  });
}

/** A pipeline policy that appends `{ method, url, path }` of every request to `requests`. */
export function recordingPolicy(requests) {
  return {
    position: "perCall",
    policy: {
      name: "keyhubTestRecorder",
      sendRequest(request, next) {
        const url = new URL(request.url);
        requests.push({ method: request.method, url: request.url, path: url.pathname });
        return next(request);
      },
    },
  };
}

// GET /keys/{name} or /keys/{name}/{version?}: the request a CryptographyClient sends first.
const keyGetPath = /^\/keys\/[^/]+(\/[^/]*)?$/;

/**
 * A pipeline policy that answers the CryptographyClient's initial GET of the key with a 403 RestError without
 * sending it. The SDK then falls back to remote-only mode (documented SDK behaviour for a principal without
 * keys/read), so every operation — including RSA encrypt / wrap / verifyData and key_ops / nbf / exp checks that
 * it would otherwise do locally — goes to the server, which is what a test of the server's own checks needs.
 */
export const withholdKeyGetPolicy = {
  position: "perCall",
  policy: {
    name: "keyhubTestWithholdKeyGet",
    async sendRequest(request, next) {
      if (request.method === "GET" && keyGetPath.test(new URL(request.url).pathname)) {
        const error = new Error("keyhub test: GET of the key withheld to force remote operations");
        error.name = "RestError";
        error.statusCode = 403;
        throw error;
      }
      return next(request);
    },
  },
};

/**
 * A CryptographyClient as the admin for a KeyVaultKey or a key id.
 * `record`: an array that receives every request; `remoteOnly`: never read the key, do every operation remotely.
 */
export function cryptoClient(keyOrId, { principal = ctx.admin, record, remoteOnly = false, ...options } = {}) {
  const additionalPolicies = [...(options.additionalPolicies ?? [])];
  // The withholding policy runs first, so that `record` lists only the requests really sent.
  if (remoteOnly) additionalPolicies.push(withholdKeyGetPolicy);
  if (record) additionalPolicies.push(recordingPolicy(record));
  return new CryptographyClient(keyOrId, sharedCredentialFor(principal), {
    disableChallengeResourceVerification: true,
    ...options,
    additionalPolicies,
  });
}

/** The versionless id of a key: `<vaultUrl>/keys/<name>`. */
export function versionlessKeyId(name) {
  return `${ctx.vaultUrl}/keys/${name}`;
}

/**
 * A raw HTTPS request to the hub vault (or `vaultUrl`) with the principal's bearer token. `path` starts with `/`; the
 * api-version is appended. Resolves with `{ status, body (parsed JSON or undefined), text }`.
 */
export async function vaultRequest(method, path, body, { apiVersion = "7.6", principal = ctx.admin, vaultUrl = ctx.vaultUrl } = {}) {
  const { token } = await sharedCredentialFor(principal).getToken("https://localhost/.default");
  const url = `${vaultUrl}${path}${path.includes("?") ? "&" : "?"}api-version=${apiVersion}`;
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json, text };
}

/** Deletes a key and waits for the delete poller to finish. */
export async function deleteKeyAndWait(client, name) {
  const poller = await client.beginDeleteKey(name, POLL);
  return poller.pollUntilDone();
}

/** base64url of bytes. */
export function b64u(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

const jwkBinaryFields = ["n", "e", "d", "p", "q", "dp", "dq", "qi", "k", "x", "y"];

/** The public part of an SDK JsonWebKey (Uint8Array fields) as a JWK that Node's crypto.createPublicKey reads. */
export function toNodePublicJwk(jwk) {
  if (jwk.kty === "RSA" || jwk.kty === "RSA-HSM") return { kty: "RSA", n: b64u(jwk.n), e: b64u(jwk.e) };
  if (jwk.kty === "EC" || jwk.kty === "EC-HSM") {
    return { kty: "EC", crv: jwk.crv === "P-256K" ? "secp256k1" : jwk.crv, x: b64u(jwk.x), y: b64u(jwk.y) };
  }
  throw new Error(`no public JWK for kty ${jwk.kty}`);
}

/** A Node JWK (base64url strings, e.g. from KeyObject.export({ format: "jwk" })) as an SDK JsonWebKey for importKey. */
export function toSdkJwk(nodeJwk, extra = {}) {
  const jwk = { kty: nodeJwk.kty };
  if (nodeJwk.crv) jwk.crv = nodeJwk.crv === "secp256k1" ? "P-256K" : nodeJwk.crv;
  for (const field of jwkBinaryFields) {
    if (typeof nodeJwk[field] === "string") jwk[field] = new Uint8Array(Buffer.from(nodeJwk[field], "base64url"));
  }
  return { ...jwk, ...extra };
}
