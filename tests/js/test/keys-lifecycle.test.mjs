// Keys: soft delete, recover, purge, name reuse, backup and restore, and listing (paged keys, versions, deleted keys).
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  POLL,
  b64u,
  collect,
  cryptoClient,
  ctx,
  deleteKeyAndWait,
  keyClient,
  rejectsWithRestError,
  toSdkJwk,
  uniqueName,
} from "./helpers.mjs";

const client = keyClient();

test("beginDeleteKey completes with deletedOn, scheduledPurgeDate and recoveryId; getDeletedKey shows the same key", async () => {
  const name = uniqueName("kdel");
  const created = await client.createEcKey(name, { curve: "P-256", tags: { k: "v" } });
  const before = Date.now();

  const deleted = await deleteKeyAndWait(client, name);
  assert.equal(deleted.name, name);
  assert.equal(deleted.properties.recoveryId, `${ctx.vaultUrl}/deletedkeys/${name}`);
  assert.ok(deleted.properties.deletedOn instanceof Date, "deletedOn is set");
  assert.ok(Math.abs(deleted.properties.deletedOn.getTime() - before) < 5 * 60_000, "deletedOn is about now");
  assert.ok(deleted.properties.scheduledPurgeDate instanceof Date, "scheduledPurgeDate is set");
  const days = (deleted.properties.scheduledPurgeDate - deleted.properties.deletedOn) / 86_400_000;
  assert.ok(days >= 7 && days <= 90.01, `retention of ${days} days is within 7–90`);
  assert.equal(deleted.id, created.id, "the deleted bundle is the latest version");
  assert.deepEqual(Buffer.from(deleted.key.x), Buffer.from(created.key.x), "the deleted bundle carries the public JWK");
  assert.equal(deleted.key.d, undefined);

  const got = await client.getDeletedKey(name);
  assert.equal(got.name, name);
  assert.equal(got.id, created.id);
  assert.equal(got.properties.recoveryId, deleted.properties.recoveryId);
  assert.equal(got.properties.deletedOn?.getTime(), deleted.properties.deletedOn.getTime());
  assert.equal(got.properties.scheduledPurgeDate?.getTime(), deleted.properties.scheduledPurgeDate.getTime());
  assert.deepEqual(got.properties.tags, { k: "v" });
  assert.equal(got.key.d, undefined);

  await rejectsWithRestError(client.getKey(name), { statusCode: 404, code: "KeyNotFound" });
  await rejectsWithRestError(client.getKey(name, { version: created.properties.version }), { statusCode: 404 });
});

test("a deleted key is recovered with all its versions and still decrypts what it encrypted; then deleted and purged for good", async () => {
  const name = uniqueName("krecover");
  const v1 = await client.createOctKey(name, { keySize: 256 });
  const v2 = await client.createOctKey(name, { keySize: 256 });
  const plaintext = Buffer.from("encrypted before the delete");
  const encrypted = await cryptoClient(v1.id).encrypt({ algorithm: "A256GCM", plaintext });

  await deleteKeyAndWait(client, name);
  const recovered = await (await client.beginRecoverDeletedKey(name, POLL)).pollUntilDone();
  assert.equal(recovered.name, name);
  assert.equal((await client.getKey(name)).properties.version, v2.properties.version);
  assert.equal((await client.getKey(name, { version: v1.properties.version })).id, v1.id);
  await rejectsWithRestError(client.getDeletedKey(name), { statusCode: 404 });

  const decrypted = await cryptoClient(v1.id).decrypt({
    algorithm: "A256GCM",
    ciphertext: encrypted.result,
    iv: encrypted.iv,
    authenticationTag: encrypted.authenticationTag,
  });
  assert.deepEqual(Buffer.from(decrypted.result), plaintext, "the recovered version has the same key material");

  await deleteKeyAndWait(client, name);
  assert.equal(await client.purgeDeletedKey(name), undefined, "purge resolves with no body (204)");
  await rejectsWithRestError(client.getDeletedKey(name), { statusCode: 404 });
  await rejectsWithRestError(client.getKey(name), { statusCode: 404, code: "KeyNotFound" });

  // After a purge the name is free again and starts with no history.
  const fresh = await client.createOctKey(name, { keySize: 128 });
  assert.notEqual(fresh.properties.version, v1.properties.version);
  const versions = (await collect(client.listPropertiesOfKeyVersions(name))).map((p) => p.version);
  assert.deepEqual(versions, [fresh.properties.version]);
});

