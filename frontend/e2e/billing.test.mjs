// The subscription flow end to end in headless Chromium against `tollgate serve`
// in sandbox mode, through the sandbox's hosted Checkout and Portal pages.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { checkout, feature, launchBrowser, photograph, register, screen, shot, shots, startServe } from "./tollgate.mjs";

let app, browser;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** newUser registers email in a fresh browser context and lands on Plans. */
const newUser = (email) => register(browser, app.url, email);

test("monthly with trial and LEARN10, premium, portal cancel, clock past the period end", async () => {
  const page = await newUser("ada@example.com");
  assert.ok(await page.getByRole("switch").isChecked(), "the free trial is on by default");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await page.getByText("7 days free", { exact: true }).waitFor(); // Checkout says it as Stripe does
  await checkout(page, { card: "4242424242424242", promo: "LEARN10" });

  await page.locator(".badge.trialing").waitFor();
  await page.getByText(/Trial ends/).waitFor();

  await screen(page, "Access");
  assert.equal(await feature(page, "test-access"), "Active");
  assert.equal(await feature(page, "test-access-2"), "Active");
  assert.match(await page.locator(`tr[data-feature="test-access"] td`).nth(3).innerText(), /^Active/);

  await screen(page, "Premium");
  await page.getByRole("heading", { name: "Unlocked" }).waitFor();

  await screen(page, "Events");
  const row = page.locator('tr.event[data-type="checkout.session.completed"]');
  await row.getByRole("button", { name: "Show" }).click();
  const body = page.getByLabel(/^Event evt_/);
  await body.waitFor();
  const text = await body.innerText();
  assert.match(text, /type: "checkout\.session\.completed"/);
  assert.match(text, /mode: "subscription"/);
  assert.match(text, /client_reference_id: "\d+"/, "the session names the Tollgate user");

  // The Billing Portal: cancel at period end, then come back.
  await screen(page, "Plans");
  await page.getByRole("button", { name: "Manage billing" }).click();
  await page.getByRole("button", { name: "Cancel subscription" }).click();
  // As in Stripe, the portal asks first, and says until when access lasts.
  await page.getByRole("heading", { name: "Cancel your subscription?" }).waitFor();
  const confirm = await page.locator("main").innerText();
  assert.match(confirm, /You keep access until your free trial ends on \d+ \w+ \d{4}\./);
  assert.match(confirm, /£9\.00 per month\s+£8\.10 per month with LEARN10/);
  assert.ok(await photograph(page, "portal-cancel-confirm"), "fits 640 px");
  await page.getByRole("button", { name: "Confirm cancellation" }).click();
  // Tollgate's portal configuration asks why, with every reason Stripe offers.
  await page.getByRole("heading", { name: "Why are you canceling?" }).waitFor();
  assert.equal(await page.getByRole("radio").count(), 8);
  await page.getByLabel("Other reason").check();
  await page.getByLabel("Tell us more (optional)").fill("Only trying the lab");
  assert.ok(await photograph(page, "portal-cancel-reason"), "fits 640 px");
  await page.getByRole("button", { name: "Submit" }).click();
  await page.getByText("Thank you for telling us why.").waitFor();
  await page.getByRole("button", { name: "Renew subscription" }).waitFor();
  await page.getByRole("link", { name: /Return to the site/ }).click();
  await page.getByRole("heading", { name: "Back from the Billing Portal" }).waitFor();
  await page.getByRole("link", { name: "Back to Tollgate" }).click();
  await page.getByText(/\(canceled at period end\)/).waitFor();
  // The answer reached Tollgate in the subscription's cancellation_details.
  await screen(page, "Events");
  await page.locator('tr.event[data-type="customer.subscription.updated"]').first().getByRole("button", { name: "Show" }).click();
  const event = page.getByLabel(/^Event evt_/);
  await event.locator("summary", { hasText: /^cancellation_details:/ }).first().click();
  const details = await event.innerText();
  assert.match(details, /comment: "Only trying the lab"/);
  assert.match(details, /feedback: "other"/);
  assert.match(details, /reason: "cancellation_requested"/);
  await screen(page, "Plans");

  // Still entitled until the period ends; then move the clock past it.
  await page.getByRole("button", { name: "+1 month" }).click();
  await page.locator(".badge.canceled").waitFor();

  await screen(page, "Access");
  assert.equal(await feature(page, "test-access"), "No");
  assert.equal(await feature(page, "test-access-2"), "No");
  await screen(page, "Premium");
  await page.getByRole("heading", { name: "Locked" }).waitFor();
  assert.match(await page.getByRole("alert").innerText(), /test-access/);
  await page.context().close();
});

test("yearly without trial", async () => {
  const page = await newUser("grace@example.com");
  await page.getByRole("switch").uncheck();
  await page.getByRole("button", { name: "Subscribe yearly" }).click();
  await page.getByText("£90.00").first().waitFor();
  await checkout(page, { card: "4242424242424242" });
  await page.locator(".badge.active").waitFor();
  await page.locator(".current").getByText("Yearly", { exact: true }).waitFor();
  await page.getByText(/Renews/).waitFor();
  // While subscribed, the other plan is a switch in the portal, not a second purchase.
  assert.equal(await page.getByRole("button", { name: /^Subscribe/ }).count(), 0, "no second Checkout");
  await page.getByRole("button", { name: "Switch to monthly" }).click();
  await page.getByRole("heading", { name: "Update your plan" }).waitFor();
  await page.context().close();
});

