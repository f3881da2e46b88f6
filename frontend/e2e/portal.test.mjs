// The money of a subscription end to end in headless Chromium against
// `tollgate serve` in sandbox mode: Checkout's Apply and its price after the
// trial, the invoice Plans shows (with LEARN10), switching monthly → yearly
// in the Billing Portal, and a failed renewal recovered by a new card and
// the hosted invoice page, with the invoice history's PDF.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { checkout, launchBrowser, photograph, register, screen, startServe } from "./tollgate.mjs";

let app, browser;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});


/** subscribe buys plan on Plans without the trial, through Checkout, with card and promo. */
async function subscribe(page, plan, { card = "4242424242424242", promo = "", trial = false } = {}) {
  const sw = page.getByRole("switch");
  if (trial) await sw.check();
  else await sw.uncheck();
  await page.getByRole("button", { name: `Subscribe ${plan}` }).click();
  await checkout(page, { card, promo });
}

const latestInvoice = (page) => page.getByRole("region", { name: "Latest invoice" });

test("the learner's flow: a trial with LEARN10, then the first paid invoice shows its discount, and its hosted page", async () => {
  const page = await register(browser, app.url, "ines@example.com");
  await page.getByRole("switch").check();
  await page.getByRole("button", { name: "Subscribe monthly" }).click();

  // Checkout says what comes after the trial, as Stripe's does.
  await page.getByRole("heading", { name: "Try Tollgate Premium" }).waitFor();
  const main = page.locator("main");
  assert.match(await main.innerText(), /7 days free\s+Then £9\.00 per month starting \d+ \w+ \d{4}/);
  // A mistyped code: Apply says why beside the field, and keeps what was typed.
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry (MM/YY)").fill("12/34");
  await page.getByLabel("Promotion code").fill("LEARN1O");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("alert").filter({ hasText: "This promotion code is invalid." }).waitFor();
  assert.equal(await page.getByLabel("Card number").inputValue(), "4242 4242 4242 4242");
  assert.equal(await page.getByLabel("Expiry (MM/YY)").inputValue(), "12/34");
  assert.ok(await photograph(page, "checkout-code-refused"), "Checkout fits 640 px");
  // The right one: the discounted price after the trial, before paying anything.
  await page.getByLabel("Promotion code").fill("LEARN10");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("status").filter({ hasText: "LEARN10 applied." }).waitFor();
  const summary = await main.innerText();
  assert.match(summary, /Then £8\.10 per month starting \d+ \w+ \d{4}/, "LEARN10 is forever");
  assert.match(summary, /LEARN10 \(10% off forever\)\s+−£0\.90/);
  assert.match(summary, /Total after trial\s+£8\.10/);
  assert.match(summary, /Total due today\s+£0\.00/);
  assert.equal(await page.getByLabel("Card number").inputValue(), "4242 4242 4242 4242");
  assert.ok(await photograph(page, "checkout-learn10-applied"), "Checkout fits 640 px");
  await checkout(page, { card: "4242 4242 4242 4242" }); // the code typed goes with the payment
  await page.locator(".badge.trialing").waitFor();
  // The trial's invoice is £0: nothing to take 10% off yet.
  assert.match(await latestInvoice(page).innerText(), /Trial period for Tollgate Premium[\s\S]*Paid\s+£0\.00/);
  // While subscribed, the other plan is a switch, not a second purchase.
  assert.equal(await page.getByRole("button", { name: /^Subscribe/ }).count(), 0);
  await page.getByRole("button", { name: "Switch to yearly" }).waitFor();
  assert.match(await page.getByRole("article", { name: "Monthly plan" }).innerText(), /This is your current plan/);

  await page.getByRole("button", { name: "+7 days" }).click(); // the trial ends: a renewal invoice, a draft for an hour
  await latestInvoice(page).getByText("Draft", { exact: true }).waitFor();
  await page.getByRole("button", { name: "+1 day" }).click(); // finalized and charged, LEARN10 off
  const inv = latestInvoice(page);
  await inv.getByText("Paid", { exact: true }).first().waitFor();
  const text = await inv.innerText();
  assert.match(text, /subscription_cycle: a renewal/);
  assert.match(text, /LEARN10\s+−£0\.90/, "the discount by its code, with what it took off");
  assert.match(text, /Total\s+£8\.10/);
  assert.match(text, /Paid\s+£8\.10/);
  await photograph(page, "portal-plans-learn10");

  // The hosted invoice page opens in a tab of its own.
  const [hosted] = await Promise.all([page.context().waitForEvent("page"), inv.getByRole("link", { name: "View the invoice on Stripe" }).click()]);
  await hosted.getByRole("heading", { name: /^Invoice / }).waitFor();
  const body = await hosted.locator("main").innerText();
  assert.match(body, /£8\.10 paid/);
  assert.match(body, /LEARN10 \(10% off\)\s+−£0\.90/);
  await photograph(hosted, "portal-hosted-invoice-paid");
  await page.context().close();
});

