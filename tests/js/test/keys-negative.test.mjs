// Keys, negative cases: wrong algorithm, operation not in key_ops, disabled / expired / not-yet-valid keys, tampered
// ciphertext, caller IV for GCM, bad sizes, missing keys, missing permissions. Each the Azure error, nothing changed.
//
// Most clients here are `remoteOnly` (see helpers.mjs): the SDK would otherwise refuse some of these calls itself
// (it checks key_ops / nbf / exp from the key it read) or do them locally, and the server's own checks are under test.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, test } from "node:test";
import {
  collect,
  cryptoClient,
  ctx,
  keyClient,
  rejectsWithRestError,
  uniqueName,
  vaultRequest,
  versionlessKeyId,
  wholeSeconds,
} from "./helpers.mjs";

const client = keyClient();
const remote = (keyOrId) => cryptoClient(keyOrId, { remoteOnly: true });
const FORBIDDEN = { statusCode: 403, code: "Forbidden" };
const BAD = { statusCode: 400, code: "BadParameter" };
const digest32 = randomBytes(32);

let rsa; // all operations
let rsaSignOnly; // key_ops sign, verify
before(async () => {
  // One after the other: a new client's first requests sent at once can race in the SDK's challenge handling,
  // which then resends one without its body.
  rsa = await client.createRsaKey(uniqueName("neg-rsa"), { keySize: 2048 });
  rsaSignOnly = await client.createRsaKey(uniqueName("neg-rsa-signonly"), { keySize: 2048, keyOps: ["sign", "verify"] });
});

test("an algorithm that does not fit the key type is refused with 400 BadParameter", async () => {
  const ec = await client.createEcKey(uniqueName("neg-alg-ec"), { curve: "P-256" });
  const oct = await client.createOctKey(uniqueName("neg-alg-oct"), { keySize: 256 });

  const r = remote(rsa.id);
  await rejectsWithRestError(r.sign("ES256", digest32), BAD);
  await rejectsWithRestError(r.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), BAD);
  await rejectsWithRestError(r.wrapKey("A256KW", randomBytes(32)), BAD);
  await rejectsWithRestError(r.encrypt({ algorithm: "NOT-AN-ALG", plaintext: Buffer.from("x") }), BAD);

  const e = remote(ec.id);
  await rejectsWithRestError(e.sign("RS256", digest32), BAD);
  await rejectsWithRestError(e.sign("PS256", digest32), BAD);
  await rejectsWithRestError(e.sign("ES384", randomBytes(48)), BAD); // P-256 key, P-384 algorithm
  await rejectsWithRestError(e.sign("ES256K", digest32), BAD); // P-256 key, secp256k1 algorithm

  const o = remote(oct.id);
  await rejectsWithRestError(o.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("x") }), BAD);
  await rejectsWithRestError(o.wrapKey("RSA-OAEP-256", randomBytes(32)), BAD);
  await rejectsWithRestError(o.unwrapKey("RSA1_5", randomBytes(256)), BAD);

  // The raw error body is Azure's.
  const raw = await vaultRequest("POST", `/keys/${ec.name}/${ec.properties.version}/sign`, {
    alg: "RS256",
    value: digest32.toString("base64url"),
  });
  assert.equal(raw.status, 400, raw.text);
  assert.equal(raw.body?.error?.code, "BadParameter");
  assert.equal(typeof raw.body?.error?.message, "string");
});

test("an AES algorithm whose size differs from the oct key's size is refused with 400 BadParameter", async () => {
  const oct = await client.createOctKey(uniqueName("neg-alg-size"), { keySize: 256 });
  const o = remote(oct.id);
  await rejectsWithRestError(o.encrypt({ algorithm: "A128GCM", plaintext: Buffer.from("x") }), BAD);
  await rejectsWithRestError(o.wrapKey("A192KW", randomBytes(16)), BAD);
  await rejectsWithRestError(o.encrypt({ algorithm: "A128CBCPAD", plaintext: Buffer.from("x"), iv: randomBytes(16) }), BAD);
});