test("createKey and importKey on a name that is deleted but recoverable are refused with 409 Conflict", async () => {
  const name = uniqueName("kreuse");
  const original = await client.createEcKey(name, { curve: "P-256" });
  await deleteKeyAndWait(client, name);

  await rejectsWithRestError(client.createEcKey(name, { curve: "P-256" }), {
    statusCode: 409,
    code: "Conflict",
    innerCode: "ObjectIsDeletedButRecoverable",
  });
  await rejectsWithRestError(client.importKey(name, { kty: "oct", k: new Uint8Array(randomBytes(16)) }), {
    statusCode: 409,
    code: "Conflict",
  });
  // Another case of the same name is the same key.
  await rejectsWithRestError(client.createEcKey(name.toUpperCase(), { curve: "P-256" }), { statusCode: 409, code: "Conflict" });

  await (await client.beginRecoverDeletedKey(name, POLL)).pollUntilDone();
  const back = await client.getKey(name);
  assert.equal(back.id, original.id, "nothing changed: the original version is the latest");
});

test("operations on deleted keys that do not exist are refused with 404", async () => {
  const name = uniqueName("knever");
  await rejectsWithRestError(client.getDeletedKey(name), { statusCode: 404 });
  await rejectsWithRestError(client.purgeDeletedKey(name), { statusCode: 404 });
  await rejectsWithRestError(client.beginRecoverDeletedKey(name, POLL), { statusCode: 404 });
  await rejectsWithRestError(client.beginDeleteKey(name, POLL), { statusCode: 404, code: "KeyNotFound" });

  await client.createOctKey(name, { keySize: 128 });
  await rejectsWithRestError(client.getDeletedKey(name), { statusCode: 404 });
  await rejectsWithRestError(client.purgeDeletedKey(name), { statusCode: 404 });
});

test("backupKey, delete, purge, restoreKeyBackup: the key comes back with its versions, attributes and key material", async () => {
  const name = uniqueName("kbackup");
  const k = randomBytes(32);
  const v1 = await client.importKey(name, { kty: "oct", k: new Uint8Array(k) }, { tags: { t: "1" } });
  const v2 = await client.createOctKey(name, { keySize: 128, keyOps: ["wrapKey", "unwrapKey"], tags: { t: "2" } });
  const plaintext = Buffer.from("sealed before the backup");
  const encrypted = await cryptoClient(v1.id).encrypt({ algorithm: "A256GCM", plaintext });

  const backup = await client.backupKey(name);
  assert.ok(backup instanceof Uint8Array, "backup is bytes");
  assert.ok(backup.length > 0, "backup is not empty");
  const blob = Buffer.from(backup).toString("latin1");
  for (const form of [k.toString("hex"), k.toString("base64"), b64u(k), k.toString("latin1")]) {
    assert.ok(!blob.includes(form), "the backup does not contain the imported key in clear (raw, hex, base64, base64url)");
  }

  await rejectsWithRestError(client.restoreKeyBackup(backup), { statusCode: 409 });

  await deleteKeyAndWait(client, name);
  await client.purgeDeletedKey(name);
  await rejectsWithRestError(client.getKey(name), { statusCode: 404 });

  const restored = await client.restoreKeyBackup(backup);
  assert.equal(restored.name, name);
  assert.equal(restored.properties.vaultUrl, ctx.vaultUrl);
  assert.equal(restored.id, v2.id, "the latest version keeps its id");

  const latest = await client.getKey(name);
  assert.equal(latest.properties.version, v2.properties.version);
  assert.deepEqual([...latest.keyOperations].sort(), ["unwrapKey", "wrapKey"]);
  assert.deepEqual(latest.properties.tags, { t: "2" });
  const old = await client.getKey(name, { version: v1.properties.version });
  assert.equal(old.keyType, "oct");
  assert.deepEqual(old.properties.tags, { t: "1" });
  assert.equal(old.key.k, undefined);

  const decrypted = await cryptoClient(v1.id).decrypt({
    algorithm: "A256GCM",
    ciphertext: encrypted.result,
    iv: encrypted.iv,
    authenticationTag: encrypted.authenticationTag,
  });
  assert.deepEqual(Buffer.from(decrypted.result), plaintext, "the restored version has the same key material");
});

