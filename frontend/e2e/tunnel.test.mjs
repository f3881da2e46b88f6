// A learner's own Stripe test account, end to end: `tollgate serve` with a
// key opens the embedded ngrok tunnel (here to a loopback double of ngrok's
// service), registers its webhook endpoint itself, and a whole Checkout's
// events arrive through the tunnel. The Settings checklist is photographed
// in each state. A `tollgate sandbox` process stands for the Stripe account.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkout, feature, launchBrowser, photograph, register, screen, startNgrok, startSandbox, startServe, stripeGet } from "./tollgate.mjs";

const key = "sk_test_learner_e2e_0001";
const token = "2e2eTOKEN_abcdefghijklmnop";

let browser, account, accountData, ngrok;
before(async () => {
  browser = await launchBrowser();
  accountData = mkdtempSync(join(tmpdir(), "tollgate-account-"));
  account = await startSandbox(accountData);
  ngrok = await startNgrok(token);
});
after(async () => {
  await browser?.close();
  await account?.stop();
  await ngrok?.stop();
  rmSync(accountData, { recursive: true, force: true });
});

/** checklist opens Settings and returns each step's status once none is running. */
async function checklist(page) {
  await screen(page, "Settings");
  const list = page.getByRole("list", { name: "Stripe setup" });
  await list.waitFor();
  await page.waitForFunction(() => !document.querySelector(".step.running"));
  const steps = {};
  for (const li of await list.locator("li").all()) {
    const [id, cls] = await Promise.all([li.getAttribute("data-step"), li.getAttribute("class")]);
    steps[id] = cls.replace("step ", "");
  }
  return steps;
}


/** fact reads a labelled value of a checklist step. */
async function fact(page, step, label) {
  const dt = page.locator(`li[data-step="${step}"] dt`, { hasText: new RegExp(`^${label}$`) });
  return dt.locator("xpath=following-sibling::dd[1]").innerText();
}

test("sandbox: the checklist is done without a key or a tunnel", async () => {
  const app = await startServe();
  try {
    const page = await register(browser, app.url, "ada@example.com");
    const steps = await checklist(page);
    assert.deepEqual(steps, { key: "done", catalog: "done", tunnel: "skipped", endpoint: "done", event: "waiting" });
    assert.match(await fact(page, "catalog", "Product"), /^prod_/);
    assert.match(await fact(page, "endpoint", "API version"), /^2025-08-27\.basil$/);
    await photograph(page, "settings-checklist-sandbox");
    await page.context().close();
  } finally {
    await app.stop();
  }
});

test("a key without a tunnel: the stripe listen command, then its whsec_", async () => {
  const app = await startServe([], { env: { TEST_STRIPE_SECRET_KEY: key, STRIPE_API_BASE: account.base } });
  try {
    const page = await register(browser, app.url, "grace@example.com");
    let steps = await checklist(page);
    assert.deepEqual(steps, { key: "done", catalog: "done", tunnel: "skipped", endpoint: "waiting", event: "waiting" });
    assert.equal(await page.getByLabel("Command").innerText(), `stripe listen --forward-to ${app.origin}/payments/event`);
    await photograph(page, "settings-checklist-key-no-tunnel");

    // A key pasted where the signing secret belongs gets its own message, and nothing is saved.
    await page.getByLabel(/Webhook signing secret/).fill("sk_test_oops");
    await page.getByRole("button", { name: "Save" }).click();
    assert.match(await page.getByRole("alert").filter({ hasText: "not a webhook signing secret" }).innerText(), /goes in the secret key field/);
    await page.getByLabel(/Webhook signing secret/).fill("whsec_printed_by_stripe_listen");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    steps = await checklist(page);
    assert.equal(steps.endpoint, "done");
    await page.context().close();
  } finally {
    await app.stop();
  }
});

