// The machinery made visible, end to end in Chromium against `tollgate serve`:
// every event explained, refused deliveries with their cause, Replay, and the
// Stripe calls each click made. Screenshots go to build/screenshots.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { checkout, launchBrowser, photograph, register, screen, shot, startServe } from "./tollgate.mjs";

let app, browser, page;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
  page = await register(browser, app.url, "ada@example.com");
  // The guide's flow: monthly with the free trial, then past the trial's end.
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242" });
  await page.locator(".badge.trialing").waitFor();
  await page.getByRole("button", { name: "+7 days" }).click();
  await page.locator(".badge.active").waitFor();
  await page.getByRole("button", { name: "+1 day" }).click(); // the renewal invoice is charged an hour after the trial ends
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("every event is explained: what it means in Stripe and what Tollgate did", async () => {
  await screen(page, "Events");
  // invoice.paid, explained, re-reading the customer.
  const paid = page.locator('tr.event[data-type="invoice.paid"] + tr.explain').first();
  await paid.waitFor();
  assert.match(await paid.innerText(), /An invoice was paid/);
  assert.match(await paid.innerText(), /Re-read cus_\w+'s subscriptions \(with their latest invoices and cards\) and active entitlements from Stripe/);
  // The trial's end: the status change on the line of the event that brought it.
  await page.locator("tr.explain", { hasText: "trialing → active" }).first().waitFor();
  // Events Tollgate does not act on are there too, and say why.
  const created = page.locator('tr.event[data-type="invoice.created"]').first();
  assert.equal(await created.locator(".badge").innerText(), "not needed");
  assert.match(await page.locator('tr.event[data-type="invoice.created"] + tr.explain').first().innerText(), /Not needed by Tollgate/);
  // Stripe's time (the test clock, a week ahead) beside when it arrived.
  const [stripeTime, received] = await page.locator('tr.event[data-type="invoice.paid"]').first().locator("td.time").allInnerTexts();
  assert.notEqual(stripeTime, received, "the test clock's time differs from the arrival time");
  assert.ok(await photograph(page, "events"), "no sideways scroll at 640 px");
});

test("an event's body opens folded, id, type, created and data.object first; Replay is skipped as a duplicate", async () => {
  await screen(page, "Events");
  const line = page.locator('tr.event[data-type="invoice.paid"]').first();
  const id = await line.getAttribute("data-event");
  await line.getByRole("button", { name: "Show" }).click();
  const tree = page.getByLabel(`Event ${id}`);
  await tree.waitFor();
  const keys = await tree.locator(":scope > details > .children > * > .key, :scope > details > .children > details > summary > .key").allInnerTexts();
  assert.deepEqual(keys.slice(0, 4).map((k) => k.trim()), ["id:", "type:", "created:", "data:"]);
  await line.getByRole("button", { name: "Replay" }).click();
  assert.match(await page.getByRole("status").first().innerText(), /answered 200 “duplicate event, already recorded”.*skipped it/);
  await shot(page, "events-replay");
});

test("a refused delivery is listed with its likely cause", async () => {
  const res = await fetch(app.origin + "/payments/event", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` },
    body: JSON.stringify({ id: "evt_forged", object: "event", type: "invoice.paid" }),
  });
  assert.equal(res.status, 400);
  await screen(page, "Plans");
  await screen(page, "Events");
  const refusals = page.getByLabel("Refused deliveries");
  await refusals.waitFor();
  assert.match(await refusals.innerText(), /evt_forged/);
  assert.match(await refusals.innerText(), /Signed with a secret Tollgate does not hold/);
  await shot(page, "events-refused");
});

test("the Stripe calls view lists each click's requests: Checkout in subscription mode with the trial", async () => {
  await screen(page, "Events");
  await page.getByRole("tab", { name: "Stripe calls" }).click();
  const subscribe = page.getByLabel("Subscribe monthly, with the free trial");
  await subscribe.waitFor();
  const session = subscribe.locator('li[data-path="/v1/checkout/sessions"]');
  const text = await session.innerText();
  for (const p of ["mode=subscription", "subscription_data[trial_period_days]=7", "allow_promotion_codes=true", "client_reference_id="]) {
    assert.ok(text.includes(p), `the Checkout Session request shows ${p}:\n${text}`);
  }
  assert.match(text, /POST/);
  assert.match(text, /req_/);
  assert.ok(!(await page.content()).includes("sk_test_"), "no secret key on the page");
  // The webhooks' re-reads are there too, under the event that caused them.
  await page.locator(".calls h2", { hasText: /^Webhook invoice\.paid evt_/ }).first().waitFor();
  assert.ok(await photograph(page, "stripe-calls"), "no sideways scroll at 640 px");
});
