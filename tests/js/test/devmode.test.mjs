// What dev mode promises to tools and tests (design §7): credentials.json, ca.pem, keyhub.pid.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ctx } from "./helpers.mjs";

test("credentials.json has the documented fields, no trailing slashes, and the current port", () => {
  const c = ctx.credentials;
  assert.match(c.tenantId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "tenantId is a GUID");
  assert.equal(c.authorityHost, `https://localhost:${ctx.port}`);
  assert.equal(typeof c.clientId, "string");
  assert.ok(c.clientId.length > 0);
  assert.equal(typeof c.clientSecret, "string");
  assert.ok(c.clientSecret.length >= 32, "the client secret is long (256 random bits)");
  assert.equal(c.caCertificate, join(ctx.dataDir, "dev", "ca.pem"));
  assert.deepEqual(Object.keys(c.vaults), ["hub"]);
  assert.equal(c.vaults.hub, `https://localhost:${ctx.port}`);
});

test("credentials.json is readable by its owner only (mode 0600)", () => {
  const mode = statSync(join(ctx.dataDir, "dev", "credentials.json")).mode & 0o777;
  assert.equal(mode.toString(8), "600");
});

test("keyhub.pid holds the id of the running server process", () => {
  assert.equal(ctx.pidFromFile, ctx.serverPid);
});

test("the principals added offline have distinct client ids", () => {
  const ids = [ctx.admin.clientId, ctx.noRole.clientId, ctx.secretsUser?.clientId].filter(Boolean);
  assert.equal(new Set(ids).size, ids.length);
});
