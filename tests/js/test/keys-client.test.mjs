// KeyClient against a real Keyhub: create (RSA, EC, oct), import, get, update, rotate, rotation policy, random bytes.
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { test } from "node:test";
import {
  cryptoClient,
  ctx,
  keyClient,
  rejectsWithRestError,
  toSdkJwk,
  uniqueName,
  vaultRequest,
  wholeSeconds,
} from "./helpers.mjs";

const client = keyClient();

const RSA_OPS = ["decrypt", "encrypt", "sign", "unwrapKey", "verify", "wrapKey"];
const EC_OPS = ["sign", "verify"];
const OCT_OPS = ["decrypt", "encrypt", "unwrapKey", "wrapKey"];
const PRIVATE_FIELDS = ["d", "p", "q", "dp", "dq", "qi", "k", "t"];

const sorted = (ops) => [...(ops ?? [])].sort();

/** Asserts the shape every KeyVaultKey shares, and that no private or symmetric JWK member came back. */
function assertKeyShape(key, { name, kty, enabled = true }) {
  assert.equal(key.name, name);
  assert.equal(key.properties.name, name);
  assert.equal(key.properties.vaultUrl, ctx.vaultUrl);
  assert.match(key.properties.version, /^[0-9a-f]{32}$/, "version is 32 hex characters");
  assert.equal(key.id, `${ctx.vaultUrl}/keys/${name}/${key.properties.version}`);
  assert.equal(key.key.kid, key.id, "the JWK kid is the versioned key id");
  assert.equal(key.keyType, kty);
  assert.equal(key.key.kty, kty);
  assert.equal(key.properties.enabled, enabled);
  assert.ok(key.properties.createdOn instanceof Date, "createdOn is set");
  assert.ok(key.properties.updatedOn instanceof Date, "updatedOn is set");
  assert.ok(Math.abs(key.properties.createdOn.getTime() - Date.now()) < 5 * 60_000, "createdOn is about now");
  assert.ok(key.properties.recoveryLevel, "recoveryLevel is set");
  assert.ok(key.properties.recoverableDays > 0, "recoverableDays is positive");
  for (const field of PRIVATE_FIELDS) assert.equal(key.key[field], undefined, `the JWK has no "${field}"`);
}

test("createRsaKey without a size makes a 2048-bit RSA key: n of 256 bytes, e = 65537, the six RSA key_ops, no private part", async () => {
  const name = uniqueName("rsa-default");
  const key = await client.createRsaKey(name);
  assertKeyShape(key, { name, kty: "RSA" });
  assert.equal(key.key.n.length, 256, "n is 256 bytes, with no leading zero byte");
  assert.ok(key.key.n[0] & 0x80, "the top bit of a 2048-bit modulus is set");
  assert.deepEqual([...key.key.e], [1, 0, 1], "e is 65537 (AQAB)");
  assert.deepEqual(sorted(key.keyOperations), RSA_OPS);
  assert.deepEqual(sorted(key.key.keyOps), RSA_OPS);
  assert.equal(key.key.crv, undefined);
  assert.equal(key.key.x, undefined);
});

test("createKey of kty RSA with keySize 4096 and publicExponent 65537 gives a 512-byte modulus and e = 65537", async () => {
  // The only RSA 4096 key of the suite (slow to generate); 3072 is covered by the rotation test.
  const k4096 = await client.createKey(uniqueName("rsa-4096"), "RSA", { keySize: 4096, publicExponent: 65537 });
  assert.equal(k4096.key.n.length, 512);
  assert.deepEqual([...k4096.key.e], [1, 0, 1]);
  assert.deepEqual(sorted(k4096.keyOperations), RSA_OPS);
});

for (const [curve, coordinateBytes] of [
  ["P-256", 32],
  ["P-384", 48],
  ["P-521", 66],
  ["P-256K", 32],
]) {
  test(`createEcKey on ${curve} returns crv, x and y of ${coordinateBytes} bytes each, key_ops sign and verify, no d`, async () => {
    const name = uniqueName(`ec-${curve.toLowerCase()}`);
    const key = await client.createEcKey(name, { curve });
    assertKeyShape(key, { name, kty: "EC" });
    assert.equal(key.key.crv, curve);
    assert.equal(key.key.x?.length, coordinateBytes, "x has the full coordinate size (RFC 7518 §6.2.1.2)");
    assert.equal(key.key.y?.length, coordinateBytes, "y has the full coordinate size");
    assert.deepEqual(sorted(key.keyOperations), EC_OPS);
    assert.equal(key.key.n, undefined);
  });
}