test("switching monthly → yearly through the Billing Portal", async () => {
  const page = await register(browser, app.url, "omar@example.com");
  await subscribe(page, "monthly", { promo: "LEARN10" });
  await page.locator(".badge.active").first().waitFor();
  await page.getByRole("button", { name: "Switch to yearly" }).click();

  // The portal opens on its plan change (a subscription_update flow).
  await page.getByRole("heading", { name: "Update your plan" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Cancel subscription" }).count(), 0, "the flow shows only the plan change");
  // LEARN10 is forever: the portal shows it beside both prices.
  const choose = await page.locator("main").innerText();
  assert.match(choose, /£9\.00 per month\s+£8\.10 per month with LEARN10/);
  assert.match(choose, /£90\.00 per year · £81\.00 per year with LEARN10/);
  await photograph(page, "portal-flow-choose");
  await page.getByRole("button", { name: "Switch to yearly" }).click();
  await page.getByRole("heading", { name: "Confirm your new plan" }).waitFor();
  const confirm = await page.locator("main").innerText();
  assert.match(confirm, /Unused time on Tollgate Premium after/);
  assert.match(confirm, /1 × Tollgate Premium \(at £90\.00 \/ year\)/);
  assert.match(confirm, /LEARN10 \(10% off\)\s+−£9\.00/);
  assert.match(confirm, /Due today: £72\.00, charged to Visa •••• 4242/);
  await photograph(page, "portal-flow-confirm");
  await page.getByRole("button", { name: "Confirm" }).click();

  // Straight back to Tollgate, which re-reads Stripe.
  await page.getByRole("heading", { name: "Back from the Billing Portal" }).waitFor();
  await page.getByRole("link", { name: "Back to Tollgate" }).click();
  await page.getByRole("heading", { name: "Plans" }).waitFor();
  await page.locator(".current").getByText("Yearly", { exact: true }).waitFor();
  assert.match(await page.getByRole("article", { name: "Yearly plan" }).innerText(), /Your plan/);
  await page.getByRole("button", { name: "Switch to monthly" }).waitFor();
  const inv = await latestInvoice(page).innerText();
  assert.match(inv, /a plan change/);
  assert.match(inv, /Unused time on Tollgate Premium after .*\s+−£9\.00/);
  assert.match(inv, /LEARN10\s+−£9\.00/);
  assert.match(inv, /Paid\s+£72\.00/);
  await photograph(page, "portal-plans-after-switch");
  await page.context().close();
});

test("a failed renewal, the card updated in the portal, the open invoice paid on its page", async () => {
  const page = await register(browser, app.url, "rosa@example.com");
  await subscribe(page, "monthly", { card: "4000000000000341", trial: true });
  await page.locator(".badge.trialing").waitFor();
  await page.getByRole("button", { name: "+7 days" }).click(); // the trial ends; the renewal is a draft for an hour
  await page.locator(".badge.active").first().waitFor();
  await page.getByRole("button", { name: "+1 day" }).click(); // finalized and charged: the 0341 card fails
  const failed = page.getByRole("alert", { name: "Payment failed" });
  await failed.waitFor();
  await page.locator(".badge.past_due").waitFor();
  assert.match(await latestInvoice(page).innerText(), /Open[\s\S]*Due\s+£9\.00/);
  await photograph(page, "portal-banner-failed");

  // A new card in the portal.
  await failed.getByRole("button", { name: "Update payment method" }).click();
  await page.getByRole("heading", { name: "Your subscription" }).waitFor();
  await page.getByLabel("New card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry (MM/YY)").fill("12/34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Update card" }).click();
  await page.getByText("Your card was updated.").waitFor();
  // The invoice history links each invoice's hosted page and its PDF.
  const history = page.getByRole("table", { name: "Invoices" });
  const open = history.getByRole("row").filter({ hasText: "Open" });
  assert.match(await open.innerText(), /£9\.00/);
  assert.match(await open.getByRole("link").first().getAttribute("href"), /\/invoice\/in_\w+$/);
  const pdf = await page.request.get(await open.getByRole("link", { name: "PDF" }).getAttribute("href"));
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  const doc = (await pdf.body()).toString("latin1");
  assert.ok(doc.startsWith("%PDF-") && doc.trimEnd().endsWith("%%EOF"), "a PDF document");
  assert.match(doc, /\(Total\) Tj[\s\S]*\(\xa39\.00\) Tj/, "with its total");
  assert.ok(await photograph(page, "portal-invoice-history"), "the invoice history fits 640 px");
  await page.getByRole("link", { name: /Return to the site/ }).click();
  await page.getByRole("link", { name: "Back to Tollgate" }).click();
  await page.getByRole("heading", { name: "Plans" }).waitFor();

  // The banner knows: the card is new, Stripe retries later, or pay now.
  const updated = page.getByRole("alert", { name: "Card updated" });
  await updated.waitFor();
  const said = await updated.innerText();
  assert.match(said, /Your card was updated to Visa •••• 4242\./);
  assert.match(said, /Stripe retries it with the new card on \d+ \w+ \d{4}/);
  assert.doesNotMatch(said, /update your card/i);
  assert.equal(await failed.count(), 0);
  await photograph(page, "portal-banner-card-updated");

  // Pay the open invoice on its hosted page, in a tab of its own.
  const [hosted] = await Promise.all([page.context().waitForEvent("page"), updated.getByRole("button", { name: "Pay £9.00 now" }).click()]);
  await hosted.getByRole("heading", { name: /^Invoice / }).waitFor();
  assert.match(await hosted.locator("main").innerText(), /£9\.00 due/);
  await photograph(hosted, "portal-hosted-invoice-open");
  await hosted.getByLabel("Card number").fill("4242 4242 4242 4242");
  await hosted.getByLabel("Expiry (MM/YY)").fill("12/34");
  await hosted.getByLabel("CVC").fill("123");
  await hosted.getByRole("button", { name: "Pay £9.00" }).click();
  await hosted.getByText("£9.00 paid").waitFor();

  // Back in Tollgate's tab, the webhook clears past_due with no reload.
  await page.bringToFront();
  await page.locator(".badge.past_due").waitFor({ state: "detached" });
  await page.locator(".current .badge.active").waitFor();
  assert.equal(await updated.count(), 0, "no banner once the invoice is paid");
  assert.match(await latestInvoice(page).innerText(), /Paid\s+£9\.00/);
  await screen(page, "Access");
  assert.equal(await page.getByRole("alert", { name: /Payment failed|Card updated/ }).count(), 0);
  await screen(page, "Plans");
  await photograph(page, "portal-plans-paid");
  await page.context().close();
});
