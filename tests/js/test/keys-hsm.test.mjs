// HSM-backed keys (RSA-HSM, EC-HSM, oct-HSM) in a premium vault, through the official KeyClient and
// CryptographyClient. run.mjs gives the server a SoftHSM2 token of the run's own; the file creates a premium vault on
// a port of its own, gives the admin Key Vault Crypto Officer on it, and checks results with Node's crypto using only
// public JWKs (or the key material the test imported). Skipped, with the reason, when SoftHSM2 is not installed.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { KeyClient } from "@azure/keyvault-keys";
import {
  cryptoClient,
  ctx,
  deleteKeyAndWait,
  keyClient,
  rejectsWithRestError,
  sharedCredentialFor,
  toNodePublicJwk,
  toSdkJwk,
  uniqueName,
  vaultRequest,
} from "./helpers.mjs";

const HASH = { 256: "sha256", 384: "sha384", 512: "sha512" };
const hashOf = (alg) => HASH[alg.replace("ES256K", "ES256").slice(-3)];
const digestOf = (alg, data) => crypto.createHash(hashOf(alg)).update(data).digest();
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];
const { RSA_PKCS1_PADDING, RSA_PKCS1_OAEP_PADDING, RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST } = crypto.constants;

const hsm = ctx.hsm ?? { available: false, reason: "run.mjs wrote no `hsm` entry in the test context" };
const skipHsm = hsm.available ? false : `no HSM for premium vaults: ${hsm.reason}`;

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** A request to Keyhub's management API (/keyhub/v1, no api-version) on the main port, as the dev admin (Owner). */
async function managementRequest(method, path, body) {
  const { token } = await sharedCredentialFor(ctx.admin).getToken("https://localhost/.default");
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${ctx.vaultUrl}/keyhub/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json, text };
}

/** The oid claim of the admin's access token: the object id that role assignments name. */
async function adminObjectId() {
  const { token } = await sharedCredentialFor(ctx.admin).getToken("https://localhost/.default");
  const oid = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")).oid;
  assert.ok(oid, "the admin's token has an oid claim");
  return oid;
}

/**
 * The number of objects in the run's SoftHSM2 token (objectstore.backend = file keeps one `<uuid>.object` file per
 * object in the token's folder under `directories.tokendir`, which run.mjs made for this run alone).
 */
function hsmObjectCount() {
  let count = 0;
  for (const entry of readdirSync(hsm.tokenDir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".object")) count += 1;
  }
  return count;
}

function assertNoPrivateMembers(jwk, what) {
  for (const member of PRIVATE_MEMBERS) assert.equal(jwk[member], undefined, `${what}: '${member}' is never returned`);
}

function rsaOptions(alg, key) {
  return alg.startsWith("PS")
    ? { key, padding: RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALTLEN_DIGEST }
    : { key, padding: RSA_PKCS1_PADDING };
}

// ---------------------------------------------------------------------------------------------------------------
// A standard vault (the hub) refuses -HSM keys; this needs no HSM.

test("a standard vault refuses createRsaKey / createEcKey / createOctKey with hsm: true and importKey with hardwareProtected: true (400 naming premium)", async () => {
  const hub = keyClient();
  for (const create of [
    () => hub.createRsaKey(uniqueName("hsm-std-rsa"), { keySize: 2048, hsm: true }),
    () => hub.createEcKey(uniqueName("hsm-std-ec"), { curve: "P-256", hsm: true }),
    () => hub.createOctKey(uniqueName("hsm-std-oct"), { keySize: 256, hsm: true }),
    () => hub.createKey(uniqueName("hsm-std-kty"), "RSA-HSM"),
  ]) {
    const error = await rejectsWithRestError(create(), { statusCode: 400, code: "BadParameter" });
    assert.match(error.message, /premium/i, error.message);
  }
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const error = await rejectsWithRestError(
    hub.importKey(uniqueName("hsm-std-import"), toSdkJwk(privateKey.export({ format: "jwk" })), { hardwareProtected: true }),
    { statusCode: 400, code: "BadParameter" },
  );
  assert.match(error.message, /premium/i, error.message);
});