test("createKey of kty EC without a curve makes a P-256 key (Azure's default)", async () => {
  const key = await client.createKey(uniqueName("ec-default"), "EC");
  assert.equal(key.key.crv, "P-256");
  assert.equal(key.key.x.length, 32);
});

for (const keySize of [128, 192, 256]) {
  test(`createOctKey of ${keySize} bits returns kty oct without k and key_ops encrypt, decrypt, wrapKey, unwrapKey`, async () => {
    const name = uniqueName(`oct-${keySize}`);
    const key = await client.createOctKey(name, { keySize });
    assertKeyShape(key, { name, kty: "oct" });
    assert.deepEqual(sorted(key.keyOperations), OCT_OPS);
    assert.equal(key.key.k, undefined, "the symmetric key is never returned");
  });
}

test("the raw GET /keys/{name} body names the JWK members as Azure does (kid, kty, key_ops, n, e) and holds nothing private", async () => {
  const rsaName = uniqueName("raw-rsa");
  const ecName = uniqueName("raw-ec");
  const octName = uniqueName("raw-oct");
  await client.createRsaKey(rsaName);
  await client.createEcKey(ecName, { curve: "P-384" });
  await client.createOctKey(octName, { keySize: 256 });

  const rsa = await vaultRequest("GET", `/keys/${rsaName}`);
  assert.equal(rsa.status, 200, rsa.text);
  assert.deepEqual(Object.keys(rsa.body.key).sort(), ["e", "key_ops", "kid", "kty", "n"]);
  assert.equal(rsa.body.key.e, "AQAB");
  assert.match(rsa.body.key.n, /^[A-Za-z0-9_-]+$/, "n is base64url without padding");
  assert.equal(typeof rsa.body.attributes.created, "number", "created is Unix seconds");
  assert.equal(typeof rsa.body.attributes.updated, "number", "updated is Unix seconds");
  assert.equal(rsa.body.attributes.enabled, true);

  const ec = await vaultRequest("GET", `/keys/${ecName}`);
  assert.equal(ec.status, 200, ec.text);
  assert.deepEqual(Object.keys(ec.body.key).sort(), ["crv", "key_ops", "kid", "kty", "x", "y"]);
  assert.equal(ec.body.key.crv, "P-384");

  const oct = await vaultRequest("GET", `/keys/${octName}`);
  assert.equal(oct.status, 200, oct.text);
  assert.deepEqual(Object.keys(oct.body.key).sort(), ["key_ops", "kid", "kty"]);
  assert.equal(oct.body.key.kty, "oct");
});

test("createKey with keyOps, tags, enabled, notBefore and expiresOn: all round-trip through getKey", async () => {
  const name = uniqueName("attrs");
  const notBefore = wholeSeconds(-60_000);
  const expiresOn = wholeSeconds(30 * 24 * 3600_000);
  const tags = { env: "test", "with space": "and = sign" };
  const created = await client.createEcKey(name, {
    curve: "P-256",
    keyOps: ["sign"],
    tags,
    enabled: false,
    notBefore,
    expiresOn,
  });
  for (const key of [created, await client.getKey(name), await client.getKey(name, { version: created.properties.version })]) {
    assert.deepEqual(key.keyOperations, ["sign"]);
    assert.deepEqual(key.properties.tags, tags);
    assert.equal(key.properties.enabled, false);
    assert.equal(key.properties.notBefore?.getTime(), notBefore.getTime());
    assert.equal(key.properties.expiresOn?.getTime(), expiresOn.getTime());
    assert.equal(key.properties.version, created.properties.version);
  }
});

test("createKey on an existing name adds a version; getKey returns the latest without a version and each version with one", async () => {
  const name = uniqueName("versions");
  const first = await client.createEcKey(name, { curve: "P-256" });
  const second = await client.createEcKey(name, { curve: "P-384" });
  assert.notEqual(first.properties.version, second.properties.version);

  const latest = await client.getKey(name);
  assert.equal(latest.properties.version, second.properties.version);
  assert.equal(latest.key.crv, "P-384");
  const otherCase = await client.getKey(name.toUpperCase());
  assert.equal(otherCase.id, second.id, "names are case-insensitive; the id keeps the case given at creation");
  assert.deepEqual(Buffer.from(latest.key.x), Buffer.from(second.key.x));

  const old = await client.getKey(name, { version: first.properties.version });
  assert.equal(old.id, first.id);
  assert.equal(old.key.crv, "P-256");
  assert.deepEqual(Buffer.from(old.key.x), Buffer.from(first.key.x));
});