test("restoreKeyBackup of a tampered backup is refused with 400 and restores nothing; the intact one still restores", async () => {
  const name = uniqueName("ktamper");
  await client.createOctKey(name, { keySize: 128 });
  const backup = await client.backupKey(name);
  await deleteKeyAndWait(client, name);
  await client.purgeDeletedKey(name);

  const tampered = Uint8Array.from(backup);
  tampered[Math.floor(tampered.length / 2)] ^= 0x01;
  await rejectsWithRestError(client.restoreKeyBackup(tampered), { statusCode: 400 });
  await rejectsWithRestError(client.getKey(name), { statusCode: 404 });

  await client.restoreKeyBackup(backup);
  assert.equal((await client.getKey(name)).name, name);
});

test("backupKey of a missing key is refused with 404 KeyNotFound", async () => {
  await rejectsWithRestError(client.backupKey(uniqueName("knobackup")), { statusCode: 404, code: "KeyNotFound" });
});

async function createMany(prefix, count) {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
  for (let i = 0; i < names.length; i += 6) {
    await Promise.all(names.slice(i, i + 6).map((n) => client.createOctKey(n, { keySize: 128, tags: { batch: prefix } })));
  }
  return names;
}

test("listPropertiesOfKeys pages over more than 25 keys: pages of at most 10 with maxPageSize 10, at most 25 by default, all found", async () => {
  const prefix = uniqueName("kpage");
  const names = await createMany(prefix, 30);

  const pages = [];
  for await (const page of client.listPropertiesOfKeys().byPage({ maxPageSize: 10 })) pages.push(page);
  assert.ok(pages.length >= 3, `30 keys in pages of ≤ 10 need at least 3 pages, got ${pages.length}`);
  for (const [i, page] of pages.entries()) assert.ok(page.length <= 10, `page ${i} has ${page.length} items`);
  const listed = pages.flat();
  assert.deepEqual(listed.filter((p) => p.name.startsWith(prefix)).map((p) => p.name).sort(), names);

  const one = listed.find((p) => p.name === names[0]);
  assert.equal(one.vaultUrl, ctx.vaultUrl);
  assert.equal(one.id, `${ctx.vaultUrl}/keys/${names[0]}`, "list items carry the versionless id");
  assert.equal(one.enabled, true);
  assert.deepEqual(one.tags, { batch: prefix });
  assert.ok(one.createdOn instanceof Date, "createdOn is set");

  const defaultPages = [];
  for await (const page of client.listPropertiesOfKeys().byPage()) defaultPages.push(page);
  for (const [i, page] of defaultPages.entries()) assert.ok(page.length <= 25, `default page ${i} has ${page.length} items`);
  assert.ok(defaultPages.length >= 2, "more than 25 keys need at least two default pages");
  assert.deepEqual(defaultPages.flat().filter((p) => p.name.startsWith(prefix)).map((p) => p.name).sort(), names);

  const iterated = (await collect(client.listPropertiesOfKeys())).filter((p) => p.name.startsWith(prefix)).map((p) => p.name);
  assert.deepEqual(iterated.sort(), names);
});

