// The page's layout in headless Chromium against `tollgate serve`: a page
// that asks for nothing missing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServe } from "./tollgate.mjs";

let app, browser;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("the page has an icon, and asks the server for nothing it lacks", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push("console: " + m.text()));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  await page.goto(app.url);
  await page.locator("main h1").waitFor();
  const href = await page.locator('link[rel="icon"]').getAttribute("href");
  assert.ok(href, "index.html names an icon");
  const res = await fetch(new URL(href, app.origin));
  assert.equal(res.status, 200, `the icon ${href} is served`);
  assert.match(res.headers.get("content-type"), /^image\/svg\+xml/);
  assert.match(await res.text(), /<svg/);
  // Let the browser ask for its icon (it does after load) before looking for failures.
  await page.waitForLoadState("networkidle");
  assert.deepEqual(problems, []);
  await context.close();
});
