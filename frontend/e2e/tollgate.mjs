// Helpers for the end-to-end tests: a real `tollgate serve` and Debian's Chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const bin = process.env.TOLLGATE_BIN ?? new URL("../../build/bin/tollgate", import.meta.url).pathname;

/**
 * startServe runs `tollgate serve` on a free loopback port and resolves with its token URL.
 * It uses a fresh data folder, removed on stop, unless one is given.
 */
export async function startServe(extraArgs = [], { data: given } = {}) {
  const data = given ?? mkdtempSync(join(tmpdir(), "tollgate-e2e-"));
  const proc = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data", data, ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("tollgate serve printed no URL in 15 s:\n" + log)), 15000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`tollgate serve exited with ${code}:\n${log}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    log: () => log,
    /** stop interrupts tollgate serve as Ctrl-C would and resolves with its exit code and how long it took. */
    async stop() {
      const start = Date.now();
      proc.kill("SIGTERM");
      const code = await new Promise((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.on("exit", (c) => r(c))));
      if (!given) rmSync(data, { recursive: true, force: true });
      return { code, ms: Date.now() - start };
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** startSandbox runs `tollgate sandbox` on a free loopback port and resolves with its URL and a stop function. */
export async function startSandbox(data, extraArgs = []) {
  const proc = spawn(bin, ["sandbox", "--addr", "127.0.0.1:0", "--data", data, ...extraArgs], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("tollgate sandbox logged no URL in 15 s:\n" + log)), 15000);
    proc.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/sandbox ready"? url=(http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`tollgate sandbox exited with ${code}:\n${log}`)));
  });
  return {
    base,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));
    },
  };
}

/** call invokes a bound Go method of a running `tollgate serve` through its HTTP bridge, as the shim does. */
export async function call(app, method, ...args) {
  const token = new URL(app.url).searchParams.get("token");
  const res = await fetch(app.origin + "/api/call", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Tollgate-Token": token },
    body: JSON.stringify({ name: "main.App." + method, args }),
  });
  return res.json();
}
