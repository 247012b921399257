// Turns one run's wrk outputs into results JSON (called by run.sh).
//   node collect.mjs --mode full|smoke --work DIR --duration 10s --connections 64 --threads 2
// full:  writes bench/results/<timestamp>.json and bench/results/latest.json, then regenerates bench/RESULTS.md
// smoke: writes bench/results/smoke-latest.json; exits 1 unless every run had requests, only 2xx, rps > 0
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { execSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { renderMarkdown } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const mode = arg("mode") ?? "full";
const work = arg("work");

const toMs = (v) => {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(v ?? "");
  if (!m) return null;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]];
};
export function parseWrk(text) {
  const num = (re) => { const m = re.exec(text); return m ? Number(m[1]) : null; };
  const lat = (p) => { const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(text); return m ? toMs(m[1]) : null; };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const requests = num(/^\s*(\d+) requests in/m) ?? 0;
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/) ?? 0;
  const round = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
  return {
    rps: num(/^Requests\/sec:\s+([\d.]+)/m) ?? 0,
    requests,
    p50Ms: round(lat(50)), p75Ms: round(lat(75)), p90Ms: round(lat(90)), p99Ms: round(lat(99)),
    non2xx,
    socketErrors: socket ? { connect: +socket[1], read: +socket[2], write: +socket[3], timeout: +socket[4] } : null,
  };
}
const rss = (file) => {
  const kb = existsSync(file) ? readFileSync(file, "utf8").split(/\s+/).filter(Boolean).map(Number).filter((n) => n > 0) : [];
  return kb.length ? { rssMiB: Math.round(kb[kb.length - 1] / 102.4) / 10, rssPeakMiB: Math.round(Math.max(...kb) / 102.4) / 10 } : { rssMiB: null, rssPeakMiB: null };
};
const sh = (cmd) => { try { return execSync(cmd, { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch { return null; } };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { scenarios } = JSON.parse(readFileSync(join(work, "scenarios.json"), "utf8"));
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  const now = new Date();
  const results = {
    date: now.toISOString(),
    commit: sh("git rev-parse --short HEAD"),
    dirty: (sh("git status --porcelain -- ../src") ?? "") !== "",
    machine: {
      nproc: Number(sh("nproc")) || os.availableParallelism(),
      memTotalMiB: Math.round(memKb / 1024),
      cpu: os.cpus()[0]?.model ?? null,
      kernel: os.release(),
      dotnet: sh("dotnet --version"),
      wrk: sh("wrk -v 2>&1 | head -1")?.split(" ").slice(0, 2).join(" ") ?? null,
    },
    load: { mode, tool: "wrk", threads: Number(arg("threads")), connections: Number(arg("connections")), duration: arg("duration"), keepAlive: true, tls: "TLS 1.2+ (same certificate on both servers)" },
    scenarios: [],
  };
  const failures = [];
  for (const s of scenarios) {
    const side = (name) => {
      const text = existsSync(join(work, "wrk", `${s.name}.${name}.txt`)) ? readFileSync(join(work, "wrk", `${s.name}.${name}.txt`), "utf8") : "";
      const r = { ...parseWrk(text), ...rss(join(work, "wrk", `${s.name}.${name}.rss`)), responseBytes: s[name].responseBytes };
      if (!(r.requests > 0 && r.rps > 0 && r.non2xx === 0)) failures.push(`${s.name}/${name}: requests=${r.requests} rps=${r.rps} non2xx=${r.non2xx}${text ? "" : " (no wrk output)"}`);
      return r;
    };
    const keyhub = side("keyhub");
    const baseline = side("baseline");
    results.scenarios.push({
      name: s.name, title: s.title, role: s.role, baselineKind: s.baselineKind,
      baselineEndpoint: `${s.baseline.method} ${new URL(s.baseline.url).pathname}`,
      keyhub, baseline,
      ratio: baseline.rps > 0 ? Math.round((keyhub.rps / baseline.rps) * 1000) / 1000 : null,
    });
  }
  results.ok = failures.length === 0;
  results.failures = failures;

  const dir = join(here, "results");
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(results, null, 2) + "\n";
  if (mode === "smoke") {
    writeFileSync(join(dir, "smoke-latest.json"), json);
  } else {
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    writeFileSync(join(dir, `${stamp}.json`), json);
    writeFileSync(join(dir, "latest.json"), json);
    writeFileSync(join(here, "RESULTS.md"), renderMarkdown(results));
    // The same table, with its machine/date/commit lines, goes into the top-level README between markers.
    const readme = join(here, "..", "README.md");
    const start = "<!-- bench:results:start -->", end = "<!-- bench:results:end -->";
    const text = readFileSync(readme, "utf8");
    const a = text.indexOf(start), b = text.indexOf(end);
    if (a >= 0 && b > a) {
      const table = renderMarkdown(results).split("\n").slice(2).join("\n").trim();
      writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
    }
    console.error(`[bench] wrote bench/results/${stamp}.json, bench/results/latest.json, bench/RESULTS.md and the README table`);
  }
  console.log(renderMarkdown(results, { brief: true }));
  if (failures.length) {
    console.error(`[bench] FAILED (${failures.length}):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  if (mode === "smoke") console.error("[bench] smoke OK: every scenario answered 2xx with nonzero throughput");
}
