// Soft delete, recover, purge, name reuse, backup and restore.
import assert from "node:assert/strict";
import { test } from "node:test";
import { POLL, ctx, deleteAndWait, rejectsWithRestError, secretClient, uniqueName } from "./helpers.mjs";

const client = secretClient();

test("beginDeleteSecret completes with deletedOn, scheduledPurgeDate and recoveryId; getDeletedSecret shows the same", async () => {
  const name = uniqueName("del");
  const set = await client.setSecret(name, "to be deleted", { contentType: "text/plain", tags: { k: "v" } });
  const before = Date.now();

  const poller = await client.beginDeleteSecret(name, POLL);
  const deleted = await poller.pollUntilDone();
  assert.equal(deleted.name, name);
  assert.equal(deleted.properties.recoveryId, `${ctx.vaultUrl}/deletedsecrets/${name}`);
  assert.equal(deleted.recoveryId, deleted.properties.recoveryId);
  assert.ok(deleted.properties.deletedOn instanceof Date, "deletedOn is set");
  assert.ok(Math.abs(deleted.properties.deletedOn.getTime() - before) < 5 * 60_000, "deletedOn is about now");
  assert.ok(deleted.properties.scheduledPurgeDate instanceof Date, "scheduledPurgeDate is set");
  const days = (deleted.properties.scheduledPurgeDate - deleted.properties.deletedOn) / 86_400_000;
  assert.ok(days >= 7 && days <= 90.01, `retention of ${days} days is within 7–90`);
  assert.equal(deleted.properties.version, set.properties.version, "the deleted bundle is the latest version");
  assert.equal(deleted.value, undefined, "the delete response carries no value");

  const got = await client.getDeletedSecret(name);
  assert.equal(got.name, name);
  assert.equal(got.properties.recoveryId, deleted.properties.recoveryId);
  assert.equal(got.properties.deletedOn?.getTime(), deleted.properties.deletedOn.getTime());
  assert.equal(got.properties.scheduledPurgeDate?.getTime(), deleted.properties.scheduledPurgeDate.getTime());
  assert.equal(got.properties.contentType, "text/plain");
  assert.deepEqual(got.properties.tags, { k: "v" });
  assert.equal(got.value, undefined, "a deleted secret's value is not returned");

  await rejectsWithRestError(client.getSecret(name), { statusCode: 404 });
});

test("a deleted secret is recovered by beginRecoverDeletedSecret with all its versions, then deleted and purged for good", async () => {
  const name = uniqueName("recover");
  const v1 = await client.setSecret(name, "version one");
  await client.setSecret(name, "version two");
  await deleteAndWait(client, name);

  const recoverPoller = await client.beginRecoverDeletedSecret(name, POLL);
  const recovered = await recoverPoller.pollUntilDone();
  assert.equal(recovered.name, name);
  assert.equal((await client.getSecret(name)).value, "version two");
  assert.equal((await client.getSecret(name, { version: v1.properties.version })).value, "version one");
  await rejectsWithRestError(client.getDeletedSecret(name), { statusCode: 404 });

  await deleteAndWait(client, name);
  const purged = await client.purgeDeletedSecret(name);
  assert.equal(purged, undefined, "purge resolves with no body (204)");

  await rejectsWithRestError(client.getDeletedSecret(name), { statusCode: 404 });
  await rejectsWithRestError(client.getSecret(name), { statusCode: 404, code: "SecretNotFound" });
  await rejectsWithRestError(client.getSecret(name, { version: v1.properties.version }), { statusCode: 404 });

  // After a purge the name is free again, and starts with no history.
  const fresh = await client.setSecret(name, "a new life");
  assert.notEqual(fresh.properties.version, v1.properties.version);
  assert.equal((await client.getSecret(name)).value, "a new life");
});