test("getKey of a missing key is 404 KeyNotFound, and of a missing version of an existing key 404", async () => {
  const name = uniqueName("missing");
  await rejectsWithRestError(client.getKey(name), { statusCode: 404, code: "KeyNotFound" });
  await client.createOctKey(name, { keySize: 128 });
  await rejectsWithRestError(client.getKey(name, { version: "0123456789abcdef0123456789abcdef" }), { statusCode: 404 });
});

test("-HSM key types are refused with 400 BadParameter and nothing is created", async () => {
  const name = uniqueName("hsm");
  await rejectsWithRestError(client.createRsaKey(name, { hsm: true }), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.createEcKey(name, { hsm: true, curve: "P-256" }), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.createOctKey(name, { hsm: true, keySize: 256 }), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.getKey(name), { statusCode: 404, code: "KeyNotFound" });
});

test("unsupported RSA and oct sizes and an unknown curve are refused with 400 and nothing is created", async () => {
  const name = uniqueName("badsize");
  await rejectsWithRestError(client.createRsaKey(name, { keySize: 1024 }), { statusCode: 400 });
  await rejectsWithRestError(client.createOctKey(name, { keySize: 512 }), { statusCode: 400 });
  await rejectsWithRestError(client.createEcKey(name, { curve: "P-999" }), { statusCode: 400 });
  await rejectsWithRestError(client.getKey(name), { statusCode: 404, code: "KeyNotFound" });
});

test("importKey of an RSA JWK with private parts returns the same n and e, the six RSA key_ops, and no private part", async () => {
  const name = uniqueName("import-rsa");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  const imported = await client.importKey(name, toSdkJwk(jwk), { tags: { source: "node" } });
  assertKeyShape(imported, { name, kty: "RSA" });
  assert.equal(b64(imported.key.n), jwk.n);
  assert.equal(b64(imported.key.e), jwk.e);
  assert.deepEqual(sorted(imported.keyOperations), RSA_OPS, "no key_ops given: every RSA operation");
  assert.deepEqual(imported.properties.tags, { source: "node" });

  const got = await client.getKey(name);
  assert.equal(got.id, imported.id);
  for (const field of PRIVATE_FIELDS) assert.equal(got.key[field], undefined, `GET after import has no "${field}"`);
});

test("importKey of EC (P-256K) and oct JWKs keeps the given key_ops, enabled and expiry, and never returns d or k", async () => {
  const ecName = uniqueName("import-ec");
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const ecJwk = privateKey.export({ format: "jwk" });
  const expiresOn = wholeSeconds(7 * 24 * 3600_000);
  const ec = await client.importKey(ecName, toSdkJwk(ecJwk, { keyOps: ["verify"] }), { enabled: false, expiresOn });
  assertKeyShape(ec, { name: ecName, kty: "EC", enabled: false });
  assert.equal(ec.key.crv, "P-256K");
  assert.equal(b64(ec.key.x), ecJwk.x);
  assert.equal(b64(ec.key.y), ecJwk.y);
  assert.deepEqual(ec.keyOperations, ["verify"]);
  assert.equal(ec.properties.expiresOn?.getTime(), expiresOn.getTime());

  const octName = uniqueName("import-oct");
  const oct = await client.importKey(octName, { kty: "oct", k: new Uint8Array(randomBytes(32)), keyOps: ["wrapKey", "unwrapKey"] });
  assertKeyShape(oct, { name: octName, kty: "oct" });
  assert.deepEqual(sorted(oct.keyOperations), ["unwrapKey", "wrapKey"]);
  assert.equal((await client.getKey(octName)).key.k, undefined);
});

