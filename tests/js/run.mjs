#!/usr/bin/env node
// Runs the JavaScript end-to-end suite against a real Keyhub server.
//
// 1. starts `keyhub server --dev` once on a fresh data folder (so the dev CA exists), stops it;
// 2. adds the extra principals offline (`keyhub principal add`: no role, Secrets User, Crypto Service Encryption User);
// 3. starts the server again, writes the connection details to a JSON file;
// 4. runs `node --test` with NODE_EXTRA_CA_CERTS=<dev ca.pem> (Node reads it only at process start,
//    which is why the tests run in a child process) and KEYHUB_TEST_CONTEXT=<json>;
// 5. stops the server, removes the data folder, exits with the test runner's exit code.
//
// When SoftHSM2 is installed (/usr/lib/softhsm/libsofthsm2.so), a SoftHSM token of the run's own is initialised in the
// temporary folder first and both server starts get KEYHUB__HSM__* and SOFTHSM2_CONF, so that the server can create
// premium (HSM-backed) vaults; the context says whether it did (`hsm.available`).
//
// Nothing is printed after the test runner's own summary.
//
// Environment:
//   KEYHUB_DLL        path of keyhub.dll (default: <repo>/src/Keyhub/bin/Release/net10.0/keyhub.dll)
//   KEYHUB_KEEP_DATA  set to 1 to keep the temporary data folder (its path is printed first)
//   KEYHUB_SOFTHSM_LIBRARY  the SoftHSM2 PKCS#11 library (default /usr/lib/softhsm/libsofthsm2.so); the HSM tests
//                           are skipped when it does not exist

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, openSync, closeSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
const dll = resolve(process.env.KEYHUB_DLL ?? join(repoRoot, "src", "Keyhub", "bin", "Release", "net10.0", "keyhub.dll"));

const softHsmLibrary = process.env.KEYHUB_SOFTHSM_LIBRARY ?? "/usr/lib/softhsm/libsofthsm2.so";
const HSM_TOKEN_LABEL = "keyhub-js";
const HSM_USER_PIN = "1234";
const HSM_SO_PIN = "5678";

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

function log(message) {
  process.stderr.write(`[run.mjs] ${message}\n`);
}

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

/** Appends everything the server prints to one log file (never to our stdout). */
class ServerLog {
  constructor(path) {
    this.path = path;
    this.fd = openSync(path, "a");
  }
  write(text) {
    if (this.fd !== undefined) writeSync(this.fd, text);
  }
  close() {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
  tail(lines = 40) {
    try {
      return readFileSync(this.path, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }
}

let current = null; // the running server: { child, exited }
let testRunner = null; // the node --test child process

function startServer(dataDir, port, serverLog, label, extraEnv = {}) {
  const shownEnv = Object.keys(extraEnv).length ? ` (env: ${Object.keys(extraEnv).join(", ")})` : "";
  serverLog.write(`\n===== ${label}: dotnet ${dll} server --dev --data ${dataDir} --port ${port}${shownEnv}\n`);
  const child = spawn("dotnet", [dll, "server", "--dev", "--data", dataDir, "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1", ...extraEnv },
  });
  const exited = new Promise((resolveExit) => child.once("exit", (code, signal) => resolveExit({ code, signal })));
  current = { child, exited };

  return new Promise((resolveReady, reject) => {
    let stdoutText = "";
    let done = false;
    const finish = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolveReady({ ...current, stdout: stdoutText });
    };
    child.stdout.on("data", (chunk) => {
      const text = chunk.toString("utf8");
      serverLog.write(text);
      stdoutText += text;
      if (/^Keyhub ready\s*$/m.test(stdoutText)) finish();
    });
    child.stderr.on("data", (chunk) => serverLog.write(chunk.toString("utf8")));
    child.once("error", (error) => finish(new Error(`could not start dotnet: ${error.message}`)));
    exited.then(({ code, signal }) =>
      finish(new Error(`server exited before "Keyhub ready" (code ${code}, signal ${signal})\n${serverLog.tail()}`)),
    );
    const timer = setTimeout(
      () => finish(new Error(`server did not print "Keyhub ready" within ${READY_TIMEOUT_MS} ms\n${serverLog.tail()}`)),
      READY_TIMEOUT_MS,
    );
  });
}

async function stopServer() {
  if (!current) return;
  const { child, exited } = current;
  current = null;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timeout = new Promise((r) => setTimeout(() => r("timeout"), STOP_TIMEOUT_MS));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    log(`server pid ${child.pid} did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; sending SIGKILL`);
    child.kill("SIGKILL");
    await exited;
  }
}

