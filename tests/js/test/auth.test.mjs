// Identity and authorization as the SDK sees them, plus raw HTTP checks of the challenge.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { ctx, credentialFor, rejectsWithRestError, secretClient, uniqueName } from "./helpers.mjs";

const admin = secretClient();
// What @azure/identity throws when the token endpoint refuses the client (the exact class depends on the OAuth error).
const identityErrors = ["AuthenticationError", "AuthenticationRequiredError", "CredentialUnavailableError"];
const expectedChallenge = `Bearer authorization="https://localhost:${ctx.port}/${ctx.tenantId}", resource="https://localhost"`;

test("a principal with no role assignment is refused with 403 Forbidden on getSecret, setSecret and list", async () => {
  const name = uniqueName("norole");
  await admin.setSecret(name, "admin only");
  const noRole = secretClient(ctx.noRole);

  await rejectsWithRestError(noRole.getSecret(name), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(noRole.setSecret(name, "overwrite"), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(noRole.setSecret(uniqueName("norole-new"), "create"), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(noRole.listPropertiesOfSecrets().next(), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(noRole.getSecret(uniqueName("norole-missing")), { statusCode: 403, code: "Forbidden" });

  // Nothing was changed by the refused write.
  assert.equal((await admin.getSecret(name)).value, "admin only");
});

test("a principal with Key Vault Secrets User on the vault can read secrets but not write, delete or purge them", async (t) => {
  if (!ctx.secretsUser) {
    t.skip("run.mjs could not add a principal with --role (see its output)");
    return;
  }
  const name = uniqueName("reader");
  await admin.setSecret(name, "readable");
  const reader = secretClient(ctx.secretsUser);

  assert.equal((await reader.getSecret(name)).value, "readable");
  const listed = [];
  for await (const p of reader.listPropertiesOfSecrets()) listed.push(p.name);
  assert.ok(listed.includes(name), "Secrets User may list (readMetadata)");
  await rejectsWithRestError(reader.setSecret(name, "overwrite"), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(reader.beginDeleteSecret(name), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(reader.backupSecret(name), { statusCode: 403, code: "Forbidden" });
  assert.equal((await admin.getSecret(name)).value, "readable");
});

test("a wrong client secret makes getSecret reject with an authentication error, and nothing is read", async () => {
  const credential = new ClientSecretCredential(ctx.tenantId, ctx.admin.clientId, `wrong-${ctx.admin.clientSecret}`, {
    authorityHost: ctx.authorityHost,
    disableInstanceDiscovery: true,
  });
  const client = new SecretClient(ctx.vaultUrl, credential, { disableChallengeResourceVerification: true });
  const name = uniqueName("wrongsecret");
  await admin.setSecret(name, "not for impostors");

  await assert.rejects(client.getSecret(name), (error) => {
    assert.ok(
      identityErrors.includes(error.name),
      `expected an identity error, got ${error.name}: ${error.message}`,
    );
    assert.ok(!String(error.message).includes("not for impostors"));
    return true;
  });
  await assert.rejects(credential.getToken("https://localhost/.default"), (error) => identityErrors.includes(error.name));
});

test("an unknown client id makes getSecret reject with an authentication error", async () => {
  const credential = new ClientSecretCredential(ctx.tenantId, "00000000-0000-0000-0000-000000000001", ctx.admin.clientSecret, {
    authorityHost: ctx.authorityHost,
    disableInstanceDiscovery: true,
  });
  const client = new SecretClient(ctx.vaultUrl, credential, { disableChallengeResourceVerification: true });
  await assert.rejects(client.getSecret(uniqueName("unknownclient")), (error) =>
    identityErrors.includes(error.name),
  );
});

test("the admin credential gets a bearer token for https://localhost/.default from Keyhub's token endpoint", async () => {
  const token = await credentialFor(ctx.admin).getToken("https://localhost/.default");
  assert.ok(token?.token, "a token is returned");
  assert.ok(token.expiresOnTimestamp > Date.now() + 60_000, "the token is valid for more than a minute");
  const parts = token.token.split(".");
  assert.equal(parts.length, 3, "the access token is a JWT");
  const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
  const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  assert.notEqual(String(header.alg).toLowerCase(), "none", "the token is signed");
  assert.equal(payload.aud, "https://localhost");
  assert.ok(!token.token.includes(ctx.admin.clientSecret), "the token does not contain the client secret");
});

test("a request without Authorization gets 401 with the exact Bearer challenge and an Unauthorized error body", async () => {
  const response = await fetch(`${ctx.vaultUrl}/secrets/x?api-version=7.6`);
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("www-authenticate"), expectedChallenge);
  const body = await response.json();
  assert.equal(body?.error?.code, "Unauthorized");
});

test("an unauthenticated PUT with an empty body gets the 401 challenge, not a body error (the SDK's first request)", async () => {
  const response = await fetch(`${ctx.vaultUrl}/secrets/${uniqueName("challenge")}?api%2Dversion=2026-04-01`, {
    method: "PUT",
    headers: { "content-type": "application/json", "content-length": "0" },
  });
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("www-authenticate"), expectedChallenge);
  await response.body?.cancel();
});

test("a request with an invalid bearer token gets 401 with the challenge", async () => {
  const response = await fetch(`${ctx.vaultUrl}/secrets/x?api-version=7.6`, {
    headers: { authorization: "Bearer not-a-jwt" },
  });
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("www-authenticate")?.startsWith("Bearer "), true);
  await response.body?.cancel();
});

test("with a valid token, an unknown api-version is refused with 400", async () => {
  const { token } = await credentialFor(ctx.admin).getToken("https://localhost/.default");
  const name = uniqueName("apiver");
  await admin.setSecret(name, "v");
  const ok = await fetch(`${ctx.vaultUrl}/secrets/${name}?api-version=7.6`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).value, "v");

  for (const query of ["api-version=6.0", "api-version=2099-01-01", ""]) {
    const response = await fetch(`${ctx.vaultUrl}/secrets/${name}?${query}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 400, `?${query} should be refused`);
    const body = await response.json();
    assert.ok(body?.error?.code, `?${query}: the body is an Azure error`);
  }
});

test("/healthz answers 200 without authentication", async () => {
  const response = await fetch(`https://localhost:${ctx.port}/healthz`);
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

test("the OpenID configuration names Keyhub's own token endpoint and issuer on the same origin", async () => {
  const response = await fetch(`${ctx.authorityHost}/${ctx.tenantId}/v2.0/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  const doc = await response.json();
  for (const key of ["issuer", "token_endpoint", "jwks_uri", "authorization_endpoint"]) {
    assert.equal(typeof doc[key], "string", `${key} is present`);
  }
  assert.equal(new URL(doc.token_endpoint).origin, ctx.authorityHost);
  assert.equal(new URL(doc.issuer).origin, ctx.authorityHost);
  const jwks = await (await fetch(doc.jwks_uri)).json();
  assert.ok(Array.isArray(jwks.keys) && jwks.keys.length > 0, "the JWKS lists a signing key");
  for (const key of jwks.keys) assert.equal(key.d, undefined, "the JWKS holds no private key material");
});