test("an operation not in key_ops is refused with 403 Forbidden; the SDK, reading exact key_ops, refuses it before sending", async () => {
  // The SDK reads key_ops from the JWK Keyhub returns and refuses locally: no encrypt request is sent.
  const requests = [];
  const hybrid = cryptoClient(rsaSignOnly.id, { record: requests });
  await assert.rejects(hybrid.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("x") }), /encrypt is not supported/);
  assert.deepEqual(requests.filter((r) => r.method === "POST"), [], "nothing was sent");

  // Keyhub itself refuses, when asked directly.
  const r = remote(rsaSignOnly.id);
  // Inner codes as documented in the README (KeyOperationForbidden, KeyDisabled, KeyExpired, KeyNotYetValid).
  await rejectsWithRestError(r.encrypt({ algorithm: "RSA-OAEP-256", plaintext: Buffer.from("x") }), {
    ...FORBIDDEN,
    innerCode: "KeyOperationForbidden",
  });
  await rejectsWithRestError(r.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("x") }), FORBIDDEN);
  await rejectsWithRestError(r.decrypt({ algorithm: "RSA-OAEP", ciphertext: randomBytes(256) }), FORBIDDEN);
  await rejectsWithRestError(r.wrapKey("RSA-OAEP", randomBytes(32)), FORBIDDEN);
  await rejectsWithRestError(r.unwrapKey("RSA-OAEP", randomBytes(256)), FORBIDDEN);
  const signed = await r.sign("RS256", digest32);
  assert.equal((await r.verify("RS256", digest32, signed.result)).result, true, "the allowed operations work");

  // oct with encrypt/decrypt only: no wrapping.
  const oct = await client.createOctKey(uniqueName("neg-ops-oct"), { keySize: 256, keyOps: ["encrypt", "decrypt"] });
  const o = remote(oct.id);
  await rejectsWithRestError(o.wrapKey("A256KW", randomBytes(32)), FORBIDDEN);
  await rejectsWithRestError(o.unwrapKey("A256KW", randomBytes(40)), FORBIDDEN);
  assert.ok((await o.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("ok") })).result);

  // EC with verify only: no signing.
  const ec = await client.createEcKey(uniqueName("neg-ops-ec"), { curve: "P-256", keyOps: ["verify"] });
  await rejectsWithRestError(remote(ec.id).sign("ES256", digest32), FORBIDDEN);

  // Raw: the Azure error body.
  const raw = await vaultRequest("POST", `/keys/${rsaSignOnly.name}/${rsaSignOnly.properties.version}/encrypt`, {
    alg: "RSA-OAEP-256",
    value: Buffer.from("x").toString("base64url"),
  });
  assert.equal(raw.status, 403, raw.text);
  assert.equal(raw.body?.error?.code, "Forbidden");
});

test("updateKeyProperties of key_ops takes effect at once: a removed operation is refused with 403, an added one works", async () => {
  const ec = await client.createEcKey(uniqueName("neg-ops-update"), { curve: "P-384" });
  const c = remote(ec.id);
  const digest = randomBytes(48);
  const signed = await c.sign("ES384", digest);
  await client.updateKeyProperties(ec.name, ec.properties.version, { keyOps: ["verify"] });
  await rejectsWithRestError(c.sign("ES384", digest), FORBIDDEN);
  assert.equal((await c.verify("ES384", digest, signed.result)).result, true);
  await client.updateKeyProperties(ec.name, ec.properties.version, { keyOps: ["sign", "verify"] });
  assert.equal((await c.sign("ES384", digest)).result.length, 96);
});

