// Set, get, update: the everyday SecretClient operations against a real Keyhub.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ctx, rejectsWithRestError, secretClient, uniqueName, wholeSeconds, collect } from "./helpers.mjs";

const client = secretClient();

test("setSecret returns the value and an id of the form <vaultUrl>/secrets/<name>/<version>", async () => {
  const name = uniqueName("set-shape");
  const secret = await client.setSecret(name, "s3cr3t-value");

  assert.equal(secret.value, "s3cr3t-value");
  assert.equal(secret.name, name);
  assert.equal(secret.properties.name, name);
  assert.equal(secret.properties.vaultUrl, ctx.vaultUrl);
  assert.match(secret.properties.version, /^[0-9a-f]{32}$/, "version is 32 hex characters");
  assert.equal(secret.properties.id, `${ctx.vaultUrl}/secrets/${name}/${secret.properties.version}`);
  assert.equal(secret.properties.enabled, true);
  assert.ok(secret.properties.createdOn instanceof Date, "createdOn is set");
  assert.ok(secret.properties.updatedOn instanceof Date, "updatedOn is set");
  assert.ok(Math.abs(secret.properties.createdOn.getTime() - Date.now()) < 5 * 60_000, "createdOn is about now");
  assert.ok(secret.properties.recoveryLevel, "recoveryLevel is set");
  assert.ok(secret.properties.recoverableDays > 0, "recoverableDays is positive");
});

test("getSecret without a version returns the latest version; with a version returns that version", async () => {
  const name = uniqueName("versions");
  const first = await client.setSecret(name, "first value");
  const second = await client.setSecret(name, "second value");
  assert.notEqual(first.properties.version, second.properties.version, "each set creates a new version");

  const latest = await client.getSecret(name);
  assert.equal(latest.value, "second value");
  assert.equal(latest.properties.version, second.properties.version);
  assert.equal(latest.properties.id, second.properties.id);

  const old = await client.getSecret(name, { version: first.properties.version });
  assert.equal(old.value, "first value");
  assert.equal(old.properties.version, first.properties.version);
  assert.equal(old.properties.id, `${ctx.vaultUrl}/secrets/${name}/${first.properties.version}`);

  const byVersion = await client.getSecret(name, { version: second.properties.version });
  assert.equal(byVersion.value, "second value");
});

test("value, contentType, tags, enabled, notBefore and expiresOn round-trip through set and get", async () => {
  const name = uniqueName("roundtrip");
  const notBefore = wholeSeconds(-60_000);
  const expiresOn = wholeSeconds(30 * 24 * 3600_000);
  const value = "multi\nline ünïcödé ✓ value with \"quotes\" and \\ backslash";
  const tags = { env: "test", owner: "js-suite", "with space": "and = sign" };

  const set = await client.setSecret(name, value, {
    contentType: "text/plain; charset=utf-8",
    tags,
    enabled: true,
    notBefore,
    expiresOn,
  });
  for (const secret of [set, await client.getSecret(name), await client.getSecret(name, { version: set.properties.version })]) {
    assert.equal(secret.value, value);
    assert.equal(secret.properties.contentType, "text/plain; charset=utf-8");
    assert.deepEqual(secret.properties.tags, tags);
    assert.equal(secret.properties.enabled, true);
    assert.equal(secret.properties.notBefore?.getTime(), notBefore.getTime());
    assert.equal(secret.properties.expiresOn?.getTime(), expiresOn.getTime());
    assert.equal(secret.properties.version, set.properties.version);
  }
});

test("a secret whose expiry is past and whose notBefore is future can still be read (attributes are informational)", async () => {
  const name = uniqueName("window");
  await client.setSecret(name, "outside its window", {
    notBefore: wholeSeconds(24 * 3600_000),
    expiresOn: wholeSeconds(48 * 3600_000),
  });
  const future = await client.getSecret(name);
  assert.equal(future.value, "outside its window");

  const expired = uniqueName("expired");
  await client.setSecret(expired, "expired value", { expiresOn: wholeSeconds(-3600_000) });
  assert.equal((await client.getSecret(expired)).value, "expired value");
});

test("a value of exactly 25,600 UTF-8 bytes is accepted and read back intact", async () => {
  const big = uniqueName("big");
  const value = "ab€".repeat(5120); // (1 + 1 + 3) bytes × 5120 = 25,600 bytes
  assert.equal(Buffer.byteLength(value, "utf8"), 25_600);
  await client.setSecret(big, value);
  assert.equal((await client.getSecret(big)).value, value);
});

test("a value larger than 25,600 UTF-8 bytes is refused with 400 BadParameter", async () => {
  const name = uniqueName("too-big");
  await rejectsWithRestError(client.setSecret(name, "x".repeat(25_601)), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.getSecret(name), { statusCode: 404, code: "SecretNotFound" });
});