function runCommand(args, serverLog) {
  serverLog.write(`\n===== dotnet ${args.join(" ")}\n`);
  return new Promise((resolveRun, reject) => {
    const child = spawn("dotnet", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c) => (stderr += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      serverLog.write(stdout.replace(/"clientSecret"\s*:\s*"[^"]*"/g, '"clientSecret":"***"') + stderr);
      if (code === 0) resolveRun(stdout);
      else reject(new Error(`dotnet ${args.join(" ")} exited with ${code}\n${stdout}${stderr}`));
    });
  });
}

async function addPrincipal(dataDir, name, extraArgs, serverLog) {
  const stdout = await runCommand([dll, "principal", "add", "--data", dataDir, "--name", name, ...extraArgs], serverLog);
  const line = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("{"))
    .pop();
  if (!line) throw new Error(`principal add printed no JSON line:\n${stdout}`);
  const principal = JSON.parse(line);
  for (const field of ["clientId", "clientSecret"]) {
    if (typeof principal[field] !== "string" || principal[field] === "") {
      throw new Error(`principal add: missing ${field} in ${line}`);
    }
  }
  return principal;
}

/**
 * A SoftHSM2 token of this run's own under `<root>/softhsm` (its own softhsm2.conf and token directory, so the
 * machine's tokens are neither used nor touched). Resolves with the environment the server needs for premium vaults,
 * or null when SoftHSM2 is not installed.
 */
async function initSoftHsm(root, serverLog) {
  if (!existsSync(softHsmLibrary)) return null;
  const dir = join(root, "softhsm");
  const tokens = join(dir, "tokens");
  mkdirSync(tokens, { recursive: true });
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const args = ["--init-token", "--free", "--label", HSM_TOKEN_LABEL, "--pin", HSM_USER_PIN, "--so-pin", HSM_SO_PIN];
  serverLog.write(`\n===== SOFTHSM2_CONF=${conf} softhsm2-util ${args.join(" ")}\n`);
  await new Promise((resolveRun, reject) => {
    const child = spawn("softhsm2-util", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SOFTHSM2_CONF: conf } });
    let output = "";
    child.stdout.on("data", (c) => (output += c.toString("utf8")));
    child.stderr.on("data", (c) => (output += c.toString("utf8")));
    child.once("error", (error) => reject(new Error(`could not run softhsm2-util: ${error.message}`)));
    child.once("exit", (code) => {
      serverLog.write(output);
      if (code === 0) resolveRun();
      else reject(new Error(`softhsm2-util ${args.join(" ")} exited with ${code}\n${output}`));
    });
  });
  return {
    SOFTHSM2_CONF: conf,
    KEYHUB__HSM__LIBRARY: softHsmLibrary,
    KEYHUB__HSM__TOKENLABEL: HSM_TOKEN_LABEL,
    KEYHUB__HSM__PIN: HSM_USER_PIN,
  };
}

function readCredentials(dataDir) {
  return JSON.parse(readFileSync(join(dataDir, "dev", "credentials.json"), "utf8"));
}

function runTests(env) {
  const testDir = join(here, "test");
  const files = readdirSync(testDir)
    .filter((f) => f.endsWith(".test.mjs"))
    .sort()
    .map((f) => join("test", f));
  const args = ["--test", "--test-concurrency=1", "--test-reporter=tap", ...files];
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { cwd: here, stdio: ["ignore", "inherit", "inherit"], env });
    testRunner = child;
    child.once("exit", (code, signal) => {
      testRunner = null;
      resolveRun(code ?? (signal ? 1 : 0));
    });
  });
}

