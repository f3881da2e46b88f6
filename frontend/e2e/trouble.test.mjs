// Stripe trouble from Settings, end to end against `tollgate serve` in sandbox
// mode: the sandbox fails Checkout, the learner gets a plain message and sees
// the retries, then the trouble stops and the same click opens Checkout.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { call, launchBrowser, photograph, register, screen, startServe } from "./tollgate.mjs";

let app, browser;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("a Checkout that Stripe keeps failing says so plainly, and works once the trouble stops", async () => {
  const page = await register(browser, app.url, "grace.hopper.with.a.rather.long.address@example.com");

  await screen(page, "Settings");
  const trouble = page.getByRole("form", { name: "Simulate Stripe trouble" });
  await trouble.getByLabel("The call").selectOption({ label: "Create a Checkout Session (Subscribe)" });
  await trouble.getByLabel("The trouble").selectOption({ label: "500: Stripe's servers fail" });
  await trouble.getByLabel("For").selectOption({ label: "until I stop it" });
  await trouble.getByRole("button", { name: "Start the trouble" }).click();
  await trouble.getByText("POST /v1/checkout/sessions 500", { exact: true }).waitFor();
  await trouble.getByText(/until stopped · hit 0 times/).waitFor();
  assert.ok(await photograph(page, "settings-stripe-trouble"), "Settings fits 640 px");

  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Stripe is having trouble just now" });
  await alert.waitFor();
  const message = await alert.innerText();
  assert.match(message, /Nothing was done twice/);
  assert.match(message, /Try again in a minute/);
  assert.ok(!/panic|goroutine|\.go:\d/.test(message), "nothing technical in the message:\n" + message);
  assert.equal(new URL(page.url()).origin, app.origin, "still in Tollgate, not on a Checkout page");
  assert.ok(await photograph(page, "plans-stripe-trouble"), "Plans fits 640 px");

  // The Stripe calls view shows the three tries of one request, one Idempotency-Key.
  await screen(page, "Events");
  await page.getByRole("tab", { name: "Stripe calls" }).click();
  const click = page.getByLabel("Subscribe monthly, with the free trial");
  await click.waitFor();
  const tries = click.locator('li[data-path="/v1/checkout/sessions"]');
  assert.equal(await tries.count(), 3, "three tries");
  const keys = new Set();
  for (const t of await tries.all()) {
    const text = await t.innerText();
    assert.match(text, /\b500\b/);
    keys.add(text.match(/Idempotency-Key (\S+)/)?.[1]);
  }
  assert.equal(keys.size, 1, "one Idempotency-Key for every try: " + [...keys]);
  await click.getByText("try 3").waitFor();
  assert.ok(await photograph(page, "stripe-calls-retries"), "the calls view fits 640 px");

  await screen(page, "Settings");
  await trouble.getByText(/hit 3 times/).waitFor();
  await trouble.getByRole("button", { name: "Stop all trouble" }).click();
  await trouble.getByText("POST /v1/checkout/sessions 500", { exact: true }).waitFor({ state: "detached" });

  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await page.getByRole("heading", { name: /^(Subscribe to|Try) / }).waitFor();
  assert.match(page.url(), /\/checkout\/cs_/);

  // One customer and one session on the sandbox for it all, as the bridge reports Stripe's calls.
  const calls = (await call(app, "StripeCalls")).result ?? [];
  const made = calls.filter((c) => c.method === "POST" && c.status === 200);
  assert.equal(made.filter((c) => c.path === "/v1/customers").length, 1, "one customer created");
  assert.equal(made.filter((c) => c.path === "/v1/checkout/sessions").length, 1, "one Checkout Session created");
});