test("a disabled key refuses every operation with 403 Forbidden, nothing changes, and enabling it again restores them", async () => {
  const oct = await client.createOctKey(uniqueName("neg-disabled"), { keySize: 256 });
  const ec = await client.createEcKey(uniqueName("neg-disabled-ec"), { curve: "P-256" });
  const o = remote(oct.id);
  const e = remote(ec.id);
  const encrypted = await o.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("before") });
  const wrapped = await o.wrapKey("A256KW", randomBytes(32));
  const signed = await e.sign("ES256", digest32);
  const decryptParams = { algorithm: "A256GCM", ciphertext: encrypted.result, iv: encrypted.iv, authenticationTag: encrypted.authenticationTag };

  await client.updateKeyProperties(oct.name, oct.properties.version, { enabled: false });
  await client.updateKeyProperties(ec.name, ec.properties.version, { enabled: false });
  const octBefore = await client.getKey(oct.name);

  await rejectsWithRestError(o.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), { ...FORBIDDEN, innerCode: "KeyDisabled" });
  await rejectsWithRestError(o.decrypt(decryptParams), FORBIDDEN);
  await rejectsWithRestError(o.wrapKey("A256KW", randomBytes(32)), FORBIDDEN);
  await rejectsWithRestError(o.unwrapKey("A256KW", wrapped.result), FORBIDDEN);
  await rejectsWithRestError(e.sign("ES256", digest32), FORBIDDEN);
  await rejectsWithRestError(e.verify("ES256", digest32, signed.result), FORBIDDEN);
  await rejectsWithRestError(remote(versionlessKeyId(oct.name)).encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), FORBIDDEN);

  const octAfter = await client.getKey(oct.name);
  assert.equal(octAfter.properties.version, octBefore.properties.version);
  assert.equal(octAfter.properties.updatedOn?.getTime(), octBefore.properties.updatedOn?.getTime(), "refused operations change nothing");
  assert.equal((await collect(client.listPropertiesOfKeyVersions(oct.name))).length, 1);

  await client.updateKeyProperties(oct.name, oct.properties.version, { enabled: true });
  assert.deepEqual(Buffer.from((await o.decrypt(decryptParams)).result), Buffer.from("before"));

  // A key created disabled is refused from the start.
  const createdDisabled = await client.createOctKey(uniqueName("neg-created-disabled"), { keySize: 128, enabled: false });
  await rejectsWithRestError(remote(createdDisabled.id).encrypt({ algorithm: "A128GCM", plaintext: Buffer.from("x") }), FORBIDDEN);
});

test("an expired key (expiresOn in the past) refuses encrypt, wrapKey and sign with 403 Forbidden", async () => {
  const expiresOn = wholeSeconds(-3600_000);
  const oct = await client.createOctKey(uniqueName("neg-expired"), { keySize: 256, expiresOn, notBefore: wholeSeconds(-7200_000) });
  const ec = await client.createEcKey(uniqueName("neg-expired-ec"), { curve: "P-256", expiresOn });
  await rejectsWithRestError(remote(oct.id).encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), {
    ...FORBIDDEN,
    innerCode: "KeyExpired",
  });
  await rejectsWithRestError(remote(oct.id).wrapKey("A256KW", randomBytes(32)), FORBIDDEN);
  await rejectsWithRestError(remote(ec.id).sign("ES256", digest32), FORBIDDEN);

  // The SDK also reads exp from the JWK bundle and refuses locally.
  await assert.rejects(cryptoClient(ec.id).sign("ES256", digest32), /expired/);
});

test("a not-yet-valid key (notBefore in the future) refuses encrypt, wrapKey and sign with 403 Forbidden", async () => {
  const notBefore = wholeSeconds(24 * 3600_000);
  const oct = await client.createOctKey(uniqueName("neg-nbf"), { keySize: 128, notBefore });
  const ec = await client.createEcKey(uniqueName("neg-nbf-ec"), { curve: "P-256K", notBefore });
  await rejectsWithRestError(remote(oct.id).encrypt({ algorithm: "A128GCM", plaintext: Buffer.from("x") }), {
    ...FORBIDDEN,
    innerCode: "KeyNotYetValid",
  });
  await rejectsWithRestError(remote(oct.id).wrapKey("A128KW", randomBytes(16)), FORBIDDEN);
  await rejectsWithRestError(remote(ec.id).sign("ES256K", digest32), FORBIDDEN);
});