test("importKey of a JWK without its private part, or with an oct key of an unsupported size, is refused with 400", async () => {
  const name = uniqueName("import-bad");
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  await rejectsWithRestError(client.importKey(name, toSdkJwk(publicKey.export({ format: "jwk" }))), { statusCode: 400 });
  await rejectsWithRestError(client.importKey(name, { kty: "oct", k: new Uint8Array(randomBytes(20)) }), { statusCode: 400 });
  await rejectsWithRestError(client.getKey(name), { statusCode: 404 });
});

test("updateKeyProperties changes key_ops, enabled, notBefore, expiresOn and tags of one version, and leaves the JWK and other versions alone", async () => {
  const name = uniqueName("update");
  const v1 = await client.createOctKey(name, { keySize: 256, tags: { a: "1" } });
  const v2 = await client.createOctKey(name, { keySize: 256 });
  const notBefore = wholeSeconds(-3600_000);
  const expiresOn = wholeSeconds(90 * 24 * 3600_000);

  const updated = await client.updateKeyProperties(name, v1.properties.version, {
    keyOps: ["encrypt", "decrypt"],
    enabled: false,
    notBefore,
    expiresOn,
    tags: { b: "2" },
  });
  assert.equal(updated.id, v1.id);
  assert.deepEqual(sorted(updated.keyOperations), ["decrypt", "encrypt"]);
  assert.equal(updated.properties.enabled, false);
  assert.equal(updated.properties.notBefore?.getTime(), notBefore.getTime());
  assert.equal(updated.properties.expiresOn?.getTime(), expiresOn.getTime());
  assert.deepEqual(updated.properties.tags, { b: "2" }, "tags are replaced, not merged");
  assert.ok(updated.properties.updatedOn.getTime() >= v1.properties.updatedOn.getTime());
  assert.equal(updated.properties.createdOn.getTime(), v1.properties.createdOn.getTime());

  const again = await client.getKey(name, { version: v1.properties.version });
  assert.deepEqual(sorted(again.keyOperations), ["decrypt", "encrypt"]);
  assert.equal(again.properties.enabled, false);
  assert.deepEqual(again.properties.tags, { b: "2" });

  const latest = await client.getKey(name);
  assert.equal(latest.properties.version, v2.properties.version, "the update did not add a version");
  assert.deepEqual(sorted(latest.keyOperations), OCT_OPS, "the other version is unchanged");
  assert.equal(latest.properties.enabled, true);

  // Only the given fields change.
  const tagsOnly = await client.updateKeyProperties(name, v1.properties.version, { tags: { c: "3" } });
  assert.deepEqual(tagsOnly.properties.tags, { c: "3" });
  assert.equal(tagsOnly.properties.enabled, false);
  assert.deepEqual(sorted(tagsOnly.keyOperations), ["decrypt", "encrypt"]);
});

test("updateKeyProperties without a version updates the latest version", async () => {
  const name = uniqueName("update-latest");
  const v1 = await client.createEcKey(name, { curve: "P-256" });
  const v2 = await client.createEcKey(name, { curve: "P-256" });
  const updated = await client.updateKeyProperties(name, { tags: { latest: "yes" } });
  assert.equal(updated.properties.version, v2.properties.version);
  assert.deepEqual((await client.getKey(name)).properties.tags, { latest: "yes" });
  assert.equal((await client.getKey(name, { version: v1.properties.version })).properties.tags, undefined);
});

test("updateKeyProperties of a missing key is 404 KeyNotFound, and an invalid key operation is refused with 400", async () => {
  const name = uniqueName("update-missing");
  await rejectsWithRestError(client.updateKeyProperties(name, "0123456789abcdef0123456789abcdef", { tags: { a: "b" } }), {
    statusCode: 404,
  });
  const key = await client.createEcKey(name, { curve: "P-256" });
  await rejectsWithRestError(client.updateKeyProperties(name, key.properties.version, { keyOps: ["fly"] }), { statusCode: 400 });
  assert.deepEqual(sorted((await client.getKey(name)).keyOperations), EC_OPS, "nothing changed");
});