test("a key and an ngrok authtoken: tunnel, endpoint and a whole Checkout through it", async () => {
  const data = mkdtempSync(join(tmpdir(), "tollgate-e2e-"));
  const env = { TEST_STRIPE_SECRET_KEY: key, STRIPE_API_BASE: account.base, NGROK_AUTHTOKEN: token };
  const args = ["--ngrok-server", ngrok.addr, "--ngrok-ca", ngrok.ca];
  const endpoints = async () => (await stripeGet(account.base, key, "/v1/webhook_endpoints")).data;
  let app = await startServe(args, { data, env });
  try {
    const page = await register(browser, app.url, "linus@example.com");
    let steps = await checklist(page);
    assert.deepEqual(steps, { key: "done", catalog: "done", tunnel: "done", endpoint: "done", event: "waiting" });
    const tunnelURL = await fact(page, "tunnel", "URL");
    await photograph(page, "settings-checklist-tunnel");

    // The endpoint on the account: at the tunnel, on stripe-go's API version, made by Tollgate.
    let [ep] = await endpoints();
    assert.equal(ep.url, tunnelURL + "/payments/event");
    assert.equal(ep.api_version, "2025-08-27.basil");
    assert.equal(ep.status, "enabled");
    assert.equal(await fact(page, "endpoint", "Endpoint"), ep.id);

    // Through the tunnel only the webhook answers; the app, its bridge and the return pages are 404.
    for (const [method, path] of [["GET", "/"], ["POST", "/api/call"], ["GET", "/checkout/success?session_id=cs_1"], ["GET", "/portal/return"], ["GET", "/payments/event"]]) {
      const res = await fetch(tunnelURL + path, { method });
      assert.equal(res.status, 404, `${method} ${path} through the tunnel`);
    }

    // A whole Checkout: its events come back through the tunnel and are applied.
    await screen(page, "Plans");
    await page.getByRole("switch").uncheck();
    await page.getByRole("button", { name: "Subscribe monthly" }).click();
    await checkout(page, { card: "4242424242424242" });
    await screen(page, "Access");
    assert.equal(await feature(page, "test-access"), "Active");
    await screen(page, "Events");
    await page.getByText("customer.subscription.created").first().waitFor();
    const [t] = await ngrok.tunnels();
    assert.ok(t.proxied > 0, "events were delivered through the tunnel");
    steps = await checklist(page);
    assert.equal(steps.event, "done");
    await photograph(page, "settings-checklist-tunnel-event");
    await page.context().close();

    // Quitting disables the endpoint; the next start enables the same one at its new URL.
    await app.stop();
    app = null;
    [ep] = await endpoints();
    assert.equal(ep.status, "disabled");
    app = await startServe(args, { data, env });
    const [again] = await endpoints();
    assert.equal(again.id, ep.id, "the same endpoint, not a second one");
    assert.equal(again.status, "enabled");
    assert.notEqual(again.url, tunnelURL + "/payments/event", "the new tunnel's URL");
    const [now] = await ngrok.tunnels();
    assert.equal(again.url, now.url + "/payments/event");
  } finally {
    await app?.stop();
    rmSync(data, { recursive: true, force: true });
  }
});

test("a bad ngrok authtoken: ngrok's own words on the checklist, the app goes on", async () => {
  const env = { TEST_STRIPE_SECRET_KEY: key, STRIPE_API_BASE: account.base, NGROK_AUTHTOKEN: "2wrongTOKEN_000000000000" };
  const started = Date.now();
  const app = await startServe(["--ngrok-server", ngrok.addr, "--ngrok-ca", ngrok.ca], { env });
  try {
    assert.ok(Date.now() - started < 15000, "serve is up within 15 s");
    const page = await register(browser, app.url, "margaret@example.com");
    const steps = await checklist(page);
    assert.deepEqual(steps, { key: "done", catalog: "done", tunnel: "failed", endpoint: "waiting", event: "waiting" });
    assert.match(await page.locator('li[data-step="tunnel"] .error').innerText(), /^ngrok refused the tunnel: The authtoken you specified.*ERR_NGROK_105/);
    await page.getByRole("button", { name: "Try again" }).waitFor();
    await photograph(page, "settings-checklist-tunnel-failed");
    await page.context().close();
  } finally {
    await app.stop();
  }
});