// ---------------------------------------------------------------------------------------------------------------
// The premium vault

describe("premium vault with HSM keys (SoftHSM2)", { skip: skipHsm }, () => {
  const vaultName = uniqueName("hsm").toLowerCase();
  let port;
  let created; // the management API's answer to the vault creation
  let purged = false; // set by the last test, which deletes and purges the vault
  let objectsBefore; // HSM objects before this file made any
  let vaultUrl;
  let client;
  let rsa; // RSA-HSM 2048, created once
  const ec = {}; // curve -> EC-HSM key
  const oct = {}; // size -> oct-HSM key

  const premiumRequest = (method, path, body) => vaultRequest(method, path, body, { vaultUrl });

  before(async () => {
    try {
      await setUp();
    } catch (error) {
      // node:test reports only "failed running before hook"; say why.
      console.error(`keys-hsm.test.mjs: setting up the premium vault failed: ${error.stack ?? error}`);
      throw error;
    }
  });

  async function setUp() {
    objectsBefore = hsmObjectCount();
    port = await freePort();
    const response = await managementRequest("POST", "/vaults", { name: vaultName, port, sku: "premium" });
    assert.equal(response.status, 201, `POST /keyhub/v1/vaults: ${response.status} ${response.text}`);
    created = response.body;
    vaultUrl = created.url;

    // Owner of the deployment grants no data access: the admin needs a data role on the new vault.
    const assignment = await managementRequest("POST", "/roleassignments", {
      principalId: await adminObjectId(),
      role: "Key Vault Crypto Officer",
      scope: `/vaults/${vaultName}`,
    });
    assert.equal(assignment.status, 201, `POST /keyhub/v1/roleassignments: ${assignment.status} ${assignment.text}`);

    client = new KeyClient(vaultUrl, sharedCredentialFor(ctx.admin), { disableChallengeResourceVerification: true });
    // The client's first request alone: @azure/keyvault-common's challenge policy sends the first request without its
    // body and restores it after the 401 only while the challenge is still "started"; a concurrent request that
    // completes the challenge first makes it resend that first request with no body (400 "not valid JSON").
    rsa = await client.createRsaKey(uniqueName("hsm-rsa"), { keySize: 2048, hsm: true });
    const curves = ["P-256", "P-384", "P-521", "P-256K"];
    const rest = await Promise.all([
      ...curves.map((curve) => client.createEcKey(uniqueName(`hsm-ec-${curve.toLowerCase()}`), { curve, hsm: true })),
      client.createOctKey(uniqueName("hsm-oct-128"), { keySize: 128, hsm: true }),
      client.createOctKey(uniqueName("hsm-oct-256"), { keySize: 256, hsm: true }),
    ]);
    curves.forEach((curve, i) => (ec[curve] = rest[i]));
    [oct[128], oct[256]] = rest.slice(curves.length);
  }

  after(async () => {
    if (!created || purged) return;
    const deleted = await managementRequest("DELETE", `/vaults/${vaultName}`);
    assert.equal(deleted.status, 200, `DELETE /keyhub/v1/vaults/${vaultName}: ${deleted.status} ${deleted.text}`);
    const purge = await managementRequest("DELETE", `/deletedvaults/${vaultName}`);
    assert.equal(purge.status, 204, `DELETE /keyhub/v1/deletedvaults/${vaultName}: ${purge.status} ${purge.text}`);
  });

  test("POST /keyhub/v1/vaults with sku premium and a port creates a premium vault served at https://localhost:<port>", async () => {
    assert.equal(created.name, vaultName);
    assert.equal(created.sku, "premium");
    assert.equal(created.port, port);
    assert.equal(created.url, `https://localhost:${port}`);
    const read = await managementRequest("GET", `/vaults/${vaultName}`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.sku, "premium");
  });

  // -------------------------------------------------------------------------------------------------------------
  // Creation

  test("createRsaKey with hsm: true (2048) returns key type RSA-HSM with a 2048-bit public key and no private members", async () => {
    assert.equal(rsa.keyType, "RSA-HSM");
    assert.equal(rsa.key.kty, "RSA-HSM");
    assert.equal(rsa.key.n.length, 256, "a 2048-bit modulus");
    assert.deepEqual(Buffer.from(rsa.key.e), Buffer.from([1, 0, 1]));
    assertNoPrivateMembers(rsa.key, "createRsaKey");
    assert.ok(rsa.id.startsWith(`${vaultUrl}/keys/${rsa.name}/`), rsa.id);

    const fetched = await client.getKey(rsa.name);
    assert.equal(fetched.keyType, "RSA-HSM");
    assert.deepEqual(Buffer.from(fetched.key.n), Buffer.from(rsa.key.n));
    assertNoPrivateMembers(fetched.key, "getKey");

    // The wire form, independent of the SDK's mapping.
    const raw = await premiumRequest("GET", `/keys/${rsa.name}/${rsa.properties.version}`);
    assert.equal(raw.status, 200, raw.text);
    assert.equal(raw.body.key.kty, "RSA-HSM");
    for (const member of PRIVATE_MEMBERS) assert.equal(raw.body.key[member], undefined, `raw JWK has no '${member}'`);
  });

  for (const [curve, coordinateBytes] of [
    ["P-256", 32],
    ["P-384", 48],
    ["P-521", 66],
    ["P-256K", 32],
  ]) {
    test(`createEcKey with hsm: true on ${curve} returns key type EC-HSM, crv ${curve}, ${coordinateBytes}-byte x and y, and no d`, async () => {
      const key = ec[curve];
      assert.equal(key.keyType, "EC-HSM");
      assert.equal(key.key.kty, "EC-HSM");
      assert.equal(key.key.crv, curve);
      assert.equal(key.key.x.length, coordinateBytes);
      assert.equal(key.key.y.length, coordinateBytes);
      assertNoPrivateMembers(key.key, `createEcKey ${curve}`);
      const raw = await premiumRequest("GET", `/keys/${key.name}/${key.properties.version}`);
      assert.equal(raw.body.key.kty, "EC-HSM");
      assert.equal(raw.body.key.d, undefined);
    });
  }

  for (const size of [128, 256]) {
    test(`createOctKey with hsm: true (${size}) returns key type oct-HSM and never k`, async () => {
      const key = oct[size];
      assert.equal(key.keyType, "oct-HSM");
      assert.equal(key.key.kty, "oct-HSM");
      assertNoPrivateMembers(key.key, `createOctKey ${size}`);
      const raw = await premiumRequest("GET", `/keys/${key.name}/${key.properties.version}`);
      assert.equal(raw.status, 200, raw.text);
      assert.equal(raw.body.key.kty, "oct-HSM");
      assert.equal(raw.body.key.k, undefined, "k is never returned");
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // RSA-HSM sign / verify, decrypt, unwrap

  for (const alg of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]) {
    test(`RSA-HSM ${alg}: the service's signature verifies with Node's crypto from the public JWK and through the service; other data does not`, async () => {
      const publicKey = crypto.createPublicKey({ key: toNodePublicJwk(rsa.key), format: "jwk" });
      const remote = cryptoClient(rsa.id, { remoteOnly: true });
      const data = Buffer.from(`signed in the HSM with ${alg}`);
      const signed = await remote.sign(alg, digestOf(alg, data));
      assert.equal(signed.result.length, 256);
      assert.equal(crypto.verify(hashOf(alg), data, rsaOptions(alg, publicKey), signed.result), true, `${alg} verifies in Node`);
      assert.equal(crypto.verify(hashOf(alg), Buffer.from("other"), rsaOptions(alg, publicKey), signed.result), false);

      assert.equal((await remote.verify(alg, digestOf(alg, data), signed.result)).result, true, "verifies through the service");
      assert.equal((await remote.verify(alg, digestOf(alg, Buffer.from("other")), signed.result)).result, false);

      // A signature Node makes cannot exist for this key; a tampered one must not verify.
      const tampered = Buffer.from(signed.result);
      tampered[10] ^= 0x01;
      assert.equal((await remote.verify(alg, digestOf(alg, data), tampered)).result, false);
    });
  }

  test("RSA-HSM: data Node encrypts with publicEncrypt (PKCS#1 v1.5, OAEP SHA-1) from the public JWK decrypts in the HSM (RSA1_5, RSA-OAEP)", async () => {
    const publicKey = crypto.createPublicKey({ key: toNodePublicJwk(rsa.key), format: "jwk" });
    const remote = cryptoClient(rsa.id, { remoteOnly: true });
    for (const [algorithm, options] of [
      ["RSA1_5", { padding: RSA_PKCS1_PADDING }],
      ["RSA-OAEP", { padding: RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }],
    ]) {
      const plaintext = crypto.randomBytes(64);
      const ciphertext = crypto.publicEncrypt({ key: publicKey, ...options }, plaintext);
      const { result } = await remote.decrypt({ algorithm, ciphertext });
      assert.deepEqual(Buffer.from(result), plaintext, `${algorithm} from Node decrypts in the HSM`);
    }
  });

  test("RSA-HSM: the CryptographyClient encrypts locally with the RSA-HSM JWK and the HSM decrypts; remote encrypt round-trips too", async () => {
    const requests = [];
    const hybrid = cryptoClient(rsa.id, { record: requests });
    const remote = cryptoClient(rsa.id, { remoteOnly: true });
    for (const algorithm of ["RSA1_5", "RSA-OAEP"]) {
      const plaintext = crypto.randomBytes(32);
      const encrypted = await hybrid.encrypt({ algorithm, plaintext });
      assert.equal(encrypted.result.length, 256);
      assert.deepEqual(Buffer.from((await remote.decrypt({ algorithm, ciphertext: encrypted.result })).result), plaintext);
      const remoteEncrypted = await remote.encrypt({ algorithm, plaintext });
      assert.deepEqual(Buffer.from((await remote.decrypt({ algorithm, ciphertext: remoteEncrypted.result })).result), plaintext);
    }
    assert.equal(requests.filter((r) => r.path.endsWith("/encrypt")).length, 0, "the SDK encrypted locally");
  });

  test("RSA-HSM: wrapKey / unwrapKey round-trip a 256-bit key with RSA1_5 and RSA-OAEP (service-wrapped and Node-wrapped)", async () => {
    const publicKey = crypto.createPublicKey({ key: toNodePublicJwk(rsa.key), format: "jwk" });
    const remote = cryptoClient(rsa.id, { remoteOnly: true });
    for (const [algorithm, options] of [
      ["RSA1_5", { padding: RSA_PKCS1_PADDING }],
      ["RSA-OAEP", { padding: RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }],
    ]) {
      const keyToWrap = crypto.randomBytes(32);
      const wrapped = await remote.wrapKey(algorithm, keyToWrap);
      assert.equal(wrapped.result.length, 256);
      assert.deepEqual(Buffer.from((await remote.unwrapKey(algorithm, wrapped.result)).result), keyToWrap);
      const nodeWrapped = crypto.publicEncrypt({ key: publicKey, ...options }, keyToWrap);
      assert.deepEqual(Buffer.from((await remote.unwrapKey(algorithm, nodeWrapped)).result), keyToWrap, `${algorithm} wrapped by Node`);
    }
  });

  test("RSA-HSM: RSA-OAEP-256 decrypt and unwrapKey answer 400 naming RSA-OAEP-256 (SoftHSM2 has no OAEP with SHA-256)", async () => {
    const publicKey = crypto.createPublicKey({ key: toNodePublicJwk(rsa.key), format: "jwk" });
    const remote = cryptoClient(rsa.id, { remoteOnly: true });
    const ciphertext = crypto.publicEncrypt({ key: publicKey, padding: RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, crypto.randomBytes(32));
    for (const call of [
      () => remote.decrypt({ algorithm: "RSA-OAEP-256", ciphertext }),
      () => remote.unwrapKey("RSA-OAEP-256", ciphertext),
    ]) {
      const error = await rejectsWithRestError(call(), { statusCode: 400, code: "BadParameter" });
      assert.match(error.message, /RSA-OAEP-256/, error.message);
    }
  });

  // -------------------------------------------------------------------------------------------------------------
  // EC-HSM sign / verify

  for (const [curve, alg, signatureBytes] of [
    ["P-256", "ES256", 64],
    ["P-384", "ES384", 96],
    ["P-521", "ES512", 132],
    ["P-256K", "ES256K", 64],
  ]) {
    const nodeLacksCurve = curve === "P-256K" && !crypto.getCurves().includes("secp256k1");
    test(
      `EC-HSM ${curve} ${alg}: the service's ${signatureBytes}-byte r‖s signature verifies with Node's crypto from the public JWK and through the service`,
      { skip: nodeLacksCurve ? "this Node's OpenSSL has no secp256k1" : false },
      async () => {
        const key = ec[curve];
        const publicKey = crypto.createPublicKey({ key: toNodePublicJwk(key.key), format: "jwk" });
        const remote = cryptoClient(key.id, { remoteOnly: true });
        const data = Buffer.from(`signed in the HSM with ${alg}`);
        const signed = await remote.sign(alg, digestOf(alg, data));
        assert.equal(signed.result.length, signatureBytes, "JOSE r‖s form, not DER");
        const options = { key: publicKey, dsaEncoding: "ieee-p1363" };
        assert.equal(crypto.verify(hashOf(alg), data, options, signed.result), true, `${alg} verifies in Node`);
        assert.equal(crypto.verify(hashOf(alg), Buffer.from("other"), options, signed.result), false);

        assert.equal((await remote.verify(alg, digestOf(alg, data), signed.result)).result, true, "verifies through the service");
        const tampered = Buffer.from(signed.result);
        tampered[5] ^= 0x01;
        assert.equal((await remote.verify(alg, digestOf(alg, data), tampered)).result, false);
        assert.equal((await cryptoClient(key.id).verifyData(alg, data, signed.result)).result, true, "verifyData (SDK) agrees");
      },
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // oct-HSM: GCM, CBCPAD, KW

  test("oct-HSM 256: A256GCM encrypt returns a 12-byte iv and 16-byte tag; decrypt with the same aad round-trips", async () => {
    const c = cryptoClient(oct[256].id);
    const plaintext = crypto.randomBytes(45);
    const aad = Buffer.from("header data");
    const encrypted = await c.encrypt({ algorithm: "A256GCM", plaintext, additionalAuthenticatedData: aad });
    assert.equal(encrypted.iv?.length, 12, "the HSM side generates a 96-bit iv");
    assert.equal(encrypted.authenticationTag?.length, 16);
    assert.equal(encrypted.result.length, plaintext.length);
    const decrypted = await c.decrypt({
      algorithm: "A256GCM",
      ciphertext: encrypted.result,
      iv: encrypted.iv,
      authenticationTag: encrypted.authenticationTag,
      additionalAuthenticatedData: aad,
    });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext);

    const again = await c.encrypt({ algorithm: "A256GCM", plaintext });
    assert.notDeepEqual(Buffer.from(again.iv), Buffer.from(encrypted.iv), "a fresh iv for every encryption");
  });

  test("oct-HSM 256: A256GCM decrypt with a flipped tag bit, or with other aad, fails with 400", async () => {
    const c = cryptoClient(oct[256].id);
    const aad = Buffer.from("header data");
    const encrypted = await c.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("authenticated"), additionalAuthenticatedData: aad });
    const flipped = Buffer.from(encrypted.authenticationTag);
    flipped[0] ^= 0x01;
    const base = { algorithm: "A256GCM", ciphertext: encrypted.result, iv: encrypted.iv };
    await rejectsWithRestError(c.decrypt({ ...base, authenticationTag: flipped, additionalAuthenticatedData: aad }), { statusCode: 400 });
    await rejectsWithRestError(
      c.decrypt({ ...base, authenticationTag: encrypted.authenticationTag, additionalAuthenticatedData: Buffer.from("other") }),
      { statusCode: 400 },
    );
  });

  test("oct-HSM 256: A256CBCPAD with a caller iv pads to the next block and round-trips; another iv does not give the plaintext back", async () => {
    const c = cryptoClient(oct[256].id);
    const iv = crypto.randomBytes(16);
    const text = Buffer.from("twenty bytes of text");
    const encrypted = await c.encrypt({ algorithm: "A256CBCPAD", plaintext: text, iv });
    assert.equal(encrypted.result.length, 32, "PKCS#7 padding to the next block");
    const decrypted = await c.decrypt({ algorithm: "A256CBCPAD", ciphertext: encrypted.result, iv });
    assert.deepEqual(Buffer.from(decrypted.result), text);

    // CBC: a different iv changes (only) the first block of the plaintext.
    const otherIv = Buffer.from(iv);
    otherIv[0] ^= 0x01;
    const other = await c.decrypt({ algorithm: "A256CBCPAD", ciphertext: encrypted.result, iv: otherIv });
    assert.notDeepEqual(Buffer.from(other.result), text);
  });

  test("oct-HSM 256: A256KW wraps a 128- and a 256-bit key (+8 bytes) and unwrapKey returns them", async () => {
    const c = cryptoClient(oct[256].id);
    for (const length of [16, 32]) {
      const keyToWrap = crypto.randomBytes(length);
      const wrapped = await c.wrapKey("A256KW", keyToWrap);
      assert.equal(wrapped.result.length, length + 8, "RFC 3394 adds one 64-bit block");
      assert.deepEqual(Buffer.from((await c.unwrapKey("A256KW", wrapped.result)).result), keyToWrap);
    }
  });

  test("oct-HSM 128: A128GCM and A128KW round-trip", async () => {
    const c = cryptoClient(oct[128].id);
    const plaintext = Buffer.from("a 128-bit HSM key");
    const encrypted = await c.encrypt({ algorithm: "A128GCM", plaintext });
    const decrypted = await c.decrypt({
      algorithm: "A128GCM",
      ciphertext: encrypted.result,
      iv: encrypted.iv,
      authenticationTag: encrypted.authenticationTag,
    });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext);
    const keyToWrap = crypto.randomBytes(32);
    const wrapped = await c.wrapKey("A128KW", keyToWrap);
    assert.deepEqual(Buffer.from((await c.unwrapKey("A128KW", wrapped.result)).result), keyToWrap);
  });

  // -------------------------------------------------------------------------------------------------------------
  // Import, backup, rotate

  test("importKey with hardwareProtected: true of a Node RSA key gives RSA-HSM; the HSM's signatures verify with the original key and Node's with the service", async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const key = await client.importKey(uniqueName("hsm-imp-rsa"), toSdkJwk(jwk), { hardwareProtected: true });
    assert.equal(key.keyType, "RSA-HSM");
    assert.equal(key.key.kty, "RSA-HSM");
    assert.equal(Buffer.from(key.key.n).toString("base64url"), jwk.n, "the imported modulus");
    assertNoPrivateMembers(key.key, "importKey RSA");

    const remote = cryptoClient(key.id, { remoteOnly: true });
    for (const alg of ["RS256", "PS256"]) {
      const data = Buffer.from(`imported ${alg}`);
      const { result } = await remote.sign(alg, digestOf(alg, data));
      assert.equal(crypto.verify(hashOf(alg), data, rsaOptions(alg, publicKey), result), true, `${alg} verifies with the original key`);
      const nodeSignature = crypto.sign(hashOf(alg), data, rsaOptions(alg, privateKey));
      assert.equal((await remote.verify(alg, digestOf(alg, data), nodeSignature)).result, true, `Node's ${alg} verifies in the service`);
    }
    const plaintext = crypto.randomBytes(32);
    const ciphertext = crypto.publicEncrypt({ key: publicKey, padding: RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, plaintext);
    assert.deepEqual(Buffer.from((await remote.decrypt({ algorithm: "RSA-OAEP", ciphertext })).result), plaintext);
  });

  test("importKey with hardwareProtected: true of a Node EC P-256 key gives EC-HSM; the HSM's ES256 signatures verify with the original key", async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = privateKey.export({ format: "jwk" });
    const key = await client.importKey(uniqueName("hsm-imp-ec"), toSdkJwk(jwk), { hardwareProtected: true });
    assert.equal(key.keyType, "EC-HSM");
    assert.equal(key.key.kty, "EC-HSM");
    assert.equal(key.key.crv, "P-256");
    assert.equal(Buffer.from(key.key.x).toString("base64url"), jwk.x);
    assert.equal(Buffer.from(key.key.y).toString("base64url"), jwk.y);
    assertNoPrivateMembers(key.key, "importKey EC");

    const remote = cryptoClient(key.id, { remoteOnly: true });
    const data = Buffer.from("imported ES256");
    const { result } = await remote.sign("ES256", digestOf("ES256", data));
    assert.equal(crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, result), true);
    const nodeSignature = crypto.sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
    assert.equal((await remote.verify("ES256", digestOf("ES256", data), nodeSignature)).result, true);
  });

  test("importKey of an oct key with hardwareProtected: true answers 400: oct-HSM keys are only generated in the HSM", async () => {
    const error = await rejectsWithRestError(
      client.importKey(uniqueName("hsm-imp-oct"), { kty: "oct", k: new Uint8Array(crypto.randomBytes(32)) }, { hardwareProtected: true }),
      { statusCode: 400, code: "BadParameter" },
    );
    assert.match(error.message, /oct-HSM/, error.message);
  });

  test("backupKey of an HSM key answers 400: its material never leaves the HSM, so it cannot be backed up", async () => {
    for (const key of [rsa, ec["P-256"], oct[256]]) {
      const error = await rejectsWithRestError(client.backupKey(key.name), { statusCode: 400, code: "BadParameter" });
      assert.match(error.message, /cannot be backed up/, error.message);
    }
  });

  test("rotateKey of an EC-HSM key gives a new EC-HSM version; both versions sign in the HSM and the latest is the new one", async () => {
    const name = uniqueName("hsm-rotate");
    const v1 = await client.createEcKey(name, { curve: "P-256", hsm: true });
    const v2 = await client.rotateKey(name);
    assert.notEqual(v2.properties.version, v1.properties.version);
    assert.equal(v2.keyType, "EC-HSM");
    assert.equal(v2.key.kty, "EC-HSM");
    assert.equal(v2.key.crv, "P-256");
    assertNoPrivateMembers(v2.key, "rotateKey");
    assert.notDeepEqual(Buffer.from(v2.key.x), Buffer.from(v1.key.x), "new key material");
    assert.equal((await client.getKey(name)).properties.version, v2.properties.version, "the latest version is the rotated one");

    const data = Buffer.from("signed by both versions");
    for (const version of [v1, v2]) {
      const publicKey = crypto.createPublicKey({ key: toNodePublicJwk(version.key), format: "jwk" });
      const { result } = await cryptoClient(version.id, { remoteOnly: true }).sign("ES256", digestOf("ES256", data));
      assert.equal(crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, result), true);
    }
  });

  test("purgeDeletedKey of an HSM key destroys its objects in the HSM (private and public key of an EC-HSM key; the oct-HSM secret key)", async () => {
    for (const [make, objects] of [
      [(name) => client.createEcKey(name, { curve: "P-256", hsm: true }), 2],
      [(name) => client.createOctKey(name, { keySize: 256, hsm: true }), 1],
    ]) {
      const name = uniqueName("hsm-purge");
      const initial = hsmObjectCount();
      await make(name);
      assert.equal(hsmObjectCount(), initial + objects, `the key made ${objects} HSM object(s)`);
      await deleteKeyAndWait(client, name);
      assert.equal(hsmObjectCount(), initial + objects, "a soft-deleted key keeps its HSM objects (it can be recovered)");
      await client.purgeDeletedKey(name);
      assert.equal(hsmObjectCount(), initial, "purge destroys them");
    }
  });

  // Last: it deletes and purges the vault.
  test(
    "deleting and purging the premium vault destroys its keys' objects in the HSM",
    async () => {
      assert.ok(hsmObjectCount() > objectsBefore, "this file's keys are in the HSM");
      const deleted = await managementRequest("DELETE", `/vaults/${vaultName}`);
      assert.equal(deleted.status, 200, deleted.text);
      const purge = await managementRequest("DELETE", `/deletedvaults/${vaultName}`);
      assert.equal(purge.status, 204, purge.text);
      purged = true;
      assert.equal(hsmObjectCount(), objectsBefore, "no object of the purged vault's keys is left in the HSM");
    },
  );
});