test("rotateKey makes a new version with the same kty, size, curve, key_ops and tags; the old version remains", async () => {
  const ecName = uniqueName("rotate-ec");
  const ec = await client.createEcKey(ecName, { curve: "P-384", keyOps: ["sign"], tags: { t: "1" } });
  const ecRotated = await client.rotateKey(ecName);
  assert.notEqual(ecRotated.properties.version, ec.properties.version);
  assert.equal(ecRotated.keyType, "EC");
  assert.equal(ecRotated.key.crv, "P-384");
  assert.equal(ecRotated.key.x.length, 48);
  assert.notDeepEqual(Buffer.from(ecRotated.key.x), Buffer.from(ec.key.x), "new key material");
  assert.deepEqual(ecRotated.keyOperations, ["sign"]);
  assert.deepEqual(ecRotated.properties.tags, { t: "1" }, "tags are carried to the new version");
  assert.equal((await client.getKey(ecName)).properties.version, ecRotated.properties.version, "the rotated version is the latest");
  assert.equal((await client.getKey(ecName, { version: ec.properties.version })).id, ec.id, "the old version is kept");

  const octName = uniqueName("rotate-oct");
  await client.createOctKey(octName, { keySize: 192, keyOps: ["wrapKey", "unwrapKey"] });
  const octRotated = await client.rotateKey(octName);
  assert.equal(octRotated.keyType, "oct");
  assert.deepEqual(sorted(octRotated.keyOperations), ["unwrapKey", "wrapKey"]);

  const rsaName = uniqueName("rotate-rsa");
  const rsa = await client.createRsaKey(rsaName, { keySize: 3072, keyOps: ["encrypt", "decrypt"] });
  assert.equal(rsa.key.n.length, 384, "a 3072-bit key");
  const rsaRotated = await client.rotateKey(rsaName);
  assert.equal(rsaRotated.keyType, "RSA");
  assert.equal(rsaRotated.key.n.length, 384, "same RSA size");
  assert.notDeepEqual(Buffer.from(rsaRotated.key.n), Buffer.from(rsa.key.n));
  assert.deepEqual(sorted(rsaRotated.keyOperations), ["decrypt", "encrypt"]);

  const versions = [];
  for await (const p of client.listPropertiesOfKeyVersions(rsaName)) versions.push(p.version);
  assert.deepEqual(versions.sort(), [rsa.properties.version, rsaRotated.properties.version].sort());
});

