// Delivery chaos end to end in Chromium against `tollgate serve`: with the
// sandbox sending every event twice and newest first, the guide's flow from
// subscribing to the period's end must still leave Access right, and the
// Events screen must show the duplicates skipped and the events overtaken.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cancelInPortal, checkout, feature, launchBrowser, photograph, register, screen, startServe } from "./tollgate.mjs";

let app, browser, page;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
  page = await register(browser, app.url, "ada@example.com");
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** settled reopens Events until every one of the user's events shows its duplicate skipped (the last ones land after the screen loaded). */
async function settled(page) {
  for (let deadline = Date.now() + 20000; ; ) {
    await screen(page, "Plans");
    await screen(page, "Events");
    await page.locator("tr.event").first().waitFor();
    const rows = await page.locator("tr.event").count();
    const dups = await page.locator('tr.event [data-mark="duplicate"]').count();
    if (dups === rows) return rows;
    if (Date.now() > deadline) throw new Error(`${dups} of ${rows} events show their duplicate skipped`);
    await page.waitForTimeout(500);
  }
}

test("with duplicate and reorder chaos on, subscribe → renewal → cancel ends with Access right and the duplicates skipped", async () => {
  await screen(page, "Events");
  const panel = page.getByLabel("Delivery chaos");
  await panel.locator("summary").click();
  await page.getByRole("switch", { name: "Duplicate: send each event twice" }).check();
  await page.getByRole("switch", { name: "Reorder: newest first" }).check();
  await panel.locator(".badge", { hasText: "on" }).waitFor();
  assert.ok(await photograph(page, "chaos-panel"), "the panel fits 640 px");

  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242", promo: "LEARN10" });
  await page.locator(".badge.trialing").waitFor();
  // Past the trial's end and the first renewal: events of several moments on Stripe's clock, sent newest first.
  await page.getByRole("button", { name: "+1 month" }).click();
  await page.locator(".badge.active").waitFor();

  await screen(page, "Events");
  await settled(page);
  // Something older arrived after something newer, and said so; the sync read the truth regardless.
  const late = page.locator('tr.event:has([data-mark="out-of-order"])').first();
  await late.waitFor();
  const lateExplain = page.locator('tr.event:has([data-mark="out-of-order"]) + tr.explain').first();
  assert.match(await lateExplain.innerText(), /Arrived after evt_\w+, a newer event about the same customer/);

  // Cancel in the portal, then past the period's end.
  await cancelInPortal(page);
  await page.getByRole("button", { name: "+1 month" }).click();
  await page.locator(".badge.canceled").waitFor();

  const rows = await settled(page);
  assert.ok(rows > 10, `${rows} events`);
  const dup = page.locator('tr.event:has([data-mark="duplicate"]) + tr.explain').first();
  assert.match(await dup.innerText(), /Delivered 2 times: the redelivery .* had an id Tollgate had already recorded, so it was answered 200 and skipped, never applied twice/);
  // Nothing was applied twice, and nothing failed.
  assert.equal(await page.locator("tr.event .badge.failed").count(), 0, "no event failed");
  assert.equal(await page.locator("tr.event .badge.pending").count(), 0, "no event left pending");
  await page.locator('tr.event[data-type="customer.subscription.deleted"]').first().waitFor();
  assert.ok(await photograph(page, "chaos-events"), "no sideways scroll at 640 px");

  // Access ends right: both entitlements gone, locally and at Stripe, and Premium locked.
  await screen(page, "Access");
  for (const key of ["test-access", "test-access-2"]) {
    assert.equal(await feature(page, key), "No", `${key} locally`);
    assert.match(await page.locator(`tr[data-feature="${key}"] td`).nth(3).innerText(), /^No/, `${key} at Stripe`);
  }
  await screen(page, "Premium");
  await page.getByRole("heading", { name: "Locked" }).waitFor();

  // The course covers what the learner just saw: its lesson on duplicate deliveries is done.
  await screen(page, "Lessons");
  await page.locator('li.lesson.done[data-lesson="duplicates"]').waitFor();
});

test("an outage of the endpoint: deliveries refused with 503, then Stripe's retry gets through", async () => {
  await screen(page, "Events");
  const panel = page.getByLabel("Delivery chaos");
  await page.getByRole("switch", { name: "Duplicate: send each event twice" }).uncheck();
  await page.getByRole("switch", { name: "Reorder: newest first" }).uncheck();
  await page.getByLabel("Outage seconds").fill("3");
  await page.getByRole("button", { name: "Start the outage" }).click();
  await panel.getByRole("status").filter({ hasText: /answers 503/ }).waitFor();
  // Subscribe again: its events meet the outage.
  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242" });
  await page.locator(".badge.trialing").first().waitFor();
  await screen(page, "Events");
  await page.getByLabel("Refused deliveries").getByText(/the outage switch/).first().waitFor();
  for (let deadline = Date.now() + 20000; (await page.locator('tr.event [data-mark="retried"]').count()) === 0; ) {
    if (Date.now() > deadline) throw new Error("no event arrived on a retry");
    await page.waitForTimeout(500);
    await screen(page, "Plans");
    await screen(page, "Events");
  }
  assert.match(await page.locator('tr.event:has([data-mark="retried"]) + tr.explain').first().innerText(), /Arrived on a retry: the endpoint refused/);
  await photograph(page, "chaos-outage");
});
