// Presenter mode end to end in Chromium: `tollgate demo --serve` plays the
// whole guide by itself on a data folder of its own, each step through the
// same methods and hosted pages a learner uses; the Settings button starts
// one from a running Tollgate. Screenshots go to build/screenshots.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, register, screen, shot, shots, startDemo, startServe } from "./tollgate.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/**
 * view photographs what the audience sees, the viewport with the bar fixed at
 * its foot, at full width and at 640 px (<name>-640), and resolves with
 * whether 640 px fitted without a sideways scroll.
 */
async function view(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(shots, name + ".png") });
  await page.setViewportSize({ width: 640, height: 800 });
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  await page.screenshot({ path: join(shots, name + "-640.png") });
  await page.setViewportSize({ width: 1280, height: 800 });
  return fits;
}

/** statuses reads each step's status from the presenter bar. */
const statuses = (page) => page.locator('ol.demo-steps li').evaluateAll((lis) => lis.map((li) => li.dataset.status));

test("tollgate demo --step-delay 0 plays every step of the guide to the end", async () => {
  const demo = await startDemo(["--step-delay", "0"]);
  try {
    const page = await browser.newPage();
    await page.goto(demo.url);
    const bar = page.getByLabel("Presenter");
    await bar.waitFor();
    const over = bar.getByText("The demo is over:");
    const failed = bar.getByRole("alert");
    await over.or(failed).first().waitFor({ timeout: 90000 });
    assert.equal(await failed.count(), 0, await bar.innerText());
    const all = await statuses(page);
    assert.equal(all.length, 13);
    assert.deepEqual(all, all.map(() => "done"), "every step passed");
    // The script left the last step's screen showing: the webhooks that told Tollgate, under Ada's name.
    await page.getByRole("heading", { name: "Events", exact: true }).waitFor();
    await page.locator('tr.event[data-type="customer.subscription.deleted"]').first().waitFor();
    assert.ok(await view(page, "demo-finished"), "the bar fits 640 px");
    // What it did is the learner's state, on the ordinary screens.
    await screen(page, "Plans");
    await page.locator(".badge.canceled").first().waitFor();
    await shot(page, "demo-plans");
    await screen(page, "Access");
    await shot(page, "demo-access");
    await page.close();
  } finally {
    const { code } = await demo.stop();
    assert.equal(code, 0, demo.log());
  }
});

test("by default each step waits for Space or Next, its caption shown first", async () => {
  const demo = await startDemo();
  try {
    const page = await browser.newPage();
    await page.goto(demo.url);
    const bar = page.getByLabel("Presenter");
    // Announced once the page has set the script off: its caption first, nothing run.
    await bar.getByText(/Step 1 of 13 · press Space or Next: Ada creates an account/).waitFor();
    assert.ok(await view(page, "demo-start"), "the bar fits 640 px");
    await page.waitForTimeout(300);
    assert.deepEqual((await statuses(page)).slice(0, 2), ["next", "waiting"], "nothing runs before Space");
    await page.keyboard.press("Space");
    await bar.getByText("Step 2 of 13").waitFor();
    // The account the step made is logged in, and its screen shown.
    await page.getByRole("heading", { name: "Plans" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await bar.getByRole("button", { name: "Next ▶" }).click();
    await bar.getByText("Step 3 of 13").waitFor();
    assert.deepEqual((await statuses(page)).slice(0, 3), ["done", "done", "next"]);
    await view(page, "demo-step3");
    await page.close();
  } finally {
    await demo.stop();
  }
});

test("Settings' Play the demo starts one in a process of its own, in a new tab", async () => {
  const app = await startServe();
  try {
    const page = await register(browser, app.url, "ada@example.com");
    await screen(page, "Settings");
    const [tab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("button", { name: "Play the demo" }).click()]);
    await tab.getByLabel("Presenter").getByText("Step 1 of 13").waitFor();
    assert.notEqual(new URL(tab.url()).port, new URL(app.url).port, "the demo is another server");
    await page.getByRole("status").filter({ hasText: "The demo opened in a new tab" }).waitFor();
    await page.getByLabel("Presenter mode").scrollIntoViewIfNeeded();
    await shot(page, "settings-demo-button");
    await page.context().close();
  } finally {
    await app.stop();
  }
});