test("rotateKey of a key whose rotation policy has expiresIn gives the new version that expiry", async () => {
  const name = uniqueName("rotate-expiry");
  await client.createOctKey(name, { keySize: 128 });
  await client.updateKeyRotationPolicy(name, { expiresIn: "P30D", lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P20D" }] });
  const rotated = await client.rotateKey(name);
  assert.ok(rotated.properties.expiresOn instanceof Date, "the rotated version has an expiry");
  const days = (rotated.properties.expiresOn - rotated.properties.createdOn) / 86_400_000;
  assert.ok(Math.abs(days - 30) < 0.01, `expires 30 days after creation, got ${days}`);
});

test("rotateKey of a missing key is 404 KeyNotFound", async () => {
  await rejectsWithRestError(client.rotateKey(uniqueName("rotate-missing")), { statusCode: 404, code: "KeyNotFound" });
});

test("updateKeyRotationPolicy stores lifetimeActions (Rotate after create, Notify before expiry) and expiresIn; getKeyRotationPolicy returns them", async () => {
  const name = uniqueName("policy");
  await client.createOctKey(name, { keySize: 128 });

  // A key without a policy still answers (Azure returns a default policy).
  const initial = await client.getKeyRotationPolicy(name);
  assert.deepEqual(
    initial.lifetimeActions,
    [{ action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P30D" }],
    "Azure's default: notify 30 days before expiry",
  );

  const policy = {
    expiresIn: "P90D",
    lifetimeActions: [
      { action: "Rotate", timeAfterCreate: "P30D" },
      { action: "Notify", timeBeforeExpiry: "P7D" },
    ],
  };
  const set = await client.updateKeyRotationPolicy(name, policy);
  const got = await client.getKeyRotationPolicy(name);
  for (const p of [set, got]) {
    assert.equal(p.id, `${ctx.vaultUrl}/keys/${name}/rotationpolicy`);
    assert.equal(p.expiresIn, "P90D");
    assert.ok(p.createdOn instanceof Date, "createdOn is set");
    assert.ok(p.updatedOn instanceof Date, "updatedOn is set");
    const actions = [...p.lifetimeActions].sort((a, b) => a.action.localeCompare(b.action));
    assert.deepEqual(actions, [
      { action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P7D" },
      { action: "Rotate", timeAfterCreate: "P30D", timeBeforeExpiry: undefined },
    ]);
  }

  // A second update replaces the policy.
  const replaced = await client.updateKeyRotationPolicy(name, {
    expiresIn: "P2Y",
    lifetimeActions: [{ action: "Rotate", timeBeforeExpiry: "P60D" }],
  });
  assert.equal(replaced.expiresIn, "P2Y");
  assert.deepEqual(replaced.lifetimeActions, [{ action: "Rotate", timeAfterCreate: undefined, timeBeforeExpiry: "P60D" }]);
  const after = await client.getKeyRotationPolicy(name);
  assert.deepEqual(after.lifetimeActions, replaced.lifetimeActions);
  assert.equal(after.createdOn?.getTime(), got.createdOn?.getTime(), "createdOn stays");
});

test("a rotation policy with an invalid duration is refused with 400, and one for a missing key with 404", async () => {
  const name = uniqueName("policy-bad");
  await client.createOctKey(name, { keySize: 128 });
  await rejectsWithRestError(
    client.updateKeyRotationPolicy(name, { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "thirty days" }] }),
    { statusCode: 400 },
  );
  await rejectsWithRestError(client.getKeyRotationPolicy(uniqueName("policy-missing")), { statusCode: 404 });
});

test("getRandomBytes returns exactly 1, 16 and 128 bytes, different each time; 0 and 129 are refused with 400", async () => {
  for (const count of [1, 16, 128]) {
    const bytes = await client.getRandomBytes(count);
    assert.ok(bytes instanceof Uint8Array, "bytes");
    assert.equal(bytes.length, count);
  }
  const a = Buffer.from(await client.getRandomBytes(32));
  const b = Buffer.from(await client.getRandomBytes(32));
  assert.notDeepEqual(a, b, "two draws differ");
  assert.notDeepEqual(a, Buffer.alloc(32), "not all zero");

  await rejectsWithRestError(client.getRandomBytes(0), { statusCode: 400 });
  await rejectsWithRestError(client.getRandomBytes(129), { statusCode: 400 });
});

test("releaseKey and getKeyAttestation are refused with 400 (out of scope)", async () => {
  const name = uniqueName("release");
  await client.createEcKey(name, { curve: "P-256" });
  await rejectsWithRestError(client.releaseKey(name, "not-an-attestation-token"), { statusCode: 400 });
  await rejectsWithRestError(client.getKeyAttestation(name), { statusCode: 400 });
});

test("createKey with exportable and a release policy is refused with 400 (key release is out of scope)", async () => {
  const name = uniqueName("release-policy");
  await rejectsWithRestError(
    client.createEcKey(name, {
      curve: "P-256",
      exportable: true,
      releasePolicy: { encodedPolicy: new TextEncoder().encode('{"anyOf":[]}') },
    }),
    { statusCode: 400 },
  );
  await rejectsWithRestError(client.getKey(name), { statusCode: 404 });
});

function b64(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

for (const serviceVersion of ["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"]) {
  test(`serviceVersion ${serviceVersion}: createEcKey, getKey, list versions, sign and verify, each request with that api-version`, async () => {
    const requests = [];
    const recorder = {
      position: "perCall",
      policy: {
        name: "recordKeyUrls",
        sendRequest(request, next) {
          requests.push(request.url);
          return next(request);
        },
      },
    };
    const versioned = keyClient(undefined, { serviceVersion, additionalPolicies: [recorder] });
    const name = uniqueName(`kapiv-${serviceVersion.replace(/\./g, "-")}`);
    const created = await versioned.createEcKey(name, { curve: "P-256", tags: { v: serviceVersion } });
    const got = await versioned.getKey(name);
    assert.equal(got.id, created.id);
    assert.deepEqual(got.properties.tags, { v: serviceVersion });
    const versions = [];
    for await (const p of versioned.listPropertiesOfKeyVersions(name)) versions.push(p.version);
    assert.deepEqual(versions, [created.properties.version]);

    const c = cryptoClient(created.id, { serviceVersion, additionalPolicies: [recorder] });
    const digest = createHash("sha256").update(serviceVersion).digest();
    const signed = await c.sign("ES256", digest);
    assert.equal((await c.verify("ES256", digest, signed.result)).result, true);

    assert.ok(requests.length >= 5, "requests were recorded");
    for (const url of requests) assert.equal(new URL(url).searchParams.get("api-version"), serviceVersion, `request ${url}`);
  });
}
