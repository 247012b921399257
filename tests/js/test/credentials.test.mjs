// More credential types with the official JS SDK: ClientCertificateCredential (certificate registered through the
// management API), ManagedIdentityCredential (App Service 2019-08-01 source: IDENTITY_ENDPOINT + IDENTITY_HEADER over
// Keyhub's HTTPS) and DefaultAzureCredential (EnvironmentCredential variables, then managed identity variables).
// Each obtains a token and reads a secret with SecretClient. Negative cases: unregistered certificate, wrong
// X-IDENTITY-HEADER, a client secret as the identity header.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ClientCertificateCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
} from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { credentialFor, ctx, secretClient, uniqueName } from "./helpers.mjs";

const SCOPE = "https://localhost/.default";
const origin = new URL(ctx.authorityHost).origin;
const identityEndpoint = `${origin}/msi/token`;
const IDENTITY_VARS = [
  "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "AZURE_TOKEN_CREDENTIALS",
];

/** Runs `fn` with only `values` among the identity variables set; restores the previous environment afterwards. */
async function withEnv(values, fn) {
  const previous = Object.fromEntries(IDENTITY_VARS.concat(Object.keys(values)).map((k) => [k, process.env[k]]));
  for (const k of Object.keys(previous)) delete process.env[k];
  Object.assign(process.env, values);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A management API call (/keyhub/v1) as the dev admin; resolves with { status, body }. */
async function manage(method, path, body) {
  const { token } = await credentialFor(ctx.admin).getToken(SCOPE);
  const response = await fetch(`${origin}/keyhub/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A new principal with Key Vault Secrets User on the hub vault. */
async function secretsUserPrincipal(prefix) {
  const created = await manage("POST", "/principals", { displayName: uniqueName(prefix) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const assigned = await manage("POST", "/roleassignments", {
    principalId: created.body.objectId,
    role: "Key Vault Secrets User",
    scope: "/vaults/hub",
  });
  assert.ok(assigned.status === 201 || assigned.status === 200, JSON.stringify(assigned.body));
  return created.body; // { objectId, clientId, clientSecret, ... }
}

async function addWorkloadCredential(clientId) {
  const response = await manage("POST", `/principals/${clientId}/workloadcredentials`, {});
  assert.equal(response.status, 201, JSON.stringify(response.body));
  assert.ok(response.body.identityHeader.startsWith(`kh1.${clientId}.`));
  return response.body.identityHeader;
}

async function seedSecret(prefix) {
  const name = uniqueName(prefix);
  const value = `value-${name}`;
  await secretClient().setSecret(name, value);
  return { name, value };
}

function vaultClient(credential) {
  return new SecretClient(ctx.vaultUrl, credential, { disableChallengeResourceVerification: true });
}

/** GET /msi/token as the App Service source sends it, with a raw header value. */
async function msiToken(header) {
  const headers = header === undefined ? {} : { "x-identity-header": header };
  const response = await fetch(`${identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent("https://localhost")}`, { headers });
  return { status: response.status, body: await response.json() };
}

const work = mkdtempSync(join(tmpdir(), "keyhub-js-cert-"));

/** A self-signed RSA-2048 certificate made by openssl; returns { certPem, bundlePath (cert + key PEM) }. */
function newCertificate(cn) {
  const key = join(work, `${cn}.key.pem`);
  const cert = join(work, `${cn}.cert.pem`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-days", "2", "-keyout", key, "-out", cert], {
    stdio: "ignore",
  });
  const certPem = readFileSync(cert, "utf8");
  const bundlePath = join(work, `${cn}.bundle.pem`);
  writeFileSync(bundlePath, certPem + readFileSync(key, "utf8"), { mode: 0o600 });
  return { certPem, bundlePath };
}

after(() => rmSync(work, { recursive: true, force: true }));

describe("ClientCertificateCredential", () => {
  let principal;
  let certificate;
  before(async () => {
    principal = await secretsUserPrincipal("js-cert-app");
    certificate = newCertificate("js-cert");
    const registered = await manage("POST", `/principals/${principal.clientId}/certificates`, { certificate: certificate.certPem });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
  });

  for (const sendCertificateChain of [false, true]) {
    test(`obtains a token and reads a secret (sendCertificateChain=${sendCertificateChain})`, async () => {
      const { name, value } = await seedSecret("js-cert");
      const credential = new ClientCertificateCredential(
        ctx.tenantId,
        principal.clientId,
        { certificatePath: certificate.bundlePath },
        { authorityHost: ctx.authorityHost, disableInstanceDiscovery: true, sendCertificateChain },
      );
      const secret = await vaultClient(credential).getSecret(name);
      assert.equal(secret.value, value);
    });
  }

  test("an unregistered certificate is refused (invalid_client)", async (t) => {
    const stranger = newCertificate("js-cert-stranger");
    const credential = new ClientCertificateCredential(
      ctx.tenantId,
      principal.clientId,
      { certificatePath: stranger.bundlePath },
      { authorityHost: ctx.authorityHost, disableInstanceDiscovery: true },
    );
    await assert.rejects(credential.getToken(SCOPE), (error) => {
      t.diagnostic(`${error.name}: ${error.message}`);
      assert.match(String(error.message), /invalid_client/);
      return true;
    });
  });
});

describe("ManagedIdentityCredential (IDENTITY_ENDPOINT over https)", () => {
  let principal;
  let header;
  before(async () => {
    principal = await secretsUserPrincipal("js-mi-app");
    header = await addWorkloadCredential(principal.clientId);
  });

  test("system-assigned: obtains a token and reads a secret", async () => {
    const { name, value } = await seedSecret("js-mi");
    await withEnv({ IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: header }, async () => {
      const credential = new ManagedIdentityCredential();
      const secret = await vaultClient(credential).getSecret(name);
      assert.equal(secret.value, value);
    });
  });

  test("user-assigned by client id: obtains a token and reads a secret", async () => {
    const { name, value } = await seedSecret("js-mi-ua");
    await withEnv({ IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: header }, async () => {
      const credential = new ManagedIdentityCredential({ clientId: principal.clientId });
      const secret = await vaultClient(credential).getSecret(name);
      assert.equal(secret.value, value);
    });
  });

  test("a wrong X-IDENTITY-HEADER or a client secret as the header is refused (401 invalid_client)", async () => {
    const tampered = header.slice(0, -2) + (header.endsWith("AA") ? "BB" : "AA");
    for (const wrong of [tampered, principal.clientSecret, `kh1.${principal.clientId}.${principal.clientSecret}`]) {
      const { status, body } = await msiToken(wrong);
      assert.equal(status, 401, JSON.stringify(body));
      assert.equal(body.error, "invalid_client");
    }
    const control = await msiToken(header);
    assert.equal(control.status, 200, JSON.stringify(control.body));
    assert.equal(control.body.client_id, principal.clientId);
  });

  test("ManagedIdentityCredential with a client secret as IDENTITY_HEADER fails", async (t) => {
    const other = await secretsUserPrincipal("js-mi-secret-header");
    await withEnv({ IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: other.clientSecret }, async () => {
      const credential = new ManagedIdentityCredential({ clientId: other.clientId });
      await assert.rejects(credential.getToken(SCOPE), (error) => {
        t.diagnostic(`${error.name}: ${error.message}`);
        assert.match(String(error.message), /ManagedIdentityCredential/);
        return true;
      });
    });
  });
});

describe("DefaultAzureCredential", () => {
  test("with EnvironmentCredential variables: obtains a token and reads a secret", async () => {
    const principal = await secretsUserPrincipal("js-dac-env");
    const { name, value } = await seedSecret("js-dac-env");
    await withEnv(
      { AZURE_TENANT_ID: ctx.tenantId, AZURE_CLIENT_ID: principal.clientId, AZURE_CLIENT_SECRET: principal.clientSecret },
      async () => {
        const credential = new DefaultAzureCredential({ authorityHost: ctx.authorityHost, disableInstanceDiscovery: true });
        const secret = await vaultClient(credential).getSecret(name);
        assert.equal(secret.value, value);
      },
    );
  });

  test("with managed identity variables: obtains a token and reads a secret", async () => {
    const principal = await secretsUserPrincipal("js-dac-mi");
    const header = await addWorkloadCredential(principal.clientId);
    const { name, value } = await seedSecret("js-dac-mi");
    await withEnv({ IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: header }, async () => {
      const credential = new DefaultAzureCredential({ authorityHost: ctx.authorityHost, disableInstanceDiscovery: true });
      const secret = await vaultClient(credential).getSecret(name);
      assert.equal(secret.value, value);
    });
  });
});
