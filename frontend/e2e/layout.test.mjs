// The page's layout in headless Chromium against `tollgate serve`: what a
// learner sees at the widths Tollgate supports (640 px and up), with the
// longest name registration accepts, and a page that asks for nothing missing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { checkout, launchBrowser, register, screen, shot, startServe } from "./tollgate.mjs";

let app, browser;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** topbar measures the top bar: whether the page scrolls sideways, how many rows the bar takes, and its name. */
async function topbar(page) {
  return page.evaluate(() => {
    const bar = document.querySelector(".topbar");
    const rect = (el) => el.getBoundingClientRect();
    // Each child's vertical middle, rounded: children on one row share it (to a few pixels).
    const middles = [...bar.children].map((el) => rect(el)).filter((r) => r.height > 0).map((r) => Math.round((r.top + r.bottom) / 2));
    const rows = middles.sort((a, b) => a - b).filter((m, i, all) => i === 0 || m - all[i - 1] > 6).length;
    const name = document.querySelector(".who .name");
    const logout = [...document.querySelectorAll(".who button")].find((b) => b.textContent === "Log out");
    const links = [...bar.querySelectorAll("nav a")].map(rect);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      rows,
      navRows: new Set(links.map((r) => Math.round(r.top))).size,
      nameTitle: name?.getAttribute("title"),
      nameRight: name ? rect(name).right : null,
      nameTruncated: name ? name.scrollWidth > name.clientWidth : null,
      logoutRight: logout ? rect(logout).right : null,
    };
  });
}

for (const [kind, name] of [
  ["no-spaces", "W".repeat(100)],
  ["spaces", Array.from({ length: 20 }, (_, i) => "Name" + String(i).padStart(2, "0")).join(" ").slice(0, 99) + "Z"],
]) {
  test(`the top bar holds a 100-character name (${kind}) at 640 and 1280 px`, async () => {
    assert.equal(name.length, 100);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(app.url);
    const logout = page.getByRole("button", { name: "Log out" });
    const create = page.getByRole("link", { name: "Create an account" });
    await logout.or(create).first().waitFor();
    if (await logout.isVisible()) await logout.click();
    await create.click();
    await page.getByLabel("Email").fill(`${kind}@example.com`);
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Password").fill("correct horse");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Plans" }).waitFor();
    await page.getByRole("link", { name: "Sandbox", exact: true }).waitFor();

    for (const width of [1280, 720, 640]) {
      await page.setViewportSize({ width, height: 800 });
      for (const where of ["Plans", "Settings"]) {
        await screen(page, where);
        if (where === "Plans") await page.getByRole("button", { name: "Subscribe monthly" }).waitFor();
        else await page.getByRole("heading", { name: "This Tollgate" }).waitFor();
        const m = await topbar(page);
        const at = `${where} at ${width} px`;
        assert.ok(m.scrollWidth <= m.innerWidth, `${at}: the page is ${m.scrollWidth} px wide in a ${m.innerWidth} px window`);
        assert.ok(m.rows <= 2, `${at}: the top bar takes ${m.rows} rows`);
        assert.equal(m.navRows, 1, `${at}: the navigation wraps onto ${m.navRows} rows`);
        assert.equal(m.nameTitle?.split("\n")[0], name, `${at}: the full name is in the title`);
        assert.ok(m.nameTruncated, `${at}: a 100-character name is cut with an ellipsis`);
        assert.ok(m.logoutRight !== null && m.logoutRight <= m.innerWidth, `${at}: Log out ends at ${m.logoutRight} px, outside the window`);
        await shot(page, `topbar-${kind}-${where.toLowerCase()}-${width}`);
      }
    }
    await context.close();
  });
}

test("Premium's card is as wide locked as unlocked; Access shows badges as Plans does", async () => {
  const page = await register(browser, app.url, "premium@example.com");
  const cardWidth = async () => {
    const card = await page.locator("main .card").boundingBox();
    const section = await page.locator("main section").boundingBox();
    return { card: card.width, section: section.width };
  };
  await screen(page, "Premium");
  await page.getByRole("heading", { name: "Locked" }).waitFor();
  const locked = await cardWidth();
  await shot(page, "premium-locked");

  await screen(page, "Plans");
  await page.getByRole("button", { name: "Subscribe monthly" }).click();
  await checkout(page, { card: "4242424242424242" });
  await screen(page, "Premium");
  await page.getByRole("heading", { name: "Unlocked" }).waitFor();
  const unlocked = await cardWidth();
  await shot(page, "premium-unlocked");
  assert.equal(locked.card, unlocked.card, "the locked and unlocked cards are as wide");
  assert.equal(unlocked.card, unlocked.section, "the card fills the screen's width, as on the other screens");

  await screen(page, "Access");
  const cell = page.locator('tr[data-feature="test-access"] td').nth(2);
  assert.equal(await cell.innerText(), "Active");
  assert.equal(await cell.locator(".badge.active").innerText(), "Active");
  await shot(page, "access-badges");
  await page.context().close();
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
