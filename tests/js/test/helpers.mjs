// Shared helpers for the end-to-end tests. run.mjs starts the server and writes the context file.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

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