test("setSecret on a name that is deleted but recoverable is refused with 409 Conflict (inner ObjectIsDeletedButRecoverable)", async () => {
  const name = uniqueName("reuse");
  await client.setSecret(name, "original");
  await deleteAndWait(client, name);

  await rejectsWithRestError(client.setSecret(name, "reuse attempt"), {
    statusCode: 409,
    code: "Conflict",
    innerCode: "ObjectIsDeletedButRecoverable",
  });
  // Another case of the same name is the same secret.
  await rejectsWithRestError(client.setSecret(name.toUpperCase(), "reuse attempt"), { statusCode: 409, code: "Conflict" });

  // Nothing changed: it is still deleted, and recovers to the original value.
  await (await client.beginRecoverDeletedSecret(name, POLL)).pollUntilDone();
  assert.equal((await client.getSecret(name)).value, "original");
});

test("operations on deleted secrets that do not exist are refused with 404", async () => {
  const name = uniqueName("never-deleted");
  await rejectsWithRestError(client.getDeletedSecret(name), { statusCode: 404 });
  await rejectsWithRestError(client.purgeDeletedSecret(name), { statusCode: 404 });
  await rejectsWithRestError(client.beginRecoverDeletedSecret(name, POLL), { statusCode: 404 });
  await rejectsWithRestError(client.beginDeleteSecret(name, POLL), { statusCode: 404, code: "SecretNotFound" });

  // A live secret is not a deleted one.
  await client.setSecret(name, "alive");
  await rejectsWithRestError(client.getDeletedSecret(name), { statusCode: 404 });
  await rejectsWithRestError(client.purgeDeletedSecret(name), { statusCode: 404 });
});

test("backupSecret, delete, purge, restoreSecretBackup: the secret comes back with its value, versions and attributes", async () => {
  const name = uniqueName("backup");
  const v1 = await client.setSecret(name, "first backed-up value", { contentType: "ct1" });
  const v2 = await client.setSecret(name, "second backed-up value", { contentType: "ct2", tags: { t: "2" } });

  const backup = await client.backupSecret(name);
  assert.ok(backup instanceof Uint8Array, "backup is bytes");
  assert.ok(backup.length > 0, "backup is not empty");
  const blob = Buffer.from(backup).toString("latin1");
  assert.ok(!blob.includes("backed-up value"), "the backup blob does not contain the value in clear");

  // Restoring over a live secret is refused.
  await rejectsWithRestError(client.restoreSecretBackup(backup), { statusCode: 409 });

  await deleteAndWait(client, name);
  await client.purgeDeletedSecret(name);
  await rejectsWithRestError(client.getSecret(name), { statusCode: 404 });

  const restored = await client.restoreSecretBackup(backup);
  assert.equal(restored.name, name);
  assert.equal(restored.vaultUrl, ctx.vaultUrl);

  const got = await client.getSecret(name);
  assert.equal(got.value, "second backed-up value");
  assert.equal(got.properties.version, v2.properties.version, "versions keep their ids");
  assert.equal(got.properties.contentType, "ct2");
  assert.deepEqual(got.properties.tags, { t: "2" });
  assert.equal((await client.getSecret(name, { version: v1.properties.version })).value, "first backed-up value");
});

test("restoreSecretBackup of a tampered backup is refused with 400", async () => {
  const name = uniqueName("tamper");
  await client.setSecret(name, "authentic");
  const backup = await client.backupSecret(name);
  await deleteAndWait(client, name);
  await client.purgeDeletedSecret(name);

  const tampered = Uint8Array.from(backup);
  tampered[Math.floor(tampered.length / 2)] ^= 0x01;
  await rejectsWithRestError(client.restoreSecretBackup(tampered), { statusCode: 400 });
  await rejectsWithRestError(client.getSecret(name), { statusCode: 404 });

  // The intact backup still restores.
  await client.restoreSecretBackup(backup);
  assert.equal((await client.getSecret(name)).value, "authentic");
});

test("backupSecret of a missing secret is refused with 404 SecretNotFound", async () => {
  await rejectsWithRestError(client.backupSecret(uniqueName("nobackup")), { statusCode: 404, code: "SecretNotFound" });
});