async function main() {
  if (!existsSync(dll)) {
    log(`keyhub.dll not found at ${dll}`);
    log("build it first: dotnet build src/Keyhub -c Release   (or set KEYHUB_DLL)");
    return 1;
  }

  const root = mkdtempSync(join(tmpdir(), "keyhub-js-"));
  const dataDir = join(root, "data");
  const serverLog = new ServerLog(join(root, "server.log"));
  let exitCode = 1;
  let failedSetup = false;

  let cleaning = null;
  const cleanup = () => (cleaning ??= doCleanup());
  const doCleanup = async () => {
    await stopServer();
    serverLog.close();
    if (exitCode !== 0) {
      const kept = join(tmpdir(), `keyhub-js-server-${Date.now()}.log`);
      try {
        copyFileSync(serverLog.path, kept);
        if (failedSetup) log(`server log kept at ${kept}`);
      } catch {
        /* ignore */
      }
    }
    if (process.env.KEYHUB_KEEP_DATA !== "1") rmSync(root, { recursive: true, force: true });
  };

  const onSignal = (signal) => {
    log(`received ${signal}; stopping the tests and the server`);
    exitCode = 130;
    testRunner?.kill("SIGTERM");
    cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const port = await freePort();
    log(`keyhub: ${dll}`);
    log(`data folder: ${dataDir}, port ${port}; server log: ${serverLog.path} (copied to ${tmpdir()}/keyhub-js-server-*.log if anything fails)`);

    // 0. a SoftHSM2 token for premium vaults, when SoftHSM2 is installed.
    const hsmEnv = await initSoftHsm(root, serverLog);
    if (!hsmEnv && process.env.KEYHUB_REQUIRE_HSM === "1") {
      throw new Error(`KEYHUB_REQUIRE_HSM=1 but SoftHSM2 is not installed (no ${softHsmLibrary}); scripts/install-softhsm.sh installs it`);
    }
    log(hsmEnv
      ? `SoftHSM2 token '${HSM_TOKEN_LABEL}' in ${join(root, "softhsm")}: premium vaults available`
      : `SoftHSM2 not found at ${softHsmLibrary}: no premium vaults, the HSM tests will be skipped`);

    // 1. first start: initialises the data folder, the dev CA and the admin principal.
    await startServer(dataDir, port, serverLog, "first start", hsmEnv ?? {});
    await stopServer();

    // 2. extra principals, added offline.
    const noRole = await addPrincipal(dataDir, "js-no-role", [], serverLog);
    let secretsUser = null;
    try {
      secretsUser = await addPrincipal(
        dataDir,
        "js-secrets-user",
        ["--role", "Key Vault Secrets User", "--scope", "/vaults/hub"],
        serverLog,
      );
    } catch (error) {
      log(`could not add a principal with the Secrets User role (its test will be skipped): ${error.message.split("\n")[0]}`);
    }

    let cryptoEncryptionUser = null;
    try {
      cryptoEncryptionUser = await addPrincipal(
        dataDir,
        "js-crypto-encryption-user",
        ["--role", "Key Vault Crypto Service Encryption User", "--scope", "/vaults/hub"],
        serverLog,
      );
    } catch (error) {
      log(`could not add a principal with the Crypto Service Encryption User role (its test will be skipped): ${error.message.split("\n")[0]}`);
    }

    // 3. second start, the one the tests talk to.
    const { child, stdout } = await startServer(dataDir, port, serverLog, "second start", hsmEnv ?? {});
    if (hsmEnv && !/^HSM token '.*' open for premium vaults\s*$/m.test(stdout)) {
      throw new Error(`the server was started with an HSM token but did not print "HSM token '${HSM_TOKEN_LABEL}' open for premium vaults"\n${serverLog.tail()}`);
    }
    const credentials = readCredentials(dataDir);
    const caCertificate = credentials.caCertificate;
    if (!caCertificate || !existsSync(caCertificate)) throw new Error(`credentials.json names no existing caCertificate: ${caCertificate}`);
    let pidFromFile = null;
    try {
      pidFromFile = Number.parseInt(readFileSync(join(dataDir, "keyhub.pid"), "utf8").trim(), 10);
    } catch {
      /* reported by a test */
    }

    const context = {
      port,
      dataDir,
      serverPid: child.pid,
      pidFromFile,
      tenantId: credentials.tenantId,
      authorityHost: credentials.authorityHost,
      caCertificate,
      vaultUrl: credentials.vaults?.hub,
      credentials,
      admin: { clientId: credentials.clientId, clientSecret: credentials.clientSecret },
      noRole,
      secretsUser,
      cryptoEncryptionUser,
      hsm: hsmEnv
        ? { available: true, library: softHsmLibrary, tokenLabel: HSM_TOKEN_LABEL, tokenDir: join(root, "softhsm", "tokens") }
        : { available: false, reason: `SoftHSM2 is not installed (no ${softHsmLibrary}); scripts/install-softhsm.sh installs it` },
    };
    const contextPath = join(root, "context.json");
    writeFileSync(contextPath, JSON.stringify(context, null, 2), { mode: 0o600 });

    // 4. the tests.
    exitCode = await runTests({
      ...process.env,
      NODE_EXTRA_CA_CERTS: caCertificate,
      KEYHUB_TEST_CONTEXT: contextPath,
    });
  } catch (error) {
    failedSetup = true;
    exitCode = 1;
    log(`setup failed: ${error.stack ?? error}`);
  } finally {
    await cleanup();
  }
  return exitCode;
}

process.exitCode = await main();