test("a card that fails at renewal shows the past-due banner", async () => {
  const page = await newUser("linus@example.com");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4000000000000341" });
  await page.locator(".badge.trialing").waitFor();
  assert.equal(await page.getByRole("alert", { name: "Payment failed" }).count(), 0, "no banner before the renewal");
  // +7 days lands on the trial's end, where the renewal invoice is only a draft:
  // as in Stripe, it is finalized and charged an hour later, so go a day on.
  await page.getByRole("button", { name: "+7 days" }).click();
  await page.locator(".badge.active").waitFor();
  assert.equal(await page.getByRole("alert", { name: "Payment failed" }).count(), 0, "no banner while the invoice is a draft");
  await page.getByRole("button", { name: "+1 day" }).click(); // the draft is finalized and the first charge fails
  const banner = page.getByRole("alert", { name: "Payment failed" });
  await banner.waitFor();
  assert.match(await banner.innerText(), /Your last payment failed/);
  await page.locator(".badge.past_due").waitFor();
  // The banner follows the user to other screens.
  await screen(page, "Access");
  await banner.waitFor();
  await page.context().close();
});

test("a declined card stays on Checkout with the error", async () => {
  const page = await newUser("decline@example.com");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await page.getByRole("heading", { name: /^(Subscribe to|Try) / }).waitFor();
  await page.getByLabel("Card number").fill("4000000000000002");
  await page.getByLabel("Expiry (MM/YY)").fill("12/34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: /Start trial|Subscribe|Pay/ }).click();
  assert.match(await page.getByRole("alert").innerText(), /declined/i);
  await page.context().close();
});

test("an instructor resets the sandbox from Settings; accounts stay", async () => {
  const page = await newUser("teacher@example.com");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242" });
  await page.locator(".current").waitFor();

  await screen(page, "Settings");
  await page.getByRole("button", { name: "Reset the sandbox…" }).click();
  await page.getByRole("button", { name: "Keep it" }).click(); // changing one's mind costs nothing
  await page.getByRole("button", { name: "Reset the sandbox…" }).click();
  await page.getByRole("button", { name: "Yes, erase all Stripe data" }).click();
  await page.getByRole("status").filter({ hasText: "new, empty Stripe account" }).waitFor();

  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).waitFor();
  assert.equal(await page.locator(".current").count(), 0, "the subscription is gone");
  await screen(page, "Access");
  await page.getByText("You have no Stripe customer yet").waitFor();
  await page.context().close();
});

test("the test clock's one-click moves land just after the trial's end and the paid renewal", async () => {
  const page = await newUser("hedy@example.com");
  await page.getByRole("switch").first().check();
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242" });
  await page.locator(".badge.trialing").waitFor();
  const clock = page.getByLabel("Test clock");
  await clock.getByText(/^It is /).waitFor();
  await shot(page, "plans-clock-trial");
  await clock.getByRole("button", { name: "To the trial's end, and its first charge" }).click();
  await page.locator(".badge.active").waitFor();
  const renews = async () => (await page.locator(".current li", { hasText: /^Renews / }).innerText()).replace("Renews ", "");
  const first = await renews();
  await clock.getByRole("button", { name: "To the next renewal, and its charge" }).click();
  await page.getByRole("status").filter({ hasText: "The test clock moved to" }).waitFor();
  assert.notEqual(await renews(), first, "a new period began");
  assert.equal(await page.locator(".badge.active").count(), 1, "still active: the renewal was paid");
  await shot(page, "plans-clock-renewed");
  // The timeline: trialing then active, the one now highlighted; each event's point links to it.
  const timeline = page.getByLabel("Timeline", { exact: true });
  assert.deepEqual(await timeline.locator("rect.span").evaluateAll((rs) => rs.map((r) => r.getAttribute("class"))), ["span trialing", "span active now"]);
  assert.ok((await timeline.locator(".legend li").count()) >= 5, "created, trial end, drafts and payments");
  await page.setViewportSize({ width: 640, height: 900 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scroll at 640 px");
  await timeline.screenshot({ path: shots + "/plans-timeline-640.png" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await timeline.screenshot({ path: shots + "/plans-timeline.png" });
  const paid = timeline.locator('svg a:has(g[data-kind="paid"])').last();
  const href = await paid.getAttribute("href");
  await paid.click();
  await page.getByRole("heading", { name: "Events", exact: true }).waitFor();
  await page.locator(`tr.event.focus[data-event="${href.split("/")[2]}"][data-type="invoice.paid"]`).waitFor();
  // Three invoices paid: the trial's £0 one, the first charge at the trial's end, the renewal.
  await page.locator('tr.event[data-type="invoice.paid"]').nth(2).waitFor();
  assert.equal(await page.locator('tr.event[data-type="invoice.paid"]').count(), 3);
  await page.context().close();
});
