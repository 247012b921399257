// Every algorithm through the official CryptographyClient: RSA (local public-key paths and remote), EC, oct (AES),
// and clients built on a versionless key id.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { before, test } from "node:test";
import { cryptoClient, ctx, keyClient, rejectsWithRestError, uniqueName, vaultRequest, versionlessKeyId } from "./helpers.mjs";

const client = keyClient();

const HASH = { 256: "sha256", 384: "sha384", 512: "sha512" };
const digestOf = (alg, data) => createHash(HASH[alg.slice(-3)] ?? "sha256").update(data).digest();
const opCalls = (requests, op) => requests.filter((r) => r.method === "POST" && r.path.endsWith(`/${op}`));

// One RSA key for the whole file (RSA generation is the slow part).
let rsa;
before(async () => {
  rsa = await client.createRsaKey(uniqueName("crypto-rsa"), { keySize: 2048 });
});

// ---------------------------------------------------------------------------------------------------------------
// RSA encrypt / decrypt and wrapKey / unwrapKey

for (const algorithm of ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256"]) {
  // @azure/keyvault-keys 4.10.2 encrypts and wraps locally with RSA1_5 and RSA-OAEP, remotely with RSA-OAEP-256.
  const local = algorithm !== "RSA-OAEP-256";

  test(`RSA ${algorithm}: a CryptographyClient from the key id encrypts ${local ? "locally with the returned JWK" : "remotely"}, and Keyhub decrypts; remote encrypt round-trips too`, async () => {
    const requests = [];
    const hybrid = cryptoClient(rsa.id, { record: requests });
    const remote = cryptoClient(rsa.id, { remoteOnly: true, record: requests });
    const plaintext = randomBytes(100);

    const encrypted = await hybrid.encrypt({ algorithm, plaintext });
    assert.equal(encrypted.result.length, 256, "an RSA 2048 ciphertext is 256 bytes");
    assert.equal(opCalls(requests, "encrypt").length, local ? 0 : 1, local ? "encrypted locally" : "encrypted by Keyhub");
    assert.equal(requests[0].method, "GET", "the client first reads the key");
    assert.equal(requests[0].path, `/keys/${rsa.name}/${rsa.properties.version}`);

    const decrypted = await remote.decrypt({ algorithm, ciphertext: encrypted.result });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext);
    const [decryptCall] = opCalls(requests, "decrypt");
    assert.equal(decryptCall.path, `/keys/${rsa.name}/${rsa.properties.version}/decrypt`);

    const remoteEncrypted = await remote.encrypt({ algorithm, plaintext });
    assert.equal(remoteEncrypted.result.length, 256);
    assert.notDeepEqual(Buffer.from(remoteEncrypted.result), Buffer.from(encrypted.result), "RSA encryption is randomized");
    const roundTrip = await hybrid.decrypt({ algorithm, ciphertext: remoteEncrypted.result });
    assert.deepEqual(Buffer.from(roundTrip.result), plaintext);
  });

  test(`RSA ${algorithm}: wrapKey through a CryptographyClient from the KeyVaultKey (${local ? "local" : "remote"}) and remote unwrapKey round-trip a 256-bit key`, async () => {
    const requests = [];
    const hybrid = cryptoClient(rsa, { record: requests });
    const remote = cryptoClient(rsa.id, { remoteOnly: true });
    const keyToWrap = randomBytes(32);

    const wrapped = await hybrid.wrapKey(algorithm, keyToWrap);
    assert.equal(wrapped.result.length, 256);
    assert.equal(opCalls(requests, "wrapkey").length, local ? 0 : 1, local ? "wrapped locally" : "wrapped by Keyhub");
    const unwrapped = await hybrid.unwrapKey(algorithm, wrapped.result);
    assert.deepEqual(Buffer.from(unwrapped.result), keyToWrap);

    const remoteWrapped = await remote.wrapKey(algorithm, keyToWrap);
    assert.deepEqual(Buffer.from((await remote.unwrapKey(algorithm, remoteWrapped.result)).result), keyToWrap);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// RSA sign / verify

for (const algorithm of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]) {
  test(`RSA ${algorithm}: sign a digest, verify it (true) and a different digest (false); signData then verifyData`, async () => {
    const c = cryptoClient(rsa.id);
    const data = Buffer.from(`data signed with ${algorithm}`);
    const digest = digestOf(algorithm, data);

    const signed = await c.sign(algorithm, digest);
    assert.equal(signed.result.length, 256);
    assert.equal(signed.algorithm, algorithm);
    assert.equal((await c.verify(algorithm, digest, signed.result)).result, true);
    assert.equal((await c.verify(algorithm, digestOf(algorithm, Buffer.from("other data")), signed.result)).result, false);

    const signedData = await c.signData(algorithm, data);
    if (algorithm.startsWith("RS")) {
      assert.deepEqual(Buffer.from(signedData.result), Buffer.from(signed.result), "PKCS#1 v1.5 signatures are deterministic");
      // RS*: verifyData is done locally by the SDK with the returned JWK.
      assert.equal((await c.verifyData(algorithm, data, signedData.result)).result, true);
      assert.equal((await c.verifyData(algorithm, Buffer.from("tampered"), signedData.result)).result, false);
    }
    // Remote verifyData (the SDK's local verifyData always uses PKCS#1 v1.5 padding, so PS* must go to Keyhub).
    const remote = cryptoClient(rsa.id, { remoteOnly: true });
    assert.equal((await remote.verifyData(algorithm, data, signedData.result)).result, true);
    assert.equal((await remote.verifyData(algorithm, Buffer.from("tampered"), signedData.result)).result, false);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// EC sign / verify

for (const [curve, algorithm, signatureBytes] of [
  ["P-256", "ES256", 64],
  ["P-384", "ES384", 96],
  ["P-521", "ES512", 132],
  ["P-256K", "ES256K", 64],
]) {
  test(`EC ${curve} ${algorithm}: sign gives a ${signatureBytes}-byte r‖s signature that verifies; tampered signature and other data do not`, async () => {
    const key = await client.createEcKey(uniqueName(`crypto-${algorithm.toLowerCase()}`), { curve });
    const c = cryptoClient(key.id);
    const data = Buffer.from(`data signed with ${algorithm}`);
    const digest = digestOf(algorithm, data);

    const signed = await c.sign(algorithm, digest);
    assert.equal(signed.result.length, signatureBytes, "JOSE r‖s form, not DER");
    assert.equal((await c.verify(algorithm, digest, signed.result)).result, true);
    const tampered = Buffer.from(signed.result);
    tampered[5] ^= 0x01;
    assert.equal((await c.verify(algorithm, digest, tampered)).result, false);

    const signedData = await c.signData(algorithm, data);
    assert.equal(signedData.result.length, signatureBytes);
    assert.equal((await c.verifyData(algorithm, data, signedData.result)).result, true);
    assert.equal((await c.verifyData(algorithm, Buffer.from("other data"), signedData.result)).result, false);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// oct (AES): GCM, CBC, CBCPAD, KW

for (const size of [128, 192, 256]) {
  test(`oct ${size}: A${size}GCM encrypt returns a 12-byte iv and 16-byte tag; decrypt round-trips with and without aad`, async () => {
    const key = await client.createOctKey(uniqueName(`crypto-gcm-${size}`), { keySize: size });
    const c = cryptoClient(key.id);
    const algorithm = `A${size}GCM`;
    const plaintext = randomBytes(45);
    const aad = Buffer.from("header data");

    const encrypted = await c.encrypt({ algorithm, plaintext, additionalAuthenticatedData: aad });
    assert.equal(encrypted.iv?.length, 12, "Keyhub generates a 96-bit iv");
    assert.equal(encrypted.authenticationTag?.length, 16, "a 128-bit tag");
    assert.equal(encrypted.result.length, plaintext.length, "GCM ciphertext is as long as the plaintext");
    const decrypted = await c.decrypt({
      algorithm,
      ciphertext: encrypted.result,
      iv: encrypted.iv,
      authenticationTag: encrypted.authenticationTag,
      additionalAuthenticatedData: aad,
    });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext);

    const again = await c.encrypt({ algorithm, plaintext });
    assert.notDeepEqual(Buffer.from(again.iv), Buffer.from(encrypted.iv), "a fresh iv for every encryption");
    const plain = await c.decrypt({ algorithm, ciphertext: again.result, iv: again.iv, authenticationTag: again.authenticationTag });
    assert.deepEqual(Buffer.from(plain.result), plaintext);
  });

  test(`oct ${size}: A${size}CBC (whole blocks) and A${size}CBCPAD (PKCS#7) with a caller iv round-trip`, async () => {
    const key = await client.createOctKey(uniqueName(`crypto-cbc-${size}`), { keySize: size });
    const c = cryptoClient(key.id);
    const iv = randomBytes(16);

    const blocks = randomBytes(48);
    const cbc = await c.encrypt({ algorithm: `A${size}CBC`, plaintext: blocks, iv });
    assert.equal(cbc.result.length, 48, "no padding added for CBC");
    const cbcPlain = await c.decrypt({ algorithm: `A${size}CBC`, ciphertext: cbc.result, iv });
    assert.deepEqual(Buffer.from(cbcPlain.result), blocks);

    const text = Buffer.from("twenty bytes of text");
    const pad = await c.encrypt({ algorithm: `A${size}CBCPAD`, plaintext: text, iv });
    assert.equal(pad.result.length, 32, "PKCS#7 padding to the next block");
    const padPlain = await c.decrypt({ algorithm: `A${size}CBCPAD`, ciphertext: pad.result, iv });
    assert.deepEqual(Buffer.from(padPlain.result), text);

    const full = await c.encrypt({ algorithm: `A${size}CBCPAD`, plaintext: blocks.subarray(0, 16), iv });
    assert.equal(full.result.length, 32, "a whole block of padding after a whole block");
  });

  test(`oct ${size}: A${size}KW wraps a 128- and a 256-bit key (+8 bytes) and unwrapKey returns them`, async () => {
    const key = await client.createOctKey(uniqueName(`crypto-kw-${size}`), { keySize: size });
    const c = cryptoClient(key.id);
    for (const length of [16, 32]) {
      const keyToWrap = randomBytes(length);
      const wrapped = await c.wrapKey(`A${size}KW`, keyToWrap);
      assert.equal(wrapped.result.length, length + 8, "RFC 3394 adds one 64-bit block");
      const unwrapped = await c.unwrapKey(`A${size}KW`, wrapped.result);
      assert.deepEqual(Buffer.from(unwrapped.result), keyToWrap);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Versionless key ids

test("a CryptographyClient on a versionless RSA key id reads /keys/{name}/, encrypts locally and decrypts through /keys/{name}//decrypt", async () => {
  const requests = [];
  const c = cryptoClient(versionlessKeyId(rsa.name), { record: requests });
  const plaintext = randomBytes(64);
  const encrypted = await c.encrypt({ algorithm: "RSA-OAEP", plaintext });
  const decrypted = await c.decrypt({ algorithm: "RSA-OAEP", ciphertext: encrypted.result });
  assert.deepEqual(Buffer.from(decrypted.result), plaintext);

  assert.equal(requests[0].method, "GET");
  assert.equal(requests[0].path, `/keys/${rsa.name}/`, "the latest version is read with a trailing slash");
  assert.equal(opCalls(requests, "encrypt").length, 0, "encrypted locally with the public key");
  assert.deepEqual(opCalls(requests, "decrypt").map((r) => r.path), [`/keys/${rsa.name}//decrypt`]);

  const signed = await c.sign("PS256", digestOf("PS256", plaintext));
  assert.equal((await c.verify("PS256", digestOf("PS256", plaintext), signed.result)).result, true);
  assert.deepEqual(opCalls(requests, "sign").map((r) => r.path), [`/keys/${rsa.name}//sign`]);
});

test("a versionless CryptographyClient uses the latest version, also after rotateKey; old versions still decrypt their own data", async () => {
  const name = uniqueName("crypto-versionless");
  const v1 = await client.createOctKey(name, { keySize: 256 });
  const requests = [];
  const versionless = cryptoClient(versionlessKeyId(name), { record: requests });
  const plaintext = Buffer.from("versionless plaintext");
  const gcm = (e) => ({ algorithm: "A256GCM", ciphertext: e.result, iv: e.iv, authenticationTag: e.authenticationTag });

  const e1 = await versionless.encrypt({ algorithm: "A256GCM", plaintext });
  assert.deepEqual(opCalls(requests, "encrypt").map((r) => r.path), [`/keys/${name}//encrypt`]);
  assert.deepEqual(Buffer.from((await cryptoClient(v1.id).decrypt(gcm(e1))).result), plaintext, "v1 encrypted it");

  const v2 = await client.rotateKey(name);
  const e2 = await versionless.encrypt({ algorithm: "A256GCM", plaintext });
  assert.deepEqual(Buffer.from((await cryptoClient(v2.id).decrypt(gcm(e2))).result), plaintext, "after rotation the latest (v2) encrypts");
  assert.deepEqual(Buffer.from((await versionless.decrypt(gcm(e2))).result), plaintext);
  assert.deepEqual(Buffer.from((await cryptoClient(v1.id).decrypt(gcm(e1))).result), plaintext, "v1 still decrypts its own data");
  await rejectsWithRestError(cryptoClient(v1.id).decrypt(gcm(e2)), { statusCode: 400 }); // the wrong key version

  // The raw response of the versionless operation names the version that did it.
  const raw = await vaultRequest("POST", `/keys/${name}//encrypt`, { alg: "A256GCM", value: plaintext.toString("base64url") });
  assert.equal(raw.status, 200, raw.text);
  assert.equal(raw.body.kid, v2.id, "kid is the latest version's id");
  assert.ok(raw.body.iv && raw.body.tag, "iv and tag are returned");
});

test("KeyClient.getCryptographyClient(name) works on the latest version (versionless) for EC sign and verify", async () => {
  const name = uniqueName("crypto-getcc");
  await client.createEcKey(name, { curve: "P-256" });
  const c = client.getCryptographyClient(name);
  assert.equal(c.keyID, `${ctx.vaultUrl}/keys/${name}`);
  const digest = digestOf("ES256", Buffer.from("via getCryptographyClient"));
  const signed = await c.sign("ES256", digest);
  assert.equal((await c.verify("ES256", digest, signed.result)).result, true);
});