test("listPropertiesOfKeyVersions lists every version of one key, paged, with versioned ids, and only that key's", async () => {
  const name = uniqueName("kver");
  await client.createOctKey(uniqueName("kver-other"), { keySize: 128 });
  const versions = [];
  for (let i = 0; i < 4; i++) {
    const key = await client.createOctKey(name, { keySize: 128, tags: { i: String(i) } });
    versions.push(key.properties.version);
  }
  await client.updateKeyProperties(name, versions[1], { enabled: false });

  const pages = [];
  for await (const page of client.listPropertiesOfKeyVersions(name).byPage({ maxPageSize: 2 })) pages.push(page);
  for (const page of pages) assert.ok(page.length <= 2, `a page has ${page.length} items, more than maxPageSize 2`);
  const listed = pages.flat();
  assert.deepEqual(listed.map((p) => p.version).sort(), [...versions].sort());
  for (const p of listed) {
    assert.equal(p.name, name);
    assert.equal(p.id, `${ctx.vaultUrl}/keys/${name}/${p.version}`);
    const i = versions.indexOf(p.version);
    assert.deepEqual(p.tags, { i: String(i) });
    assert.equal(p.enabled, i !== 1, "the disabled version is listed as disabled");
  }
});

test("listDeletedKeys lists deleted keys with deletedOn, scheduledPurgeDate and recoveryId, and not live ones", async () => {
  const prefix = uniqueName("klistdel");
  const gone = [`${prefix}-a`, `${prefix}-b`];
  const alive = `${prefix}-alive`;
  for (const n of [...gone, alive]) await client.createOctKey(n, { keySize: 128 });
  for (const n of gone) await deleteKeyAndWait(client, n);

  const pages = [];
  for await (const page of client.listDeletedKeys().byPage({ maxPageSize: 1 })) pages.push(page);
  for (const page of pages) assert.ok(page.length <= 1, `a page has ${page.length} items, more than maxPageSize 1`);
  const mine = pages.flat().filter((d) => d.name.startsWith(prefix));
  assert.deepEqual(mine.map((d) => d.name).sort(), gone);
  for (const d of mine) {
    assert.ok(d.properties.deletedOn instanceof Date, "deletedOn is set");
    assert.ok(d.properties.scheduledPurgeDate instanceof Date, "scheduledPurgeDate is set");
    assert.ok(d.properties.scheduledPurgeDate > d.properties.deletedOn, "purge is scheduled after deletion");
    assert.equal(d.properties.recoveryId, `${ctx.vaultUrl}/deletedkeys/${d.name}`);
    assert.equal(d.id, `${ctx.vaultUrl}/keys/${d.name}`, "deleted list items carry the versionless key id");
  }

  const live = (await collect(client.listPropertiesOfKeys())).map((p) => p.name);
  assert.ok(live.includes(alive), "the live key is still listed");
  for (const n of gone) assert.ok(!live.includes(n), `${n} is deleted and no longer listed with the live keys`);
});

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

test("no byte of an imported key (RSA d, p, q; EC d; oct k) appears in the data folder, raw or as base64, base64url or hex", async () => {
  const rsaJwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const ecJwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const k = randomBytes(32);
  const rsaName = uniqueName("katrest-rsa");
  await client.importKey(rsaName, toSdkJwk(rsaJwk));
  await client.importKey(uniqueName("katrest-ec"), toSdkJwk(ecJwk));
  const octName = uniqueName("katrest-oct");
  await client.importKey(octName, { kty: "oct", k: new Uint8Array(k) });
  // Backups and rotations write the material again.
  await client.backupKey(octName);
  await client.rotateKey(rsaName);

  const secrets = {
    "RSA d": Buffer.from(rsaJwk.d, "base64url"),
    "RSA p": Buffer.from(rsaJwk.p, "base64url"),
    "RSA q": Buffer.from(rsaJwk.q, "base64url"),
    "EC d": Buffer.from(ecJwk.d, "base64url"),
    "oct k": k,
  };
  const files = filesUnder(ctx.dataDir);
  assert.ok(files.length > 0, "the data folder has files");
  const contents = files.map((file) => [file, readFileSync(file)]);
  for (const [label, bytes] of Object.entries(secrets)) {
    const forms = [bytes, bytes.toString("hex"), bytes.toString("hex").toUpperCase(), bytes.toString("base64"), bytes.toString("base64url")];
    for (const [file, content] of contents) {
      for (const form of forms) {
        assert.ok(!content.includes(form), `${label} found in ${file}`);
      }
    }
  }
});
