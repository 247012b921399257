// Listing: secrets (paged over nextLink), versions, deleted secrets.
import assert from "node:assert/strict";
import { test } from "node:test";
import { collect, ctx, deleteAndWait, secretClient, uniqueName } from "./helpers.mjs";

const client = secretClient();

async function setMany(prefix, count) {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
  // Small batches: quick, without flooding a 2-core machine.
  for (let i = 0; i < names.length; i += 6) {
    await Promise.all(names.slice(i, i + 6).map((n) => client.setSecret(n, `value of ${n}`, { tags: { batch: prefix } })));
  }
  return names;
}

test("listPropertiesOfSecrets pages over more than 25 secrets: pages of at most 10 with maxPageSize 10, all found", async () => {
  const prefix = uniqueName("page");
  const names = await setMany(prefix, 30);

  const pages = [];
  for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 10 })) pages.push(page);

  assert.ok(pages.length >= 3, `30 secrets in pages of ≤ 10 need at least 3 pages, got ${pages.length}`);
  for (const [i, page] of pages.entries()) {
    assert.ok(page.length <= 10, `page ${i} has ${page.length} items, more than maxPageSize 10`);
  }
  const listed = pages.flat();
  const found = listed.filter((p) => p.name.startsWith(prefix)).map((p) => p.name).sort();
  assert.deepEqual(found, names, "every secret with the prefix is listed exactly once");

  const one = listed.find((p) => p.name === names[0]);
  assert.equal(one.vaultUrl, ctx.vaultUrl);
  assert.equal(one.id, `${ctx.vaultUrl}/secrets/${names[0]}`, "list items carry the versionless id");
  assert.equal(one.enabled, true);
  assert.deepEqual(one.tags, { batch: prefix });
  assert.equal(one.value, undefined, "lists never carry values");
});

test("listPropertiesOfSecrets without a page size follows nextLink across pages of at most 25 and finds every secret", async () => {
  const prefix = uniqueName("pagedefault");
  const names = await setMany(prefix, 27);

  const pages = [];
  for await (const page of client.listPropertiesOfSecrets().byPage()) pages.push(page);
  for (const [i, page] of pages.entries()) {
    assert.ok(page.length <= 25, `page ${i} has ${page.length} items, more than the maximum 25`);
  }
  const found = pages.flat().filter((p) => p.name.startsWith(prefix)).map((p) => p.name).sort();
  assert.deepEqual(found, names);

  // The plain async iterator gives the same set.
  const iterated = (await collect(client.listPropertiesOfSecrets())).filter((p) => p.name.startsWith(prefix)).map((p) => p.name).sort();
  assert.deepEqual(iterated, names);
});

test("listPropertiesOfSecretVersions lists every version of one secret, paged, and only that secret's", async () => {
  const name = uniqueName("listver");
  const other = uniqueName("listver-other");
  await client.setSecret(other, "not mine");
  const versions = [];
  for (let i = 0; i < 5; i++) {
    const s = await client.setSecret(name, `v${i}`, { contentType: `ct${i}` });
    versions.push(s.properties.version);
  }

  const pages = [];
  for await (const page of client.listPropertiesOfSecretVersions(name).byPage({ maxPageSize: 2 })) pages.push(page);
  for (const page of pages) assert.ok(page.length <= 2, `a page has ${page.length} items, more than maxPageSize 2`);
  const listed = pages.flat();
  assert.deepEqual(listed.map((p) => p.version).sort(), [...versions].sort());
  for (const p of listed) {
    assert.equal(p.name, name);
    assert.equal(p.id, `${ctx.vaultUrl}/secrets/${name}/${p.version}`);
    assert.equal(p.contentType, `ct${versions.indexOf(p.version)}`);
  }
});

test("listDeletedSecrets lists deleted secrets with deletedOn, scheduledPurgeDate and recoveryId, and not live ones", async () => {
  const prefix = uniqueName("listdel");
  const gone = [`${prefix}-a`, `${prefix}-b`];
  const alive = `${prefix}-alive`;
  for (const n of [...gone, alive]) await client.setSecret(n, `value of ${n}`);
  for (const n of gone) await deleteAndWait(client, n);

  const pages = [];
  for await (const page of client.listDeletedSecrets().byPage({ maxPageSize: 1 })) pages.push(page);
  for (const page of pages) assert.ok(page.length <= 1, `a page has ${page.length} items, more than maxPageSize 1`);
  const mine = pages.flat().filter((d) => d.name.startsWith(prefix));
  assert.deepEqual(mine.map((d) => d.name).sort(), gone);
  for (const d of mine) {
    assert.ok(d.properties.deletedOn instanceof Date, "deletedOn is set");
    assert.ok(d.properties.scheduledPurgeDate instanceof Date, "scheduledPurgeDate is set");
    assert.ok(d.properties.scheduledPurgeDate > d.properties.deletedOn, "purge is scheduled after deletion");
    assert.equal(d.properties.recoveryId, `${ctx.vaultUrl}/deletedsecrets/${d.name}`);
    assert.equal(d.value, undefined, "lists never carry values");
  }

  const live = (await collect(client.listPropertiesOfSecrets())).map((p) => p.name);
  assert.ok(live.includes(alive), "the live secret is still listed");
  for (const n of gone) assert.ok(!live.includes(n), `${n} is deleted and no longer listed with the live secrets`);
});