// Azure (about-keys-details.md, "Date-time controlled operations"): "Not-yet-valid and expired keys, outside the
// nbf / exp window, will work for decrypt, unwrap, and verify operations (won't return 403, Forbidden)."
for (const [label, window] of [
  ["expired keys (expiresOn in the past)", { expiresOn: wholeSeconds(-60_000) }],
  ["not-yet-valid keys (notBefore in the future)", { notBefore: wholeSeconds(3600_000), expiresOn: wholeSeconds(7200_000) }],
]) {
  test(`${label} still decrypt, unwrap and verify, and still refuse encrypt (Azure's date-time controlled operations)`, async () => {
    const oct = await client.createOctKey(uniqueName("neg-window"), { keySize: 256 });
    const ec = await client.createEcKey(uniqueName("neg-window-ec"), { curve: "P-256" });
    const o = remote(oct.id);
    const e = remote(ec.id);
    const plaintext = Buffer.from("made while valid");
    const encrypted = await o.encrypt({ algorithm: "A256GCM", plaintext });
    const keyToWrap = randomBytes(32);
    const wrapped = await o.wrapKey("A256KW", keyToWrap);
    const signed = await e.sign("ES256", digest32);

    await client.updateKeyProperties(oct.name, oct.properties.version, window);
    await client.updateKeyProperties(ec.name, ec.properties.version, window);
    const decrypted = await o.decrypt({ algorithm: "A256GCM", ciphertext: encrypted.result, iv: encrypted.iv, authenticationTag: encrypted.authenticationTag });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext, "decrypt works outside the window");
    assert.deepEqual(Buffer.from((await o.unwrapKey("A256KW", wrapped.result)).result), keyToWrap, "unwrapKey works outside the window");
    assert.equal((await e.verify("ES256", digest32, signed.result)).result, true, "verify works outside the window");
    await rejectsWithRestError(o.encrypt({ algorithm: "A256GCM", plaintext }), FORBIDDEN);
    await rejectsWithRestError(e.sign("ES256", digest32), FORBIDDEN);
  });
}

test("tampered GCM ciphertext, tag, iv or aad, bad CBC padding, a corrupted KW blob and a bad RSA ciphertext: 400 with one opaque message", async () => {
  const oct = await client.createOctKey(uniqueName("neg-tamper"), { keySize: 256 });
  const o = remote(oct.id);
  const plaintext = Buffer.from("authentic data, authentic data!");
  const aad = Buffer.from("aad");
  const enc = await o.encrypt({ algorithm: "A256GCM", plaintext, additionalAuthenticatedData: aad });
  const good = {
    algorithm: "A256GCM",
    ciphertext: Buffer.from(enc.result),
    iv: Buffer.from(enc.iv),
    authenticationTag: Buffer.from(enc.authenticationTag),
    additionalAuthenticatedData: aad,
  };
  const flip = (bytes, i = 0) => {
    const copy = Buffer.from(bytes);
    copy[i] ^= 0x01;
    return copy;
  };

  const failures = [
    ["GCM ciphertext", () => o.decrypt({ ...good, ciphertext: flip(good.ciphertext, 3) })],
    ["GCM tag", () => o.decrypt({ ...good, authenticationTag: flip(good.authenticationTag) })],
    ["GCM iv", () => o.decrypt({ ...good, iv: flip(good.iv) })],
    ["GCM aad", () => o.decrypt({ ...good, additionalAuthenticatedData: Buffer.from("other aad") })],
    ["GCM without aad", () => o.decrypt({ ...good, additionalAuthenticatedData: undefined })],
  ];

  const iv = randomBytes(16);
  const cbc = await o.encrypt({ algorithm: "A256CBCPAD", plaintext: Buffer.from("padded"), iv });
  // Flipping the last IV byte flips the last plaintext byte of the only block: the PKCS#7 padding no longer checks.
  failures.push(["CBCPAD padding", () => o.decrypt({ algorithm: "A256CBCPAD", ciphertext: cbc.result, iv: flip(iv, 15) })]);

  const wrapped = await o.wrapKey("A256KW", randomBytes(32));
  failures.push(["KW integrity", () => o.unwrapKey("A256KW", flip(wrapped.result, 10))]);

  const r = remote(rsa.id);
  const rsaCiphertext = (await r.encrypt({ algorithm: "RSA-OAEP-256", plaintext: Buffer.from("x") })).result;
  failures.push(["RSA-OAEP-256 ciphertext", () => r.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: flip(rsaCiphertext, 100) })]);
  failures.push(["RSA-OAEP unwrap", () => r.unwrapKey("RSA-OAEP", flip(rsaCiphertext, 100))]);

  const messages = new Map();
  for (const [label, attempt] of failures) {
    const error = await rejectsWithRestError(attempt(), { statusCode: 400 });
    messages.set(label, error.message);
  }
  const distinct = new Set(messages.values());
  assert.equal(distinct.size, 1, `one opaque message for every decryption failure, got ${JSON.stringify(Object.fromEntries(messages))}`);

  // The untampered input still decrypts.
  assert.deepEqual(Buffer.from((await o.decrypt(good)).result), plaintext);
});

