// Helpers for the end-to-end tests: a real `tollgate serve` and Debian's Chromium.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const bin = process.env.TOLLGATE_BIN ?? new URL("../../build/bin/tollgate", import.meta.url).pathname;

/** The loopback double of ngrok's agent service (internal/tunnel/ngroktest), built by make test-e2e. */
export const ngrokBin = process.env.NGROK_DOUBLE_BIN ?? new URL("../../build/tools/ngrok-double", import.meta.url).pathname;

/** Where end-to-end tests save what they show, for a person to look at. */
export const shots = process.env.SCREENSHOT_DIR ?? new URL("../../build/screenshots", import.meta.url).pathname;

/** shot saves the whole page as build/screenshots/<name>.png. */
export async function shot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, name + ".png"), fullPage: true });
}

/**
 * photograph saves the page at full width and at 640 px (<name>-640), as a
 * class projects it and as half a laptop shows it, and resolves with whether
 * the page fitted 640 px without a sideways scroll.
 */
export async function photograph(page, name) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, name);
  await page.setViewportSize({ width: 640, height: 900 });
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  await shot(page, name + "-640");
  await page.setViewportSize({ width: 1280, height: 900 });
  return fits;
}

/**
 * startServe runs `tollgate serve` on a free loopback port and resolves with its token URL.
 * It uses a fresh data folder, removed on stop, unless one is given.
 */
export async function startServe(extraArgs = [], { data: given, env = {} } = {}) {
  const data = given ?? mkdtempSync(join(tmpdir(), "tollgate-e2e-"));
  return spawnApp(["serve", "--addr", "127.0.0.1:0", "--data", data, ...extraArgs], { env, cleanup: () => given || rmSync(data, { recursive: true, force: true }) });
}

/** startDemo runs `tollgate demo --serve` (presenter mode, on a data folder of its own) and resolves as startServe does. */
export async function startDemo(extraArgs = []) {
  return spawnApp(["demo", "--serve", ...extraArgs], { env: {}, cleanup: () => {} });
}

/** spawnApp runs tollgate with args until it prints its token URL. */
async function spawnApp(args, { env, cleanup }) {
  const proc = spawn(bin, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`tollgate ${args[0]} printed no URL in 15 s:\n${log}`)), 15000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`tollgate ${args[0]} exited with ${code}:\n${log}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    log: () => log,
    /** stop interrupts it as Ctrl-C would and resolves with its exit code and how long it took. */
    async stop() {
      const start = Date.now();
      proc.kill("SIGTERM");
      const code = await new Promise((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.on("exit", (c) => r(c))));
      cleanup();
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

/**
 * startNgrok runs the loopback double of ngrok's service, which accepts only
 * token, and resolves with where the agent connects, its CA file, and a way
 * to see its tunnels, drop its sessions and stop it.
 */
export async function startNgrok(token) {
  const proc = spawn(ngrokBin, ["--authtoken", token], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  const ready = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("ngrok-double printed nothing in 10 s:\n" + log)), 10000);
    proc.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    proc.on("error", reject); // not built: run make test-e2e
    proc.on("exit", (code) => reject(new Error(`ngrok-double exited with ${code}:\n${log}`)));
  });
  return {
    ...ready,
    /** tunnels lists the tunnels bound now: [{id, url, proxied}]. */
    tunnels: async () => (await fetch(ready.control + "/tunnels")).json(),
    drop: async () => fetch(ready.control + "/drop", { method: "POST" }),
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));
    },
  };
}

/** stripeGet reads the Stripe API (a sandbox here) with key, as a learner's own code would. */
export async function stripeGet(base, key, path) {
  const res = await fetch(base + path, { headers: { Authorization: "Bearer " + key } });
  return res.json();
}

/**
 * register opens a fresh browser context, logs out whoever the process has
 * logged in (the session is one per Tollgate process, as in the window),
 * registers email and lands on Plans.
 */
export async function register(browser, appURL, email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appURL);
  const logout = page.getByRole("button", { name: "Log out" });
  const create = page.getByRole("link", { name: "Create an account" });
  await logout.or(create).first().waitFor();
  if (await logout.isVisible()) await logout.click();
  await create.click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill(email.split("@")[0]);
  await page.getByLabel("Password").fill("correct horse");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Plans" }).waitFor();
  return page;
}

/**
 * checkout pays on the sandbox's hosted Checkout page and follows the way back into Tollgate.
 * A promotion code goes through the Apply button first, as a customer checks the price before paying;
 * photo, if given, names the photographs of the page just before paying.
 */
export async function checkout(page, { card, promo = "", country = "United Kingdom", postal = "SW1A 1AA", photo = "" }) {
  await page.getByRole("heading", { name: /^(Subscribe to|Try) / }).waitFor();
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM/YY)").fill("12/34");
  await page.getByLabel("CVC").fill("123");
  await page.getByLabel("Country or region").selectOption({ label: country });
  await page.getByLabel("Postal code").fill(postal);
  if (promo) {
    await page.getByLabel("Promotion code").fill(promo);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("status").filter({ hasText: "applied" }).waitFor();
    // The page came back with everything as typed: nothing to type again.
    if ((await page.getByLabel("Card number").inputValue()) !== card) throw new Error("Apply lost the card number");
  }
  if (photo) await photograph(page, photo);
  await page.getByRole("button", { name: /Start trial|Subscribe|Pay/ }).click();
  await page.getByRole("heading", { name: "You're subscribed" }).waitFor();
  await page.getByRole("link", { name: "Back to Tollgate" }).click();
  await page.getByRole("heading", { name: "Plans" }).waitFor();
}

/**
 * cancelInPortal cancels the subscription at period end in the sandbox's Billing Portal, giving "Other reason",
 * and follows the way back to Plans, which says so. (billing.test.mjs walks the same pages with its checks.)
 */
export async function cancelInPortal(page) {
  await screen(page, "Plans");
  await page.getByRole("button", { name: "Manage billing" }).click();
  await page.getByRole("button", { name: "Cancel subscription" }).click();
  await page.getByRole("button", { name: "Confirm cancellation" }).click();
  await page.getByRole("heading", { name: "Why are you canceling?" }).waitFor();
  await page.getByLabel("Other reason").check();
  await page.getByRole("button", { name: "Submit" }).click();
  await page.getByText("Thank you for telling us why.").waitFor();
  await page.getByRole("link", { name: /Return to the site/ }).click();
  await page.getByRole("link", { name: "Back to Tollgate" }).click();
  await page.getByText(/\(canceled at period end\)/).waitFor();
}

/** screen opens a screen from the navigation and waits for its heading. */
export async function screen(page, name) {
  await page.getByRole("navigation").getByRole("link", { name }).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
}

/** feature reads the local column of an entitlement's row on the Access screen. */
export async function feature(page, key) {
  return page.locator(`tr[data-feature="${key}"] td`).nth(2).innerText();
}