test("updateSecretProperties changes contentType and tags of that version and keeps the value", async () => {
  const name = uniqueName("update");
  const set = await client.setSecret(name, "unchanged value", { contentType: "before", tags: { a: "1" } });

  const updated = await client.updateSecretProperties(name, set.properties.version, {
    contentType: "application/json",
    tags: { b: "2", c: "3" },
  });
  assert.equal(updated.contentType, "application/json");
  assert.deepEqual(updated.tags, { b: "2", c: "3" });
  assert.equal(updated.version, set.properties.version);
  assert.equal(updated.id, set.properties.id);
  assert.ok(updated.updatedOn instanceof Date);
  assert.ok(updated.updatedOn.getTime() >= set.properties.updatedOn.getTime(), "updatedOn does not go back");

  const got = await client.getSecret(name);
  assert.equal(got.value, "unchanged value");
  assert.equal(got.properties.contentType, "application/json");
  assert.deepEqual(got.properties.tags, { b: "2", c: "3" });
  assert.equal(got.properties.version, set.properties.version, "an update creates no new version");
});

test("getSecret of a disabled secret is refused with 403 Forbidden (inner SecretDisabled); enabling it again restores access", async () => {
  const name = uniqueName("disabled");
  const set = await client.setSecret(name, "hidden while disabled");

  const updated = await client.updateSecretProperties(name, set.properties.version, { enabled: false });
  assert.equal(updated.enabled, false);

  await rejectsWithRestError(client.getSecret(name), { statusCode: 403, code: "Forbidden", innerCode: "SecretDisabled" });
  await rejectsWithRestError(client.getSecret(name, { version: set.properties.version }), { statusCode: 403, code: "Forbidden" });

  // Its metadata is still listed, marked disabled.
  const versions = await collect(client.listPropertiesOfSecretVersions(name));
  assert.equal(versions.length, 1);
  assert.equal(versions[0].enabled, false);

  await client.updateSecretProperties(name, set.properties.version, { enabled: true });
  assert.equal((await client.getSecret(name)).value, "hidden while disabled");
});

test("a secret set disabled from the start cannot be read", async () => {
  const name = uniqueName("born-disabled");
  const set = await client.setSecret(name, "never readable", { enabled: false });
  assert.equal(set.properties.enabled, false);
  await rejectsWithRestError(client.getSecret(name), { statusCode: 403, code: "Forbidden" });
});

test("names are case-insensitive: Foo-x and foo-X are one secret, shown with the case it was created with", async () => {
  const name = uniqueName("Foo-Case");
  const set = await client.setSecret(name, "one secret");

  const got = await client.getSecret(name.toLowerCase());
  assert.equal(got.value, "one secret");
  assert.equal(got.properties.version, set.properties.version);
  assert.equal(got.name, name, "the display name keeps the case given at creation");

  const upper = await client.getSecret(name.toUpperCase());
  assert.equal(upper.value, "one secret");

  // Setting with another case adds a version to the same secret.
  const second = await client.setSecret(name.toUpperCase(), "second version");
  assert.equal((await client.getSecret(name)).value, "second version");
  assert.equal((await client.getSecret(name.toLowerCase(), { version: set.properties.version })).value, "one secret");
  const versions = await collect(client.listPropertiesOfSecretVersions(name.toLowerCase()));
  assert.deepEqual(
    versions.map((v) => v.version).sort(),
    [set.properties.version, second.properties.version].sort(),
  );
});

test("getSecret of a secret that does not exist is refused with 404 SecretNotFound", async () => {
  const error = await rejectsWithRestError(client.getSecret(uniqueName("missing")), {
    statusCode: 404,
    code: "SecretNotFound",
  });
  assert.ok(error.message.length > 0, "the error carries a message");
});

test("getSecret of an unknown version of an existing secret is refused with 404 SecretNotFound", async () => {
  const name = uniqueName("missing-version");
  await client.setSecret(name, "v1");
  await rejectsWithRestError(client.getSecret(name, { version: "0123456789abcdef0123456789abcdef" }), {
    statusCode: 404,
    code: "SecretNotFound",
  });
});

test("an invalid secret name is refused with 400 and nothing is stored", async () => {
  // "_" is outside ^[0-9a-zA-Z-]{1,127}$; so is a 128-character name.
  await rejectsWithRestError(client.setSecret("bad_name", "x"), { statusCode: 400 });
  await rejectsWithRestError(client.setSecret("a".repeat(128), "x"), { statusCode: 400 });
  const ok = uniqueName("longest").padEnd(127, "a");
  assert.equal(ok.length, 127);
  await client.setSecret(ok, "longest name");
  assert.equal((await client.getSecret(ok)).value, "longest name");
});