test("a caller-supplied iv for GCM encrypt is refused with 400 (Keyhub generates the iv)", async () => {
  const oct = await client.createOctKey(uniqueName("neg-gcm-iv"), { keySize: 128 });
  await rejectsWithRestError(remote(oct.id).encrypt({ algorithm: "A128GCM", plaintext: Buffer.from("x"), iv: randomBytes(12) }), {
    statusCode: 400,
  });
  const raw = await vaultRequest("POST", `/keys/${oct.name}/${oct.properties.version}/encrypt`, {
    alg: "A128GCM",
    value: Buffer.from("x").toString("base64url"),
    iv: randomBytes(12).toString("base64url"),
  });
  assert.equal(raw.status, 400, raw.text);
  assert.ok(raw.body?.error?.code, "an Azure error body");
});

test("bad sizes are refused with 400: CBC iv not 16 bytes, A*CBC data not whole blocks, KW data not 64-bit blocks, RSA plaintext too long, digest of the wrong length, input over 64 KiB", async () => {
  const oct = await client.createOctKey(uniqueName("neg-sizes"), { keySize: 256 });
  const o = remote(oct.id);
  await rejectsWithRestError(o.encrypt({ algorithm: "A256CBCPAD", plaintext: Buffer.from("x"), iv: randomBytes(12) }), { statusCode: 400 });
  await rejectsWithRestError(o.encrypt({ algorithm: "A256CBC", plaintext: randomBytes(20), iv: randomBytes(16) }), { statusCode: 400 });
  await rejectsWithRestError(o.wrapKey("A256KW", randomBytes(20)), { statusCode: 400 });
  await rejectsWithRestError(o.wrapKey("A256KW", randomBytes(8)), { statusCode: 400 });

  const r = remote(rsa.id);
  await rejectsWithRestError(r.encrypt({ algorithm: "RSA-OAEP-256", plaintext: randomBytes(191) }), { statusCode: 400 }); // max 190 for 2048/SHA-256
  await rejectsWithRestError(r.encrypt({ algorithm: "RSA1_5", plaintext: randomBytes(246) }), { statusCode: 400 }); // max 245
  await rejectsWithRestError(r.sign("RS256", randomBytes(20)), { statusCode: 400 });
  await rejectsWithRestError(o.encrypt({ algorithm: "A256GCM", plaintext: randomBytes(64 * 1024 + 1) }), { statusCode: 400 }); // README: inputs ≤ 64 KiB
  assert.equal((await o.encrypt({ algorithm: "A256GCM", plaintext: randomBytes(64 * 1024) })).result.length, 64 * 1024);
  await rejectsWithRestError(r.sign("PS512", randomBytes(32)), { statusCode: 400 });
  const ec = await client.createEcKey(uniqueName("neg-sizes-ec"), { curve: "P-256" });
  await rejectsWithRestError(remote(ec.id).sign("ES256", randomBytes(48)), { statusCode: 400 });
});

test("operations on a missing key are refused with 404 KeyNotFound, and on a missing version of an existing key with 404", async () => {
  const missing = uniqueName("neg-missing");
  await rejectsWithRestError(remote(versionlessKeyId(missing)).encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), {
    statusCode: 404,
    code: "KeyNotFound",
  });
  await rejectsWithRestError(remote(`${versionlessKeyId(missing)}/0123456789abcdef0123456789abcdef`).sign("ES256", digest32), {
    statusCode: 404,
    code: "KeyNotFound",
  });
  await rejectsWithRestError(cryptoClient(versionlessKeyId(missing)).encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("x") }), {
    statusCode: 404,
    code: "KeyNotFound",
  });
  await rejectsWithRestError(remote(`${versionlessKeyId(rsa.name)}/0123456789abcdef0123456789abcdef`).sign("RS256", digest32), {
    statusCode: 404,
  });
});

