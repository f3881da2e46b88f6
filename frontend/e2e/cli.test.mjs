// The command line: subcommands, flags and environment, run as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bin, startSandbox, startServe } from "./tollgate.mjs";

const run = promisify(execFile);

/** tollgate runs the binary to completion and returns its exit code and output. */
async function tollgate(args, env = {}) {
  try {
    const { stdout, stderr } = await run(bin, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("version and help", async () => {
  const v = await tollgate(["version"]);
  assert.equal(v.code, 0);
  // The version first, then what it was built from and with (internal/buildinfo).
  assert.match(v.stdout, /^tollgate \S+\n/);
  for (const line of [/^  commit: +[0-9a-f]{40}$/m, /^  built: +\d{4}-\d\d-\d\dT/m, /^  go: +go1\.\S+ linux\/amd64$/m, /^  stripe API: +2025-08-27\.basil /m, /^  window: +yes$/m])
    assert.match(v.stdout, line);
  const h = await tollgate(["help"]);
  assert.equal(h.code, 0);
  for (const sub of ["serve", "sandbox", "bootstrap", "demo", "--step-delay", "TEST_STRIPE_SECRET_KEY", "--insecure-webhooks"]) assert.ok(h.stdout.includes(sub), sub);
});

test("bad input exits 2 with one clear line and the usage", async () => {
  for (const [args, env, want] of [
    [["srve"], {}, 'unknown command "srve"'],
    [["serve", "--addr", "8484"], {}, "is not HOST:PORT"],
    [["serve"], { TEST_STRIPE_SECRET_KEY: "sk_live_abc" }, "live Stripe key"],
    [["serve"], { STRIPE_API_BASE: "not a url" }, "not an http(s) URL"],
    [["sandbox", "--webhook", "http://127.0.0.1:1/"], {}, "go together"],
    [["bootstrap"], {}, "bootstrap needs TEST_STRIPE_SECRET_KEY"],
    [["demo", "--step-delay", "3"], {}, '--step-delay "3" is not a duration'],
    [["demo", "--data", "/tmp"], {}, "takes no --data"],
  ]) {
    const r = await tollgate(args, env);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}`);
    assert.ok(r.stderr.split("\n")[0].includes(want), `${args.join(" ")}: ${r.stderr.split("\n")[0]}`);
    assert.match(r.stderr, /Usage:/);
  }
});

test("tollgate sandbox serves Stripe's API and signs webhooks; bootstrap sets up its catalog", async () => {
  const secret = "whsec_cli_test";
  const received = [];
  const hook = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push({ signature: req.headers["stripe-signature"], body });
      res.end("ok");
    });
  });
  await new Promise((r) => hook.listen(0, "127.0.0.1", r));
  const data = mkdtempSync(join(tmpdir(), "tollgate-cli-"));
  const webhookURL = `http://127.0.0.1:${hook.address().port}/payments/event`;
  const sandbox = await startSandbox(data, ["--webhook", webhookURL, "--webhook-secret", secret]);
  const base = sandbox.base;
  try {
    const b = await tollgate(["bootstrap", "--stripe-api", base], { TEST_STRIPE_SECRET_KEY: "sk_test_cli" });
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^TEST_MONTHLY_PRICE_ID=price_\w+\nTEST_YEARLY_PRICE_ID=price_\w+\n/);

    const res = await fetch(base + "/v1/customers", {
      method: "POST",
      headers: { Authorization: "Bearer sk_test_cli", "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=ada%40example.com&name=Ada",
    });
    assert.equal(res.status, 200);
    const customer = await res.json();
    assert.match(customer.id, /^cus_/);

    for (const deadline = Date.now() + 10000; !received.some((r) => r.body.includes('"customer.created"')); ) {
      assert.ok(Date.now() < deadline, "no customer.created webhook within 10 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const delivery = received.find((r) => r.body.includes('"customer.created"'));
    const [, t, v1] = delivery.signature.match(/^t=(\d+),v1=([0-9a-f]+)$/);
    assert.equal(v1, createHmac("sha256", secret).update(`${t}.${delivery.body}`).digest("hex"), "signed as Stripe signs");

    const unauthorized = await fetch(base + "/v1/customers", { headers: { Authorization: "Bearer sk_live_nope" } });
    assert.equal(unauthorized.status, 401);
    assert.equal((await unauthorized.json()).error.type, "invalid_request_error");
  } finally {
    await sandbox.stop();
    hook.close();
    rmSync(data, { recursive: true, force: true });
  }
});

test("tollgate sandbox keeps its state across restarts, and --reset wipes it", async () => {
  const data = mkdtempSync(join(tmpdir(), "tollgate-cli-"));
  const start = (extra = []) => startSandbox(data, extra);
  const customers = async (base) => {
    const res = await fetch(base + "/v1/customers", { headers: { Authorization: "Bearer sk_test_cli" } });
    return (await res.json()).data.length;
  };
  try {
    let sb = await start();
    const res = await fetch(sb.base + "/v1/customers", {
      method: "POST",
      headers: { Authorization: "Bearer sk_test_cli", "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=ada%40example.com",
    });
    assert.equal(res.status, 200);
    await sb.stop();
    sb = await start();
    assert.equal(await customers(sb.base), 1, "the customer survived the restart");
    await sb.stop();
    sb = await start(["--reset"]);
    assert.equal(await customers(sb.base), 0, "--reset starts from an empty account");
    await sb.stop();
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test("tollgate sandbox --data makes a folder that does not exist yet, private", async () => {
  const parent = mkdtempSync(join(tmpdir(), "tollgate-cli-"));
  const data = join(parent, "new", "tollgate");
  try {
    const sb = await startSandbox(data);
    await sb.stop();
    assert.equal(statSync(data).mode & 0o777, 0o700, "the folder is the user's only");
    assert.ok(existsSync(join(data, "sandbox.db")), "the state file is in it");
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("tollgate serve stops at once and cleanly on Ctrl-C, even with a tab listening for events", async () => {
  const app = await startServe();
  const token = new URL(app.url).searchParams.get("token");
  const stream = await fetch(`${app.origin}/api/events?token=${token}`);
  assert.equal(stream.status, 200);
  const { code, ms } = await app.stop();
  assert.equal(code, 0, "exit status\n" + app.log());
  assert.ok(ms < 3000, `stopping took ${ms} ms`);
});
