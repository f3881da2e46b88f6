// The Lessons screen end to end: lessons tick as the learner goes through the
// guide's flow in Chromium against `tollgate serve`, "See the code" shows Go
// source of this commit, and the lab report is one page that loads nothing
// and holds no secret.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cancelInPortal, checkout, launchBrowser, photograph, register, screen, startServe } from "./tollgate.mjs";

const repo = new URL("../../", import.meta.url).pathname;
// Secrets the app holds beside its own (the sandbox's random key, its endpoint's secret): the report must hold none.
const webhookSecret = "whsec_e2eLessonsSigningSecret0123456789";
const ngrokToken = "2e2eLessonsNgrokAuthtoken_0123456789abcdef";

let app, browser;
before(async () => {
  app = await startServe([], { env: { TEST_STRIPE_WEBHOOK_SECRET: webhookSecret, NGROK_AUTHTOKEN: ngrokToken } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** done reads which lessons the screen shows done, in order. */
async function done(page) {
  return page.locator("li.lesson.done").evaluateAll((els) => els.map((el) => el.dataset.lesson));
}

/** expectDone waits on the Lessons screen until exactly ids are done. */
async function expectDone(page, ids) {
  await screen(page, "Lessons");
  const want = [...ids].sort().join(" ");
  for (let deadline = Date.now() + 15000; ; await page.waitForTimeout(100)) {
    const got = (await done(page)).sort().join(" ");
    if (got === want) return;
    if (Date.now() > deadline) assert.fail(`lessons done: ${got}; want ${want}`);
  }
}

test("lessons tick through the learner's flow, See the code shows this commit's Go, and the lab report is self-contained", async () => {
  // A long name, as a class will have.
  const page = await register(browser, app.url, "maximiliana.theodora.wolfeschlegelsteinhausen@example.com");
  await expectDone(page, ["account"]);
  await page.getByText("1 of 15").waitFor();
  assert.ok(await photograph(page, "lessons-start"), "the Lessons screen fits 640 px");

  // Subscribe monthly with the trial and LEARN10, then Access and Premium.
  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242", promo: "LEARN10" });
  await screen(page, "Access");
  await page.locator('tr[data-feature="test-access"]').waitFor();
  await screen(page, "Premium");
  await page.getByRole("heading", { name: "Unlocked" }).waitFor();
  await expectDone(page, ["account", "subscribe-monthly", "trial", "promotion", "access", "premium"]);

  // The test clock: the trial's end, then a renewal.
  await screen(page, "Plans");
  const clock = page.getByLabel("Test clock");
  await clock.getByRole("button", { name: "To the trial's end, and its first charge" }).click();
  await page.getByRole("status").filter({ hasText: "The test clock moved to" }).waitFor();
  await clock.getByRole("button", { name: "To the next renewal, and its charge" }).click();
  await page.getByRole("status").filter({ hasText: "The test clock moved to" }).last().waitFor();
  await expectDone(page, ["account", "subscribe-monthly", "trial", "promotion", "access", "premium", "trial-end", "renewal"]);

  // Cancel in the Billing Portal.
  await cancelInPortal(page);
  await expectDone(page, ["account", "subscribe-monthly", "trial", "promotion", "access", "premium", "trial-end", "renewal", "portal", "cancel"]);
  await page.getByText("10 of 15").waitFor();

  // Each done lesson says when and what showed it.
  const renewal = page.locator('li.lesson[data-lesson="renewal"]');
  assert.match(await renewal.locator(".when").innerText(), /^Done .+ UTC · on Stripe's clock .+ UTC · seen in the invoice\.paid event evt_\w+$/);
  assert.match(await page.locator('li.lesson[data-lesson="access"] .when').innerText(), /seen in the Access screen$/);

  // See the code: the Go function that handled it, word for word in this commit's file.
  await renewal.getByText("See the code").click();
  const caption = await renewal.locator("figcaption").first().innerText();
  const [, file, line] = caption.match(/in (internal\/\S+\.go):(\d+)$/) ?? [];
  assert.ok(file, `the caption names the file: ${caption}`);
  const go = await renewal.getByLabel(/^Go source of /).innerText();
  assert.match(go, /^\/\/ sync is Sync/);
  assert.match(go, /func \(s \*Service\) sync\(ctx context\.Context/);
  const source = readFileSync(join(repo, file), "utf8");
  assert.ok(source.includes(go), `${file} holds the code shown, as shown`);
  assert.equal(source.slice(0, source.indexOf(go)).split("\n").length, Number(line), "it starts on the line the caption gives");
  assert.match(await renewal.locator("blockquote").innerText(), /checkout\.session\.completed/);
  await renewal.scrollIntoViewIfNeeded();
  assert.ok(await photograph(page, "lessons-progress"), "the Lessons screen with code open fits 640 px");

  // The lab report: downloaded, then opened offline.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export lab report" }).click()]);
  const file2 = join(mkdtempSync(join(tmpdir(), "tollgate-report-")), "report.html");
  await download.saveAs(file2);
  const html = readFileSync(file2, "utf8");
  const token = new URL(app.url).searchParams.get("token");
  for (const [what, secret] of Object.entries({ "the serve token": token, "the signing secret": webhookSecret, "the ngrok authtoken": ngrokToken, "the password": "correct horse" })) {
    assert.ok(!html.includes(secret), `the report holds ${what}`);
  }
  for (const shape of ["sk_test_", "sk_live_", "rk_test_", "whsec_", "$2a$", "<script", "src=", "href=", "url("]) {
    assert.ok(!html.includes(shape), `the report holds ${shape}`);
  }

  const offline = await browser.newContext();
  const requests = [];
  offline.on("request", (r) => requests.push(r.url()));
  await offline.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
  const report = await offline.newPage();
  await report.goto("file://" + file2);
  await report.getByRole("heading", { name: "Tollgate lab report" }).waitFor();
  await report.waitForLoadState("networkidle");
  assert.deepEqual(
    requests.filter((u) => u !== "file://" + file2),
    [],
    "the report asks for nothing beyond itself",
  );
  const text = await report.locator("body").innerText();
  assert.match(text, /10 of 15 lessons done/);
  assert.match(text, /maximiliana\.theodora/);
  assert.match(text, /customer\.subscription\.updated/);
  assert.match(text, /POST \/v1\/checkout\/sessions/);
  assert.ok(await photograph(report, "lab-report"), "the report fits 640 px");
  await offline.close();

  // Start over, after a confirmation.
  await page.getByRole("button", { name: "Start over" }).click();
  await page.getByRole("button", { name: "Yes, start over" }).click();
  await page.getByText("0 of 15").waitFor();
  assert.deepEqual(await done(page), []);
  await page.getByRole("status").filter({ hasText: "Your progress is forgotten" }).waitFor();
  assert.ok(await photograph(page, "lessons-started-over"), "the Lessons screen with nothing done fits 640 px");
  await page.context().close();
});
