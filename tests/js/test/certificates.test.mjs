// Certificates (@azure/keyvault-certificates 4.10.3): create (Self and Unknown issuers), the pending operation,
// merge, import (PFX with and without a password, PEM), policy, properties, lists, soft delete, backup and restore,
// issuers and contacts; the certificate's managed secret read back with SecretClient.
//
// CSR signing, the test CA and the PFX files are made with the `openssl` command line (Node's crypto cannot sign a
// CSR nor write a PKCS#12), so `openssl` must be on PATH; everything else is checked with node:crypto.
//
// SDK 4.10.3 behaviours the tests work around (not Keyhub's): the create poller's public state has no
// `certificateOperation` (getCertificateOperation reads it); updateCertificatePolicy resolves with an empty policy;
// deleteContacts always resolves with []; an issuer's `name` is parsed from its id as "issuers"; byPage's maxPageSize
// is ignored (pass `maxresults`); a failed operation makes beginCreateCertificate / getCertificateOperation reject with a
// plain Error carrying the operation's error message.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate, createHash, createPrivateKey, createPublicKey, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CertificateClient } from "@azure/keyvault-certificates";
import { POLL, collect, cryptoClient, ctx, keyClient, rejectsWithRestError, secretClient, sharedCredentialFor, uniqueName, vaultRequest } from "./helpers.mjs";

const client = new CertificateClient(ctx.vaultUrl, sharedCredentialFor(), { disableChallengeResourceVerification: true });
const secrets = secretClient();
const keys = keyClient();

/** Poll options for the create / operation pollers (the SDK's default is 2 s). */
const FAST = { intervalInMs: 50 };
const PEM = "application/x-pem-file";
const PKCS12 = "application/x-pkcs12";

// ---------------------------------------------------------------------------------------------------------------
// openssl and PEM helpers

const work = mkdtempSync(join(tmpdir(), "keyhub-js-certs-"));
after(() => rmSync(work, { recursive: true, force: true }));
let fileCounter = 0;

