// The real desktop window under Xvfb: start build/bin/tollgate, wait for a
// visible window named Tollgate, take a screenshot and check it is not blank.
// Run it under `xvfb-run -a -s "-screen 0 1280x800x24"` (make test-window does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer } from "node:net";
import { bin, call, startServe } from "./tollgate.mjs";

/** freePort asks the kernel for a loopback port nobody uses. */
async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const shots = process.env.SCREENSHOT_DIR ?? tmpdir();

function findWindow() {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", "Tollgate"], { encoding: "utf8" }).trim().split("\n")[0];
  } catch {
    return ""; // xdotool exits 1 while no window matches
  }
}

test("the desktop window shows the home screen, serves the webhook, and registers through Wails", async () => {
  assert.ok(process.env.DISPLAY, "run this under xvfb-run");
  const data = mkdtempSync(join(tmpdir(), "tollgate-window-"));
  const port = await freePort();
  const proc = spawn(bin, ["--data", data, "--addr", `127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  try {
    let id = "";
    for (const deadline = Date.now() + 30000; !id && Date.now() < deadline; await sleep(200)) {
      assert.equal(proc.exitCode, null, "tollgate exited before showing a window:\n" + log);
      id = findWindow();
    }
    assert.ok(id, "no visible window named Tollgate within 30 s:\n" + log);

    // The window maps before WebKit paints; wait until the picture has the page's many colours.
    const png = join(shots, "tollgate-home.png");
    let colours = 0;
    for (const deadline = Date.now() + 20000; colours < 50 && Date.now() < deadline; await sleep(300)) {
      execFileSync("import", ["-window", id, png]);
      colours = Number(execFileSync("identify", ["-format", "%k", png], { encoding: "utf8" }));
    }
    assert.ok(statSync(png).size > 0);
    assert.ok(colours >= 50, `the screenshot has ${colours} colours; the window looks blank (${png})`);
    const size = execFileSync("identify", ["-format", "%w %h", png], { encoding: "utf8" }).split(" ").map(Number);
    assert.ok(size[0] >= 700 && size[1] >= 500, `window is ${size.join("x")}, want at least 700x500`);
    console.log(`screenshot: ${png} (${colours} colours)`);

    // Beside the window, the app's own server takes Stripe's webhooks and return pages.
    const cancel = await fetch(`http://127.0.0.1:${port}/checkout/cancel`);
    assert.equal(cancel.status, 200);
    assert.match(await cancel.text(), /return to the Tollgate window/);
    const unsigned = await fetch(`http://127.0.0.1:${port}/payments/event`, { method: "POST", body: "{}" });
    assert.equal(unsigned.status, 400, "an unsigned event must be refused");
    assert.match(await unsigned.text(), /Stripe-Signature/);

    // Register through the window itself, with the keyboard, so the real Wails
    // IPC carries the call; the check below proves it reached Go and the store.
    const key = (...keys) => execFileSync("xdotool", ["key", "--window", id, ...keys]);
    const type = (text) => execFileSync("xdotool", ["type", "--window", id, "--delay", "20", text]);
    execFileSync("xdotool", ["windowfocus", "--sync", id]);
    key("Tab", "Tab", "Tab", "Return"); // brand, Log in, Register: open the Register screen
    await sleep(1500);
    key("Tab");
    type("window@example.com");
    key("Tab");
    type("Window User");
    key("Tab");
    type("correct horse");
    key("Return");
    await sleep(3000);
    execFileSync("import", ["-window", id, join(shots, "tollgate-plans.png")]);
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));

    // The same data folder, now in a browser face: the account the window made logs in.
    const served = await startServe([], { data });
    try {
      const login = await call(served, "Login", "window@example.com", "correct horse");
      assert.equal(login.error, undefined, "the window's registration did not reach the store: " + login.error);
      assert.equal(login.result.name, "Window User");
    } finally {
      await served.stop();
    }
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));
    rmSync(data, { recursive: true, force: true });
  }
});

test("tollgate demo plays the guide in the window, on a data folder it removes at the end", async () => {
  assert.ok(process.env.DISPLAY, "run this under xvfb-run");
  const proc = spawn(bin, ["demo", "--step-delay", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  try {
    let id = "";
    for (const deadline = Date.now() + 30000; !id && Date.now() < deadline; await sleep(200)) {
      assert.equal(proc.exitCode, null, "tollgate demo exited before showing a window:\n" + log);
      id = findWindow();
    }
    assert.ok(id, "no visible window named Tollgate within 30 s:\n" + log);
    // The window's UI sets the script off; the last step logs the end.
    for (const deadline = Date.now() + 90000; !/the demo played every step|stopped at a failed step/.test(log); await sleep(300)) {
      assert.ok(Date.now() < deadline, "the demo did not end within 90 s:\n" + log);
    }
    assert.match(log, /the demo played every step/, log);
    await sleep(3000); // the last screen loads its events
    execFileSync("import", ["-window", id, join(shots, "tollgate-demo.png")]);
    const data = log.match(/demo on a data folder of its own" data=(\S+)/)[1];
    assert.ok(statSync(data).isDirectory());
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));
    assert.equal(proc.exitCode, 0, log);
    assert.throws(() => statSync(data), /ENOENT/, "the demo's data folder is removed");
  } finally {
    proc.kill("SIGTERM");
  }
});