test("principals without key permissions get 403 Forbidden on getKey, createKey and key operations", async (t) => {
  const noRoleKeys = keyClient(ctx.noRole);
  await rejectsWithRestError(noRoleKeys.getKey(rsa.name), FORBIDDEN);
  await rejectsWithRestError(noRoleKeys.createEcKey(uniqueName("neg-norole"), { curve: "P-256" }), FORBIDDEN);
  await rejectsWithRestError(noRoleKeys.listPropertiesOfKeys().next(), FORBIDDEN);
  // The SDK falls back to remote operations after its GET is refused; the operation is refused too.
  await rejectsWithRestError(cryptoClient(rsa.id, { principal: ctx.noRole }).sign("RS256", digest32), FORBIDDEN);

  if (!ctx.secretsUser) {
    t.diagnostic("no Secrets User principal: its part is skipped");
    return;
  }
  const secretsUserKeys = keyClient(ctx.secretsUser);
  await rejectsWithRestError(secretsUserKeys.getKey(rsa.name), FORBIDDEN);
  await rejectsWithRestError(cryptoClient(rsa.id, { principal: ctx.secretsUser }).decrypt({ algorithm: "RSA-OAEP", ciphertext: randomBytes(256) }), FORBIDDEN);
});

test("a Crypto Service Encryption User reads keys and wraps / unwraps, but gets 403 for every other operation and for writes", async (t) => {
  if (!ctx.cryptoEncryptionUser) {
    t.skip("run.mjs could not add a principal with the Crypto Service Encryption User role (see its output)");
    return;
  }
  const user = ctx.cryptoEncryptionUser;
  const userKeys = keyClient(user);
  const oct = await client.createOctKey(uniqueName("neg-rbac"), { keySize: 256 });

  assert.equal((await userKeys.getKey(rsa.name)).id, rsa.id, "keys/read");
  assert.ok((await userKeys.listPropertiesOfKeys().next()).value, "keys/read lists");

  const userRsa = cryptoClient(rsa.id, { principal: user, remoteOnly: true });
  const dataKey = randomBytes(32);
  const wrapped = await userRsa.wrapKey("RSA-OAEP-256", dataKey);
  assert.deepEqual(Buffer.from((await userRsa.unwrapKey("RSA-OAEP-256", wrapped.result)).result), dataKey, "keys/wrap and keys/unwrap");
  const userOct = cryptoClient(oct.id, { principal: user, remoteOnly: true });
  const octWrapped = await userOct.wrapKey("A256KW", dataKey);
  assert.deepEqual(Buffer.from((await userOct.unwrapKey("A256KW", octWrapped.result)).result), dataKey);

  await rejectsWithRestError(userRsa.encrypt({ algorithm: "RSA-OAEP-256", plaintext: Buffer.from("x") }), FORBIDDEN);
  await rejectsWithRestError(userRsa.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: wrapped.result }), FORBIDDEN);
  await rejectsWithRestError(userRsa.sign("RS256", digest32), FORBIDDEN);
  await rejectsWithRestError(userRsa.verify("RS256", digest32, randomBytes(256)), FORBIDDEN);
  await rejectsWithRestError(userOct.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), FORBIDDEN);

  await rejectsWithRestError(userKeys.createOctKey(uniqueName("neg-rbac-create"), { keySize: 128 }), FORBIDDEN);
  await rejectsWithRestError(userKeys.updateKeyProperties(oct.name, oct.properties.version, { enabled: false }), FORBIDDEN);
  await rejectsWithRestError(userKeys.rotateKey(oct.name), FORBIDDEN);
  await rejectsWithRestError(userKeys.backupKey(oct.name), FORBIDDEN);
  await rejectsWithRestError(userKeys.beginDeleteKey(oct.name), FORBIDDEN);
  await rejectsWithRestError(userKeys.getKeyRotationPolicy(oct.name), FORBIDDEN);
  await rejectsWithRestError(userKeys.updateKeyRotationPolicy(oct.name, { lifetimeActions: [] }), FORBIDDEN);

  const after = await client.getKey(oct.name);
  assert.equal(after.properties.enabled, true, "nothing changed");
  assert.equal(after.properties.version, oct.properties.version);
});