function openssl(...args) {
  return execFileSync("openssl", args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh path in the work folder. */
function tmp(suffix) {
  fileCounter += 1;
  return join(work, `f${fileCounter}${suffix}`);
}

/** A self-signed certificate and its key made by openssl: { keyPem, certPem, certDer, keyPath, certPath }. */
function makeSelfSigned(subject, { keyAlg = "rsa:2048", ca = false, days = 30 } = {}) {
  const keyPath = tmp(".key.pem");
  const certPath = tmp(".crt.pem");
  const keyArgs = keyAlg.startsWith("ec:")
    ? ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${keyAlg.slice(3)}`]
    : ["-newkey", keyAlg];
  const extensions = ca
    ? ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    : ["-addext", "basicConstraints=CA:FALSE", "-addext", "keyUsage=critical,digitalSignature,keyEncipherment", "-addext", "subjectAltName=DNS:imported.example"];
  openssl("req", "-x509", ...keyArgs, "-nodes", "-keyout", keyPath, "-out", certPath, "-subj", subject, "-days", String(days), ...extensions);
  const keyPem = readFileSync(keyPath, "utf8");
  const certPem = readFileSync(certPath, "utf8");
  return { keyPem, certPem, certDer: new X509Certificate(certPem).raw, keyPath, certPath };
}

/** A PKCS#12 (PFX) of the certificate and key, as bytes; `password` "" for an unencrypted-password PFX. */
function makePfx({ keyPath, certPath }, password) {
  const out = tmp(".pfx");
  openssl("pkcs12", "-export", "-inkey", keyPath, "-in", certPath, "-out", out, "-passout", `pass:${password}`);
  return readFileSync(out);
}

/** Reads a PFX with openssl: { certificates: X509Certificate[], keys: KeyObject[] }. */
function readPfx(pfxBytes, password = "") {
  const path = tmp(".pfx");
  writeFileSync(path, pfxBytes);
  const pem = openssl("pkcs12", "-in", path, "-nodes", "-passin", `pass:${password}`).toString("utf8");
  return parsePem(pem);
}

/** Splits PEM text into X509Certificates and private KeyObjects. */
function parsePem(pem) {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)];
  return {
    labels: blocks.map((m) => m[1]),
    certificates: blocks.filter((m) => m[1] === "CERTIFICATE").map((m) => new X509Certificate(m[0])),
    keys: blocks.filter((m) => m[1].endsWith("PRIVATE KEY")).map((m) => createPrivateKey(m[0])),
  };
}

/** SPKI DER of a public or private KeyObject or an X509Certificate, for comparisons. */
function spki(keyOrCert) {
  const key = keyOrCert instanceof X509Certificate ? keyOrCert.publicKey : keyOrCert.type === "public" ? keyOrCert : createPublicKey(keyOrCert);
  return key.export({ type: "spki", format: "der" });
}

function derToPem(der, label) {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Signs a CSR (DER bytes) with the CA ({ keyPath, certPath }), copying its requested extensions: the leaf's DER. */
function signCsr(csrDer, ca, days = 30) {
  const csrPath = tmp(".csr.pem");
  const out = tmp(".crt.pem");
  writeFileSync(csrPath, derToPem(csrDer, "CERTIFICATE REQUEST"));
  openssl("x509", "-req", "-in", csrPath, "-CA", ca.certPath, "-CAkey", ca.keyPath, "-set_serial", String(Date.now()), "-days", String(days), "-copy_extensions", "copy", "-out", out);
  return new X509Certificate(readFileSync(out)).raw;
}

/** A key and a leaf certificate for it signed by the CA: { keyPem, certPem, certDer }. */
function makeCaSigned(subject, ca) {
  const keyPath = tmp(".key.pem");
  const csrPath = tmp(".csr.pem");
  openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", csrPath, "-subj", subject);
  const csrDer = openssl("req", "-in", csrPath, "-outform", "DER");
  const certDer = signCsr(csrDer, ca);
  return { keyPem: readFileSync(keyPath, "utf8"), certDer, certPem: derToPem(certDer, "CERTIFICATE") };
}

// ---------------------------------------------------------------------------------------------------------------
// SDK helpers

/** Creates a certificate and waits for it (Self issuer unless the policy says otherwise). */
async function createAndWait(name, policy = {}, options = {}) {
  const poller = await client.beginCreateCertificate(name, { issuerName: "Self", subject: `CN=${name}`, ...policy }, { ...FAST, ...options });
  const certificate = await poller.pollUntilDone();
  return { poller, certificate };
}

async function deleteCertificateAndWait(name) {
  return (await client.beginDeleteCertificate(name, POLL)).pollUntilDone();
}

/** Starts an Unknown-issuer create (it stays pending until a merge) and returns the poller without waiting. */
async function beginPending(name, policy = {}) {
  return client.beginCreateCertificate(name, { issuerName: "Unknown", subject: `CN=${name}`, ...policy }, FAST);
}

const versionPattern = /^[0-9a-f]{32}$/;

// ---------------------------------------------------------------------------------------------------------------
// Create, get, policy, properties

test("beginCreateCertificate with a Self policy completes; the certificate, its ids and its X.509 match the policy", async () => {
  const name = uniqueName("cert-self");
  const before = Date.now();
  const { poller, certificate } = await createAndWait(
    name,
    {
      subject: "CN=js-self.example, O=Keyhub Tests",
      subjectAlternativeNames: { dnsNames: ["js-self.example", "alt.js-self.example"] },
      keyType: "RSA",
      keySize: 2048,
      exportable: true,
      contentType: PEM,
      validityInMonths: 6,
      enhancedKeyUsage: ["1.3.6.1.5.5.7.3.1"],
      keyUsage: ["digitalSignature", "keyEncipherment"],
    },
    { tags: { team: "js" } },
  );

  assert.equal(poller.isDone(), true);
  // The create poller's public state has no operation; getCertificateOperation reads it.
  const operation = (await client.getCertificateOperation(name, FAST)).getOperationState().certificateOperation;
  assert.equal(operation.status, "completed");
  assert.equal(operation.error, undefined);
  assert.equal(operation.issuerName, "Self");
  assert.equal(operation.target, `${ctx.vaultUrl}/certificates/${name}`);

  const version = certificate.properties.version;
  assert.match(version, versionPattern);
  assert.equal(certificate.name, name);
  assert.equal(certificate.properties.id, `${ctx.vaultUrl}/certificates/${name}/${version}`);
  assert.equal(certificate.properties.vaultUrl, ctx.vaultUrl);
  assert.equal(certificate.keyId, `${ctx.vaultUrl}/keys/${name}/${version}`);
  assert.equal(certificate.secretId, `${ctx.vaultUrl}/secrets/${name}/${version}`);
  assert.equal(certificate.properties.enabled, true);
  assert.deepEqual(certificate.properties.tags, { team: "js" });
  assert.ok(certificate.properties.recoveryLevel, "recoveryLevel is set");
  assert.equal(certificate.policy.issuerName, "Self");
  assert.equal(certificate.policy.contentType, PEM);
  assert.equal(certificate.policy.validityInMonths, 6);

  const x509 = new X509Certificate(certificate.cer);
  assert.match(x509.subject, /CN=js-self\.example/);
  assert.match(x509.subject, /O=Keyhub Tests/);
  assert.equal(x509.subject, x509.issuer, "self-signed: subject = issuer");
  assert.ok(x509.verify(x509.publicKey), "signed by its own key");
  assert.equal(x509.subjectAltName, "DNS:js-self.example, DNS:alt.js-self.example");
  assert.equal(x509.publicKey.asymmetricKeyDetails.modulusLength, 2048);
  assert.equal(x509.ca, false);
  assert.deepEqual(x509.keyUsage, ["1.3.6.1.5.5.7.3.1"], "node's keyUsage lists the extended key usages");
  // Validity: nbf = created − 10 min, exp = nbf + 6 months (±), and the attributes equal the X.509 dates.
  const notBefore = new Date(x509.validFrom).getTime();
  const notAfter = new Date(x509.validTo).getTime();
  assert.ok(notBefore <= before, "NotBefore is not in the future");
  assert.ok(before - notBefore < 15 * 60_000, "NotBefore is at most a few minutes back");
  const months = (notAfter - before) / (30.44 * 86_400_000);
  assert.ok(months > 5.8 && months < 6.2, `validity of about 6 months, got ${months}`);
  assert.equal(certificate.properties.notBefore?.getTime(), notBefore, "attributes.nbf = NotBefore");
  assert.equal(certificate.properties.expiresOn?.getTime(), notAfter, "attributes.exp = NotAfter");
  // x5t: SHA-1 of the DER.
  const sha1 = createHash("sha1").update(x509.raw).digest();
  assert.deepEqual(Buffer.from(certificate.properties.x509Thumbprint), sha1);
  assert.equal(certificate.properties.x509ThumbprintString, sha1.toString("hex"));

  // getCertificate: the latest, with its policy.
  const latest = await client.getCertificate(name);
  assert.equal(latest.properties.id, certificate.properties.id);
  assert.deepEqual(Buffer.from(latest.cer), Buffer.from(certificate.cer));
  assert.equal(latest.policy.subject, "CN=js-self.example, O=Keyhub Tests");
  assert.deepEqual(latest.policy.subjectAlternativeNames, { dnsNames: ["js-self.example", "alt.js-self.example"] });
  assert.equal(latest.policy.keyType, "RSA");
  assert.equal(latest.policy.keySize, 2048);
  assert.equal(latest.policy.exportable, true);
  assert.equal(latest.policy.reuseKey, false);
  assert.deepEqual(latest.policy.enhancedKeyUsage, ["1.3.6.1.5.5.7.3.1"]);
  assert.deepEqual(latest.policy.keyUsage, ["digitalSignature", "keyEncipherment"]);
  assert.deepEqual(latest.policy.lifetimeActions, [{ action: "AutoRenew", lifetimePercentage: 80, daysBeforeExpiry: undefined }]);

  // getCertificateVersion: that version, without a policy.
  const byVersion = await client.getCertificateVersion(name, version);
  assert.equal(byVersion.properties.id, certificate.properties.id);
  assert.equal(byVersion.properties.version, version);
  assert.deepEqual(Buffer.from(byVersion.cer), Buffer.from(certificate.cer));
  assert.equal(byVersion.policy, undefined, "an explicit version has no policy");

  await rejectsWithRestError(client.getCertificateVersion(name, "0".repeat(32)), { statusCode: 404, code: "CertificateNotFound" });
  await rejectsWithRestError(client.getCertificate(uniqueName("cert-missing")), { statusCode: 404, code: "CertificateNotFound" });
});

test("an EC P-256 Self certificate with the default (PKCS#12) content type; a second create adds a version", async () => {
  const name = uniqueName("cert-ec");
  const { certificate: v1 } = await createAndWait(name, { keyType: "EC", keyCurveName: "P-256" });
  assert.equal(v1.policy.keyType, "EC");
  assert.equal(v1.policy.keyCurveName, "P-256");
  assert.equal(v1.policy.contentType, PKCS12, "the default content type is PKCS#12");
  const x509 = new X509Certificate(v1.cer);
  assert.equal(x509.publicKey.asymmetricKeyType, "ec");
  assert.equal(x509.publicKey.asymmetricKeyDetails.namedCurve, "prime256v1");
  assert.match(x509.subject, new RegExp(`CN=${name}`));

  const { certificate: v2 } = await createAndWait(name, { keyType: "EC", keyCurveName: "P-256" });
  assert.notEqual(v2.properties.version, v1.properties.version);
  assert.notDeepEqual(spki(new X509Certificate(v2.cer)), spki(x509), "reuseKey false: a new key per version");
  assert.equal((await client.getCertificate(name)).properties.version, v2.properties.version);
  assert.deepEqual(Buffer.from((await client.getCertificateVersion(name, v1.properties.version)).cer), Buffer.from(v1.cer));

  const versions = await collect(client.listPropertiesOfCertificateVersions(name));
  assert.deepEqual(versions.map((v) => v.version).sort(), [v1.properties.version, v2.properties.version].sort());
  for (const v of versions) {
    assert.equal(v.id, `${ctx.vaultUrl}/certificates/${name}/${v.version}`, "version items carry versioned ids");
    assert.equal(v.name, name);
    assert.equal(v.enabled, true);
    assert.ok(v.x509Thumbprint?.length === 20, "x5t on every version");
  }
});

test("a create with enabled: false and every kind of subject alternative name (7.6 adds URIs and IP addresses)", async () => {
  const name = uniqueName("cert-sans");
  const sans = {
    dnsNames: ["d.example"],
    emails: ["a@example.com"],
    userPrincipalNames: ["u@example.com"],
    uniformResourceIdentifiers: ["https://example.com/x"],
    ipAddresses: ["10.0.0.1", "::1"],
  };
  const { certificate } = await createAndWait(name, { subjectAlternativeNames: sans }, { enabled: false });
  assert.equal(certificate.properties.enabled, false, "the first version is disabled as asked");
  assert.deepEqual(certificate.policy.subjectAlternativeNames, sans);
  const san = new X509Certificate(certificate.cer).subjectAltName;
  for (const part of ["DNS:d.example", "email:a@example.com", "UPN:u@example.com", "URI:https://example.com/x", "IP Address:10.0.0.1", "IP Address:0:0:0:0:0:0:0:1"]) {
    assert.ok(san.includes(part), `${part} in ${san}`);
  }
  // The managed secret of a disabled certificate cannot be read.
  await rejectsWithRestError(secrets.getSecret(name), { statusCode: 403, code: "Forbidden" });
});

test("a create with a stored issuer whose provider Keyhub cannot reach fails: the poller rejects and the operation is 'failed' with an error", async () => {
  const issuer = uniqueName("issuer-unreachable");
  await client.createIssuer(issuer, "Test");
  const name = uniqueName("cert-failed");
  // The create is accepted (202) but its operation fails at once: the SDK's first poll rejects with the operation's error
  // message (a plain Error, not a RestError).
  await assert.rejects(
    client.beginCreateCertificate(name, { issuerName: issuer, subject: "CN=failed.example" }, FAST),
    (error) => error.statusCode === undefined && error.message.length > 0,
  );

  // getCertificateOperation's first poll rejects the same way; the operation itself is read with a raw request.
  await assert.rejects(client.getCertificateOperation(name, FAST), (error) => error.statusCode === undefined);
  const { status, body: operation } = await vaultRequest("GET", `/certificates/${name}/pending`);
  assert.equal(status, 200);
  assert.equal(operation.status, "failed");
  assert.ok(operation.error?.code, "a failed operation carries an error code");
  assert.ok(operation.error?.message, "and a message");
  assert.equal(operation.issuer?.name, issuer);
  assert.equal(operation.status_details, undefined, "no status_details once terminal");

  // An issuer name that is not stored: 404 at create.
  await rejectsWithRestError(client.beginCreateCertificate(uniqueName("cert-noissuer"), { issuerName: uniqueName("nope"), subject: "CN=x" }, FAST), {
    statusCode: 404,
    code: "CertificateIssuerNotFound",
  });
  await client.deleteIssuer(issuer);
});

test("the certificate's managed key signs through CryptographyClient; the signature verifies with the certificate's public key", async () => {
  const name = uniqueName("cert-sign");
  const { certificate } = await createAndWait(name, { keyType: "EC", keyCurveName: "P-256", keyUsage: ["digitalSignature"] });
  const data = Buffer.from("signed by a certificate's key");
  const signed = await cryptoClient(certificate.keyId).signData("ES256", data);
  assert.equal(signed.keyID, certificate.keyId);
  const x509 = new X509Certificate(certificate.cer);
  assert.ok(verify("sha256", data, { key: x509.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signed.result)), "the signature verifies with the X.509 key");

  const key = await keys.getKey(name);
  assert.deepEqual([...key.keyOperations].sort(), ["sign", "verify"], "key_ops follow the key usage");
  assert.equal(key.key.d, undefined, "no private part through the keys API");
});

test("the certificate's secret and key cannot be changed through the secrets and keys APIs (Keyhub: 403 Forbidden)", async () => {
  const name = uniqueName("cert-locked");
  const { certificate } = await createAndWait(name);
  await rejectsWithRestError(secrets.setSecret(name, "overwrite"), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(secrets.updateSecretProperties(name, certificate.properties.version, { tags: { a: "b" } }), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(secrets.beginDeleteSecret(name, POLL), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(keys.beginDeleteKey(name, POLL), { statusCode: 403, code: "Forbidden" });
  await rejectsWithRestError(keys.createEcKey(name), { statusCode: 403, code: "Forbidden" });
  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.version, certificate.properties.version, "no new secret version");
});

test("getCertificatePolicy and updateCertificatePolicy: members given replace, the others stay, and the next version follows", async () => {
  const name = uniqueName("cert-policy");
  await createAndWait(name, { subject: "CN=before.example", validityInMonths: 12 });

  const policy = await client.getCertificatePolicy(name);
  assert.equal(policy.subject, "CN=before.example");
  assert.equal(policy.issuerName, "Self");
  assert.equal(policy.keyType, "RSA");
  assert.equal(policy.keySize, 2048);
  assert.equal(policy.validityInMonths, 12);
  assert.equal(policy.contentType, PKCS12);
  assert.deepEqual(policy.enhancedKeyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  assert.deepEqual(policy.keyUsage, ["digitalSignature", "keyEncipherment"]);
  assert.equal(policy.enabled, true);

  // The SDK's updateCertificatePolicy returns an empty policy (it never reads the response); read it back instead.
  await client.updateCertificatePolicy(name, {
    issuerName: "Self",
    subject: "CN=after.example",
    validityInMonths: 3,
    contentType: PEM,
    keyUsage: ["digitalSignature"],
    lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 10 }],
  });
  const updated = await client.getCertificatePolicy(name);
  assert.equal(updated.subject, "CN=after.example");
  assert.equal(updated.validityInMonths, 3);
  assert.equal(updated.contentType, PEM);
  assert.deepEqual(updated.keyUsage, ["digitalSignature"]);
  assert.deepEqual(updated.lifetimeActions, [{ action: "EmailContacts", daysBeforeExpiry: 10, lifetimePercentage: undefined }]);
  assert.equal(updated.keyType, "RSA", "key properties not given stay");
  assert.equal(updated.keySize, 2048);
  assert.deepEqual(updated.enhancedKeyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], "EKUs not given stay");
  assert.equal(updated.issuerName, "Self");

  // getCertificate of the latest carries the new policy; a create with the policy as stored issues a 3-month PEM certificate.
  assert.equal((await client.getCertificate(name)).policy.subject, "CN=after.example");
  const { certificate } = await createAndWait(name, updated);
  const x509 = new X509Certificate(certificate.cer);
  assert.match(x509.subject, /CN=after\.example/);
  const months = (new Date(x509.validTo) - Date.now()) / (30.44 * 86_400_000);
  assert.ok(months > 2.8 && months < 3.2, `validity of about 3 months, got ${months}`);
  assert.equal((await secrets.getSecret(name)).properties.contentType, PEM);

  await rejectsWithRestError(client.getCertificatePolicy(uniqueName("cert-nopolicy")), { statusCode: 404, code: "CertificateNotFound" });
});

test("updateCertificateProperties changes tags and enabled of the latest or a given version", async () => {
  const name = uniqueName("cert-props");
  const { certificate: v1 } = await createAndWait(name, {}, { tags: { a: "1" } });
  const { certificate: v2 } = await createAndWait(name);

  const latest = await client.updateCertificateProperties(name, "", { tags: { a: "2", b: "x" } });
  assert.equal(latest.properties.version, v2.properties.version, "an empty version is the latest");
  assert.deepEqual(latest.properties.tags, { a: "2", b: "x" });
  assert.equal(latest.properties.enabled, true);

  const disabled = await client.updateCertificateProperties(name, v1.properties.version, { enabled: false });
  assert.equal(disabled.properties.version, v1.properties.version);
  assert.equal(disabled.properties.enabled, false);
  assert.deepEqual(disabled.properties.tags, { a: "1" }, "tags not given stay");
  assert.ok(disabled.properties.updatedOn >= v1.properties.updatedOn);

  const readV1 = await client.getCertificateVersion(name, v1.properties.version);
  assert.equal(readV1.properties.enabled, false);
  const readLatest = await client.getCertificate(name);
  assert.equal(readLatest.properties.version, v2.properties.version);
  assert.deepEqual(readLatest.properties.tags, { a: "2", b: "x" });
  assert.equal(readLatest.properties.enabled, true);

  // The managed secret of the disabled version follows: reading it is refused.
  const secretV1 = await collect(secrets.listPropertiesOfSecretVersions(name));
  const managedV1 = secretV1.find((p) => p.version === v1.properties.version);
  assert.ok(managedV1, "the managed secret has the certificate's version");
  assert.equal(managedV1.enabled, false, "the managed secret of the disabled version is disabled");
  await rejectsWithRestError(secrets.getSecret(name, { version: v1.properties.version }), { statusCode: 403 });

  await client.updateCertificateProperties(name, v1.properties.version, { enabled: true });
  assert.equal((await client.getCertificateVersion(name, v1.properties.version)).properties.enabled, true);
});

// ---------------------------------------------------------------------------------------------------------------
// The certificate's secret and key

test("the managed secret of a PEM certificate holds the PKCS#8 key and the certificate; the key matches the certificate", async () => {
  const name = uniqueName("cert-pem");
  const { certificate } = await createAndWait(name, { contentType: PEM, keyType: "RSA", keySize: 3072 });

  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.contentType, PEM);
  assert.equal(secret.properties.id, certificate.secretId);
  assert.equal(secret.properties.version, certificate.properties.version);
  const parsed = parsePem(secret.value);
  assert.deepEqual(parsed.labels, ["PRIVATE KEY", "CERTIFICATE"], "PKCS#8 key first, then the certificate");
  assert.equal(parsed.certificates.length, 1);
  assert.deepEqual(parsed.certificates[0].raw, Buffer.from(certificate.cer), "the secret's certificate is the certificate");
  const [key] = parsed.keys;
  assert.equal(key.asymmetricKeyType, "rsa");
  assert.equal(key.asymmetricKeyDetails.modulusLength, 3072);
  assert.ok(parsed.certificates[0].checkPrivateKey(key), "the private key matches the certificate's public key");

  // The managed key has the certificate's public key.
  const managedKey = await keys.getKey(name);
  assert.equal(managedKey.id, certificate.keyId);
  const jwkPublic = createPublicKey({
    key: { kty: "RSA", n: Buffer.from(managedKey.key.n).toString("base64url"), e: Buffer.from(managedKey.key.e).toString("base64url") },
    format: "jwk",
  });
  assert.deepEqual(spki(jwkPublic), spki(parsed.certificates[0]));
});

test("the managed secret of a PKCS#12 certificate is a base64 PFX without password holding the key and certificate", async () => {
  const name = uniqueName("cert-pfx");
  const { certificate } = await createAndWait(name, { contentType: PKCS12, keyType: "EC", keyCurveName: "P-384" });

  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.contentType, PKCS12);
  assert.match(secret.value, /^[A-Za-z0-9+/]+=*$/, "standard base64");
  const pfx = readPfx(Buffer.from(secret.value, "base64"));
  assert.equal(pfx.certificates.length, 1);
  assert.deepEqual(pfx.certificates[0].raw, Buffer.from(certificate.cer));
  assert.equal(pfx.keys.length, 1);
  assert.equal(pfx.keys[0].asymmetricKeyDetails.namedCurve, "secp384r1");
  assert.ok(pfx.certificates[0].checkPrivateKey(pfx.keys[0]));
});

test("the certificate's secret and key are marked managed, and the secret's kid names the key", async () => {
  const name = uniqueName("cert-managed");
  const { certificate } = await createAndWait(name);
  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.managed, true);
  assert.equal(secret.properties.certificateKeyId, certificate.keyId, "the SDK maps the secret's kid to certificateKeyId");
  const key = await keys.getKey(name);
  assert.equal(key.properties.managed, true);
  const listed = (await collect(secrets.listPropertiesOfSecrets())).find((p) => p.name === name);
  assert.equal(listed?.managed, true, "listed secrets are marked managed too");
});

test("a non-exportable certificate's secret holds the certificate without its private key", async () => {
  const name = uniqueName("cert-noexport");
  const { certificate } = await createAndWait(name, { contentType: PEM, exportable: false });
  assert.equal(certificate.policy.exportable, false);

  const parsed = parsePem((await secrets.getSecret(name)).value);
  assert.deepEqual(parsed.labels, ["CERTIFICATE"]);
  assert.deepEqual(parsed.certificates[0].raw, Buffer.from(certificate.cer));
});

// ---------------------------------------------------------------------------------------------------------------
// The pending operation: Unknown issuer, cancel, delete, merge

test("an Unknown-issuer create stays pending with a CSR; getCertificateOperation, a second create (409), cancel and delete the operation", async () => {
  const name = uniqueName("cert-pending");
  const createPoller = await beginPending(name, { subject: "CN=pending.example", subjectAlternativeNames: { dnsNames: ["pending.example"] } });
  assert.equal(createPoller.isDone(), false);

  // getCertificateOperation: a poller over the operation (the SDK GETs the certificate first, then the operation).
  const operationPoller = await client.getCertificateOperation(name, FAST);
  const created = operationPoller.getOperationState().certificateOperation;
  assert.equal(created.status, "inProgress");
  assert.equal(created.issuerName, "Unknown");
  assert.equal(created.id, `${ctx.vaultUrl}/certificates/${name}/pending`);
  assert.equal(created.statusDetails, "Pending certificate created. Please Perform Merge to complete the request.");
  assert.match(created.requestId, /^[0-9a-f]{32}$/);
  assert.ok(created.csr instanceof Uint8Array && created.csr.length > 100, "a DER CSR");
  assert.equal(created.cancellationRequested, false);
  assert.equal(operationPoller.isDone(), false);

  // The CSR is for the policy's subject and names, signed by the pending key.
  const csrPath = tmp(".csr.pem");
  writeFileSync(csrPath, derToPem(created.csr, "CERTIFICATE REQUEST"));
  const csrText = openssl("req", "-in", csrPath, "-noout", "-verify", "-text").toString("utf8");
  assert.match(csrText, /Subject: CN\s?=\s?pending\.example/);
  assert.match(csrText, /DNS:pending\.example/);

  // The latest certificate, while pending: a disabled version with the policy and no X.509 yet.
  const pending = await client.getCertificate(name);
  assert.equal(pending.properties.enabled, false);
  assert.equal(pending.cer, undefined);
  assert.equal(pending.policy.issuerName, "Unknown");
  assert.equal(pending.policy.subject, "CN=pending.example");

  // Polling again: still in progress, the same request.
  await operationPoller.poll();
  const operation = operationPoller.getOperationState().certificateOperation;
  assert.equal(operation.status, "inProgress");
  assert.equal(operation.requestId, created.requestId);
  assert.deepEqual(Buffer.from(operation.csr), Buffer.from(created.csr));
  assert.equal(operationPoller.isDone(), false);

  // Nothing new can be created or imported under the name while the operation is in progress.
  await rejectsWithRestError(client.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=x" }, FAST), { statusCode: 409 });
  const other = makeSelfSigned("/CN=blocked-import");
  await rejectsWithRestError(client.importCertificate(name, makePfx(other, "")), { statusCode: 409 });

  // Cancel (PATCH …/pending {cancellation_requested: true}).
  await operationPoller.cancelOperation();
  assert.equal(operationPoller.getOperationState().isCancelled, true);
  const afterCancel = operationPoller.getOperationState().certificateOperation;
  assert.equal(afterCancel.cancellationRequested, true);
  const cancelled = await client.getCertificateOperation(name, FAST);
  assert.equal(cancelled.getOperationState().certificateOperation.status, "cancelled");
  assert.equal(cancelled.isDone(), true, "a cancelled operation is terminal");
  assert.equal(cancelled.getOperationState().certificateOperation.cancellationRequested, true);

  // Delete the operation: it is returned, then gone.
  const deleted = await client.deleteCertificateOperation(name);
  assert.equal(deleted.name, name);
  assert.equal(deleted.status, "cancelled");
  const error = await rejectsWithRestError(client.getCertificateOperation(name, FAST), { statusCode: 404 });
  assert.ok(["PendingCertificateNotFound", "CertificateNotFound"].includes(error.code), `code ${error.code}`);
  await rejectsWithRestError(client.deleteCertificateOperation(name), { statusCode: 404, code: "PendingCertificateNotFound" });
  await rejectsWithRestError(client.getCertificateOperation(uniqueName("cert-noop"), FAST), { statusCode: 404, code: "CertificateNotFound" });

  // The name is free again: a Self certificate can be created under it.
  const { certificate } = await createAndWait(name);
  assert.equal(certificate.properties.enabled, true);
});

test("deleteCertificateOperation of an operation still in progress removes it; a new create is then allowed", async () => {
  const name = uniqueName("cert-pendel");
  await beginPending(name);
  const deleted = await client.deleteCertificateOperation(name);
  assert.equal(deleted.status, "inProgress", "the operation is returned as it was");
  await rejectsWithRestError(client.getCertificateOperation(name, FAST), { statusCode: 404 });
  const { certificate } = await createAndWait(name);
  assert.equal(certificate.properties.enabled, true);
});

test("mergeCertificate completes an Unknown-issuer request with a certificate signed by an outside CA (signed with openssl)", async () => {
  const name = uniqueName("cert-merge");
  const ca = makeSelfSigned("/CN=Keyhub JS Test CA", { ca: true, days: 60 });
  const poller = await beginPending(name, {
    subject: "CN=merged.example",
    subjectAlternativeNames: { dnsNames: ["merged.example"] },
    contentType: PEM,
    validityInMonths: 1,
  });
  const { csr } = (await client.getCertificateOperation(name, FAST)).getOperationState().certificateOperation;

  // A certificate for another key is refused.
  const stranger = makeSelfSigned("/CN=merged.example");
  const mismatch = await rejectsWithRestError(client.mergeCertificate(name, [stranger.certDer]), { statusCode: 400, code: "BadParameter" });
  assert.match(mismatch.message, /Public key/i);

  const leafDer = signCsr(csr, ca);
  const merged = await client.mergeCertificate(name, [leafDer, ca.certDer], { tags: { merged: "yes" } });
  assert.deepEqual(Buffer.from(merged.cer), Buffer.from(leafDer), "the bundle's certificate is the signed leaf");
  assert.match(merged.properties.version, versionPattern);
  assert.equal(merged.properties.enabled, true);
  assert.equal(merged.policy.issuerName, "Unknown");
  const leaf = new X509Certificate(leafDer);
  assert.equal(merged.properties.expiresOn?.getTime(), new Date(leaf.validTo).getTime());

  // The create poller now completes.
  const done = await poller.pollUntilDone();
  assert.equal(done.properties.version, merged.properties.version);
  const operation = (await client.getCertificateOperation(name, FAST)).getOperationState().certificateOperation;
  assert.equal(operation.status, "completed");
  assert.equal(operation.target, `${ctx.vaultUrl}/certificates/${name}`);

  // The secret: the pending key, the leaf and the CA (leaf first).
  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.contentType, PEM);
  const parsed = parsePem(secret.value);
  assert.equal(parsed.keys.length, 1);
  assert.deepEqual(parsed.certificates.map((c) => c.raw), [Buffer.from(leafDer), Buffer.from(ca.certDer)]);
  assert.ok(leaf.checkPrivateKey(parsed.keys[0]), "the merged certificate is for the key Keyhub kept");
  assert.ok(leaf.verify(new X509Certificate(ca.certPem).publicKey), "signed by the test CA");

  // Merging again: nothing waits for a merge.
  await rejectsWithRestError(client.mergeCertificate(name, [leafDer]), { statusCode: 403 });
  // Merging where there never was an operation.
  await rejectsWithRestError(client.mergeCertificate(uniqueName("cert-nomerge"), [leafDer]), { statusCode: 404 });
});

// ---------------------------------------------------------------------------------------------------------------
// Import

test("importCertificate of a PFX without a password: the bundle, the derived policy and the secret", async () => {
  const name = uniqueName("cert-imp-pfx");
  const material = makeSelfSigned("/CN=imported-pfx.example");
  const pfx = makePfx(material, "");

  const imported = await client.importCertificate(name, pfx, { tags: { source: "pfx" } });
  assert.deepEqual(Buffer.from(imported.cer), material.certDer);
  assert.match(imported.properties.version, versionPattern);
  assert.deepEqual(imported.properties.tags, { source: "pfx" });
  assert.equal(imported.properties.enabled, true);
  assert.equal(imported.policy.subject, "CN=imported-pfx.example");
  assert.equal(imported.policy.issuerName, "Unknown", "an imported certificate's issuer is Unknown");
  assert.equal(imported.policy.keyType, "RSA");
  assert.equal(imported.policy.keySize, 2048);
  assert.equal(imported.policy.contentType, PKCS12);
  assert.deepEqual(imported.policy.subjectAlternativeNames, { dnsNames: ["imported.example"] });
  const x509 = new X509Certificate(material.certPem);
  assert.equal(imported.properties.notBefore?.getTime(), new Date(x509.validFrom).getTime());
  assert.equal(imported.properties.expiresOn?.getTime(), new Date(x509.validTo).getTime());

  const got = await client.getCertificate(name);
  assert.equal(got.properties.id, imported.properties.id);

  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.contentType, PKCS12);
  const back = readPfx(Buffer.from(secret.value, "base64"));
  assert.deepEqual(back.certificates[0].raw, material.certDer);
  assert.deepEqual(spki(back.keys[0]), spki(createPrivateKey(material.keyPem)), "the imported private key is kept");
});

test("importCertificate of a password-protected PFX: the right password imports, a wrong or missing one is 400", async () => {
  const name = uniqueName("cert-imp-pwd");
  const material = makeSelfSigned("/CN=imported-pwd.example", { keyAlg: "ec:P-256" });
  const pfx = makePfx(material, "correct horse");

  await rejectsWithRestError(client.importCertificate(name, pfx, { password: "wrong" }), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.importCertificate(name, pfx), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.getCertificate(name), { statusCode: 404 });

  const imported = await client.importCertificate(name, pfx, { password: "correct horse" });
  assert.deepEqual(Buffer.from(imported.cer), material.certDer);
  assert.equal(imported.policy.keyType, "EC");
  assert.equal(imported.policy.keyCurveName, "P-256");

  // The stored secret is a PFX without a password.
  const back = readPfx(Buffer.from((await secrets.getSecret(name)).value, "base64"), "");
  assert.deepEqual(spki(back.keys[0]), spki(createPrivateKey(material.keyPem)));
});

test("importCertificate of PEM text (the SDK sends it as text, without the policy): Keyhub recognises the PEM", async () => {
  const name = uniqueName("cert-imp-pem");
  const material = makeSelfSigned("/CN=imported-pem.example", { keyAlg: "ec:P-256" });
  // openssl writes the key as PKCS#8 "PRIVATE KEY".
  assert.match(material.keyPem, /-----BEGIN PRIVATE KEY-----/);
  const pem = `${material.keyPem}${material.certPem}`;

  const imported = await client.importCertificate(name, Buffer.from(pem), { policy: { contentType: PEM } });
  assert.deepEqual(Buffer.from(imported.cer), material.certDer);
  assert.equal(imported.policy.contentType, PEM, "PEM in, PEM secret");
  assert.equal(imported.policy.keyType, "EC");

  const secret = await secrets.getSecret(name);
  assert.equal(secret.properties.contentType, PEM);
  const parsed = parsePem(secret.value);
  assert.deepEqual(parsed.certificates[0].raw, material.certDer);
  assert.equal(parsed.keys.length, 1);
  assert.deepEqual(spki(parsed.keys[0]), spki(createPrivateKey(material.keyPem)));
  assert.ok(parsed.certificates[0].checkPrivateKey(parsed.keys[0]));

  // A second import adds a version.
  const again = await client.importCertificate(name, Buffer.from(pem), { policy: { contentType: PEM } });
  assert.notEqual(again.properties.version, imported.properties.version);
  assert.equal((await collect(client.listPropertiesOfCertificateVersions(name))).length, 2);
});

test("importCertificate of a PEM chain (leaf, CA) keeps the chain, in that order, in the secret", async () => {
  const name = uniqueName("cert-imp-chain");
  const ca = makeSelfSigned("/CN=Keyhub JS Import CA", { ca: true });
  const leaf = makeCaSigned("/CN=chained.example", ca);
  const pem = `${leaf.certPem}${ca.certPem}${leaf.keyPem}`;

  const imported = await client.importCertificate(name, Buffer.from(pem), { policy: { contentType: PEM } });
  assert.deepEqual(Buffer.from(imported.cer), leaf.certDer, "the leaf (the certificate of the key) is the certificate");
  assert.equal(imported.policy.subject, "CN=chained.example");

  const parsed = parsePem((await secrets.getSecret(name)).value);
  assert.deepEqual(
    parsed.certificates.map((c) => c.raw),
    [leaf.certDer, ca.certDer],
  );
  assert.ok(parsed.certificates[0].checkPrivateKey(parsed.keys[0]));
});

test("importCertificate refuses what is not a certificate with its key (400 BadParameter)", async () => {
  const material = makeSelfSigned("/CN=refused.example");
  await rejectsWithRestError(client.importCertificate(uniqueName("cert-imp-bad"), Buffer.from("not a pfx at all")), { statusCode: 400, code: "BadParameter" });
  await rejectsWithRestError(client.importCertificate(uniqueName("cert-imp-bad"), Buffer.from(material.certPem), { policy: { contentType: PEM } }), {
    statusCode: 400,
    code: "BadParameter",
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Lists

test("listPropertiesOfCertificates lists certificates with versionless ids, without pending ones by default", async () => {
  const done = uniqueName("cert-list");
  const pending = uniqueName("cert-listpending");
  const { certificate } = await createAndWait(done, {}, { tags: { listed: "yes" } });
  await beginPending(pending);

  const all = await collect(client.listPropertiesOfCertificates());
  const item = all.find((p) => p.name === done);
  assert.ok(item, "the certificate is listed");
  assert.equal(item.id, `${ctx.vaultUrl}/certificates/${done}`, "list items have versionless ids");
  assert.equal(item.version, undefined);
  assert.deepEqual(item.tags, { listed: "yes" });
  assert.deepEqual(Buffer.from(item.x509Thumbprint), Buffer.from(certificate.properties.x509Thumbprint));
  assert.equal(item.enabled, true);
  assert.equal(item.expiresOn?.getTime(), certificate.properties.expiresOn.getTime());
  assert.equal(all.find((p) => p.name === pending), undefined, "a pending certificate is not listed by default");

  await client.deleteCertificateOperation(pending);
});

test("listPropertiesOfCertificates with includePending lists a certificate whose first version is still pending", async () => {
  const pending = uniqueName("cert-incpending");
  await beginPending(pending);
  try {
    const withPending = await collect(client.listPropertiesOfCertificates({ includePending: true }));
    const item = withPending.find((p) => p.name === pending);
    assert.ok(item, "includePending lists the pending certificate");
    assert.equal(item.id, `${ctx.vaultUrl}/certificates/${pending}`);
    assert.equal(item.enabled, false);
    const without = await collect(client.listPropertiesOfCertificates({ includePending: false }));
    assert.equal(without.find((p) => p.name === pending), undefined, "includePending false leaves it out");
  } finally {
    await client.deleteCertificateOperation(pending);
  }
});

test("listPropertiesOfCertificates pages (maxresults 2) without losing or repeating names", async () => {
  const names = [];
  for (let i = 0; i < 5; i++) {
    const name = uniqueName("cert-page");
    names.push(name);
    await createAndWait(name, { keyType: "EC" });
  }
  // The JS SDK ignores byPage's maxPageSize; maxresults goes in the options.
  const seen = [];
  let pages = 0;
  for await (const page of client.listPropertiesOfCertificates({ maxresults: 2 }).byPage()) {
    pages += 1;
    assert.ok(page.length <= 2, `page of ${page.length}`);
    seen.push(...page.map((p) => p.name));
  }
  assert.ok(pages >= 3, `at least 3 pages, got ${pages}`);
  assert.equal(new Set(seen).size, seen.length, "no name twice");
  for (const name of names) assert.ok(seen.includes(name), `${name} listed`);

  const versions = [];
  const name = names[0];
  await createAndWait(name, { keyType: "EC" });
  await createAndWait(name, { keyType: "EC" });
  for await (const page of client.listPropertiesOfCertificateVersions(name, { maxresults: 1 }).byPage()) {
    assert.equal(page.length, 1);
    versions.push(...page.map((p) => p.version));
  }
  assert.equal(new Set(versions).size, 3, "three versions, one per page");
});

// ---------------------------------------------------------------------------------------------------------------
// Soft delete, recover, purge, backup, restore

test("beginDeleteCertificate, getDeletedCertificate, listDeletedCertificates, recover, delete again and purge (an imported certificate)", async () => {
  // Imported (no create operation); the next test does the same for a created certificate.
  const name = uniqueName("cert-del");
  const material = makeSelfSigned("/CN=deleted.example");
  const certificate = await client.importCertificate(name, Buffer.from(`${material.keyPem}${material.certPem}`), { policy: { contentType: PEM }, tags: { d: "1" } });

  const deleted = await deleteCertificateAndWait(name);
  assert.equal(deleted.name, name);
  assert.equal(deleted.recoveryId, `${ctx.vaultUrl}/deletedcertificates/${name}`);
  assert.ok(deleted.deletedOn instanceof Date);
  assert.ok(deleted.scheduledPurgeDate instanceof Date);
  assert.ok(deleted.scheduledPurgeDate > deleted.deletedOn);
  assert.equal(deleted.properties.version, certificate.properties.version);
  assert.deepEqual(Buffer.from(deleted.cer), Buffer.from(certificate.cer));

  const got = await client.getDeletedCertificate(name);
  assert.equal(got.recoveryId, deleted.recoveryId);
  assert.equal(got.properties.id, certificate.properties.id);
  assert.equal(got.policy.contentType, PEM);
  assert.deepEqual(got.properties.tags, { d: "1" });
  assert.equal(got.deletedOn?.getTime(), deleted.deletedOn.getTime());

  const listed = (await collect(client.listDeletedCertificates())).find((d) => d.name === name);
  assert.ok(listed, "the deleted certificate is listed");
  assert.equal(listed.recoveryId, deleted.recoveryId);
  assert.equal(listed.properties.id, `${ctx.vaultUrl}/certificates/${name}`);
  assert.ok(listed.scheduledPurgeDate instanceof Date);

  await rejectsWithRestError(client.getCertificate(name), { statusCode: 404, code: "CertificateNotFound" });
  await rejectsWithRestError(client.getCertificatePolicy(name), { statusCode: 404 });
  await rejectsWithRestError(secrets.getSecret(name), { statusCode: 404 });
  await rejectsWithRestError(keys.getKey(name), { statusCode: 404 });
  // The name is taken by the deleted certificate.
  await rejectsWithRestError(client.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=x" }, FAST), { statusCode: 409, code: "Conflict" });

  const recovered = await (await client.beginRecoverDeletedCertificate(name, POLL)).pollUntilDone();
  assert.equal(recovered.properties.version, certificate.properties.version);
  assert.deepEqual(Buffer.from((await client.getCertificate(name)).cer), Buffer.from(certificate.cer));
  assert.equal(parsePem((await secrets.getSecret(name)).value).keys.length, 1, "the secret is back with its key");
  assert.equal((await keys.getKey(name)).id, certificate.keyId, "the key is back");
  await rejectsWithRestError(client.getDeletedCertificate(name), { statusCode: 404 });

  await deleteCertificateAndWait(name);
  assert.equal(await client.purgeDeletedCertificate(name), null);
  await rejectsWithRestError(client.getDeletedCertificate(name), { statusCode: 404, code: "CertificateNotFound" });
  await rejectsWithRestError(client.getCertificate(name), { statusCode: 404 });
  await rejectsWithRestError(client.purgeDeletedCertificate(name), { statusCode: 404 });
  await rejectsWithRestError(client.beginDeleteCertificate(name, POLL), { statusCode: 404, code: "CertificateNotFound" });

  // Purged: the name is free again.
  const { certificate: fresh } = await createAndWait(name);
  assert.deepEqual((await collect(client.listPropertiesOfCertificateVersions(name))).map((v) => v.version), [fresh.properties.version]);
});

// The JS recover poller GETs the certificate first and completes without POSTing …/recover if that GET succeeds, so
// a deleted certificate must really be 404 — also when its (completed) create operation was kept.
test("a deleted certificate made by beginCreateCertificate is gone (404: certificate, policy, operation) and beginRecoverDeletedCertificate brings it back", async () => {
  const name = uniqueName("cert-delcreated");
  const { certificate } = await createAndWait(name);
  await deleteCertificateAndWait(name);
  await rejectsWithRestError(client.getCertificate(name), { statusCode: 404, code: "CertificateNotFound" });
  await rejectsWithRestError(client.getCertificatePolicy(name), { statusCode: 404 });
  await rejectsWithRestError(client.getCertificateOperation(name, FAST), { statusCode: 404 });

  await (await client.beginRecoverDeletedCertificate(name, POLL)).pollUntilDone();
  await rejectsWithRestError(client.getDeletedCertificate(name), { statusCode: 404 });
  const back = await client.getCertificate(name);
  assert.equal(back.properties.version, certificate.properties.version);
  assert.equal(back.properties.enabled, true);
  assert.equal(back.policy.issuerName, "Self", "the policy comes back too");
});

test("backupCertificate, delete, purge, restoreCertificateBackup: all versions, policy, tags and the private key come back", async () => {
  const name = uniqueName("cert-backup");
  const { certificate: v1 } = await createAndWait(name, { contentType: PEM }, { tags: { b: "1" } });
  const { certificate: v2 } = await createAndWait(name, { contentType: PEM, subject: "CN=second.example" }, { tags: { b: "2" } });
  const secretBefore = await secrets.getSecret(name);

  const backup = await client.backupCertificate(name);
  assert.ok(backup instanceof Uint8Array && backup.length > 100, "a backup blob");

  // Restore onto an existing name is refused.
  await rejectsWithRestError(client.restoreCertificateBackup(backup), { statusCode: 409 });

  await deleteCertificateAndWait(name);
  await client.purgeDeletedCertificate(name);
  await rejectsWithRestError(client.getCertificate(name), { statusCode: 404 });

  const restored = await client.restoreCertificateBackup(backup);
  assert.equal(restored.name, name);
  assert.equal(restored.properties.version, v2.properties.version);
  assert.deepEqual(Buffer.from(restored.cer), Buffer.from(v2.cer));
  assert.equal(restored.policy.subject, "CN=second.example");
  assert.deepEqual(restored.properties.tags, { b: "2" });

  const versions = (await collect(client.listPropertiesOfCertificateVersions(name))).map((v) => v.version).sort();
  assert.deepEqual(versions, [v1.properties.version, v2.properties.version].sort());
  assert.deepEqual(Buffer.from((await client.getCertificateVersion(name, v1.properties.version)).cer), Buffer.from(v1.cer));
  assert.deepEqual((await client.getCertificateVersion(name, v1.properties.version)).properties.tags, { b: "1" });

  const secretAfter = await secrets.getSecret(name);
  assert.equal(secretAfter.properties.version, v2.properties.version);
  assert.equal(secretAfter.value, secretBefore.value, "the same key and certificate");
  assert.equal((await keys.getKey(name)).id, v2.keyId);

  await rejectsWithRestError(client.restoreCertificateBackup(new Uint8Array([1, 2, 3, 4])), { statusCode: 400, code: "BadParameter" });
});

// ---------------------------------------------------------------------------------------------------------------
// Issuers and contacts

test("createIssuer, getIssuer, updateIssuer, listPropertiesOfIssuers and deleteIssuer", async () => {
  const name = uniqueName("issuer");
  const created = await client.createIssuer(name, "Test", {
    accountId: "account-1",
    password: "issuer-password",
    organizationId: "org-1",
    administratorContacts: [{ email: "admin@example.com", firstName: "Ada", lastName: "Admin", phone: "555-0100" }],
    enabled: true,
  });
  assert.equal(created.id, `${ctx.vaultUrl}/certificates/issuers/${name}`);
  // (The SDK's `name` is parsed from the id as a certificate id, so it reads "issuers": not checked.)
  assert.equal(created.provider, "Test");
  assert.equal(created.accountId, "account-1");
  assert.equal(created.password, undefined, "the password is never returned");
  assert.equal(created.organizationId, "org-1");
  assert.deepEqual(created.administratorContacts, [{ email: "admin@example.com", firstName: "Ada", lastName: "Admin", phone: "555-0100" }]);
  assert.equal(created.enabled, true);
  assert.ok(created.createdOn instanceof Date);

  const got = await client.getIssuer(name);
  assert.deepEqual(got, created);

  const updated = await client.updateIssuer(name, { accountId: "account-2", provider: "Test2" });
  assert.equal(updated.accountId, "account-2");
  assert.equal(updated.provider, "Test2");
  assert.equal(updated.organizationId, "org-1", "members not given stay");
  assert.equal(updated.enabled, true);
  assert.equal((await client.getIssuer(name)).accountId, "account-2");

  const listed = (await collect(client.listPropertiesOfIssuers())).find((i) => i.id === created.id);
  assert.ok(listed, "the issuer is listed");
  assert.equal(listed.provider, "Test2");

  const deleted = await client.deleteIssuer(name);
  assert.equal(deleted.id, created.id);
  assert.equal(deleted.provider, "Test2");
  await rejectsWithRestError(client.getIssuer(name), { statusCode: 404, code: "CertificateIssuerNotFound" });
  await rejectsWithRestError(client.deleteIssuer(name), { statusCode: 404, code: "CertificateIssuerNotFound" });
  assert.equal((await collect(client.listPropertiesOfIssuers())).find((i) => i.id === created.id), undefined);

  // The reserved names are not stored issuers.
  await rejectsWithRestError(client.createIssuer("Self", "Test"), { statusCode: 400, code: "BadParameter" });
});

test("setContacts, getContacts, deleteContacts; getContacts with none set is 404 ContactsNotFound", async () => {
  await rejectsWithRestError(client.getContacts(), { statusCode: 404, code: "ContactsNotFound" });

  const contacts = [
    { email: "ops@example.com", name: "Ops", phone: "555-0101" },
    { email: "sec@example.com", name: "Security" },
  ];
  const set = await client.setContacts(contacts);
  assert.deepEqual(set, [contacts[0], { ...contacts[1], phone: undefined }]);
  assert.deepEqual(await client.getContacts(), set);

  const replaced = await client.setContacts([{ email: "only@example.com" }]);
  assert.deepEqual(replaced, [{ email: "only@example.com", name: undefined, phone: undefined }]);

  // The SDK's deleteContacts always resolves with [] (it reads `contactList` from the raw body); the wire body is checked
  // with a raw request instead.
  assert.ok(Array.isArray(await client.deleteContacts()));
  await rejectsWithRestError(client.getContacts(), { statusCode: 404, code: "ContactsNotFound" });
  await rejectsWithRestError(client.deleteContacts(), { statusCode: 404, code: "ContactsNotFound" });

  await client.setContacts([{ email: "raw@example.com", name: "Raw" }]);
  const raw = await vaultRequest("DELETE", "/certificates/contacts");
  assert.equal(raw.status, 200);
  assert.deepEqual(raw.body, { id: `${ctx.vaultUrl}/certificates/contacts`, contacts: [{ email: "raw@example.com", name: "Raw" }] });
  await rejectsWithRestError(client.getContacts(), { statusCode: 404, code: "ContactsNotFound" });
});

// ---------------------------------------------------------------------------------------------------------------
// Refused policies

test("unsupported policies are refused with 400 BadParameter before anything is created", async () => {
  const cases = [
    { keyType: "oct", keySize: 256 },
    { keyType: "RSA", keySize: 1024 },
    { keyType: "EC", keyCurveName: "P-256K" },
    { contentType: "application/json" },
    { validityInMonths: 0 },
    { keyUsage: ["notAUsage"] },
    { subjectAlternativeNames: { dnsNames: ["not a dns name"] } },
  ];
  for (const extra of cases) {
    const name = uniqueName("cert-badpolicy");
    const error = await rejectsWithRestError(
      client.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=bad", ...extra }, FAST),
      { statusCode: 400, code: "BadParameter" },
    );
    assert.ok(error.message.length > 0, `a message for ${JSON.stringify(extra)}`);
    await rejectsWithRestError(client.getCertificate(name), { statusCode: 404 });
  }
  // A policy without a subject or names.
  await rejectsWithRestError(client.beginCreateCertificate(uniqueName("cert-nosubject"), { issuerName: "Self" }, FAST), { statusCode: 400, code: "BadParameter" });
});
