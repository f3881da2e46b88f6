// End to end in headless Chromium against `tollgate serve`: the same bundle and
// Go methods as the window, through the HTTP bridge.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, shot, startServe } from "./tollgate.mjs";

let app, browser;
before(async () => {
  app = await startServe();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

async function register(page, email, name, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function login(page, email, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

describe("accounts", () => {
  test("register, log out, log in and see Plans; a wrong password shows the error", async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByRole("heading", { name: "Learn Stripe subscriptions by running one." }).waitFor();
    assert.equal(new URL(page.url()).search, "", "the token must leave the address bar");

    await page.getByRole("link", { name: "Create an account" }).click();
    await register(page, "ada@example.com", "Ada Lovelace", "correct horse");
    await page.getByRole("heading", { name: "Plans" }).waitFor();
    await page.getByRole("button", { name: "Subscribe monthly" }).waitFor();
    await page.getByRole("button", { name: "Subscribe yearly" }).waitFor();
    assert.equal(await page.locator(".who").innerText().then((t) => t.includes("Ada Lovelace")), true);

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Learn Stripe subscriptions by running one." }).waitFor();

    await page.getByRole("link", { name: "Log in" }).first().click();
    await login(page, "ada@example.com", "not the password");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.equal(await alert.innerText(), "Email or password is incorrect.");
    assert.equal(await page.getByLabel("Email").inputValue(), "ada@example.com", "the typed email is kept");

    await page.getByLabel("Password").fill("correct horse");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Plans" }).waitFor();

    // The session is Go's, so a reload stays logged in.
    await page.reload();
    await page.getByRole("heading", { name: "Plans" }).waitFor();
    await page.close();
  });

  test("every screen is reachable from the navigation", async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByRole("heading", { name: "Plans" }).waitFor(); // still logged in from the test above
    for (const [link, heading] of [
      ["Access", "Access"],
      ["Premium", "Premium"],
      ["Events", "Events"],
      ["Settings", "Settings"],
      ["Plans", "Plans"],
    ]) {
      await page.getByRole("navigation").getByRole("link", { name: link }).click();
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
    }
    // Which Stripe the lab talks to is visible at all times, and leads to Settings.
    await page.getByRole("link", { name: "Sandbox", exact: true }).click();
    await page.getByRole("heading", { name: "Settings", exact: true }).waitFor();
    await page.getByText("ada@example.com").waitFor();
    await page.getByText("tollgate serve (browser)").waitFor();
    await page.close();
  });

  test("registration shows every mistake at once, each beside its field, and nothing is lost", async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("link", { name: "Register" }).click();
    for (const [email, name, password, alert, beside] of [
      ["not-an-email", "Bob\tBuilder", "short", "Please correct the 3 fields marked above.", [
        '"not-an-email" is not an email address like ada@example.com.',
        "Your name contains a control character (such as a tab, a line break or NUL); please remove it.",
        "Your password must be at least 8 bytes; yours has 5.",
      ]],
      ["bob@example.com", "Bob", "é".repeat(37), "Please correct the field marked above.", [
        "Your password must be at most 72 bytes, as bcrypt reads no more; yours has 74 (an accented letter is 2 bytes, an emoji 4).",
      ]],
      ["a".repeat(65) + "@example.com", "Bob", "long enough", "Please correct the field marked above.", [
        "The part of your email address before the @ can be at most 64 bytes (RFC 5321); yours has 65.",
      ]],
      ["ADA@example.com", "Imposter", "long enough", "An account with this email already exists; log in instead.", []],
    ]) {
      await register(page, email, name, password);
      await page.getByRole("alert").filter({ hasText: alert }).waitFor();
      for (const message of beside) await page.locator("small.field-error").filter({ hasText: message }).waitFor();
      assert.equal(await page.locator("small.field-error").count(), beside.length, "no mark is left from the try before");
      assert.equal(await page.getByLabel("Email").inputValue(), email);
      assert.equal(await page.getByLabel("Name").inputValue(), name);
      assert.equal(await page.getByLabel("Password").inputValue(), password);
      if (beside.length === 3) await shot(page, "register-errors");
    }
    await page.close();
  });
});

describe("the token", () => {
  test("a call without the token is refused", async () => {
    const res = await fetch(app.origin + "/api/call", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "main.App.CurrentUser", args: [] }),
    });
    assert.equal(res.status, 401);
    assert.match((await res.json()).error, /token/);
  });

  test("a tab opened without the token link can call nothing", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(app.origin + "/"); // the page itself holds no secret
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /link that `tollgate serve` printed/);
    const cookies = await context.cookies();
    assert.equal(cookies.length, 0, "the token is never a cookie: cookies ignore ports and would reach other local servers");
    await context.close();
  });

  test("a tab from before a restart says so, and a stopped server is 'not answering'", async () => {
    const data = mkdtempSync(join(tmpdir(), "tollgate-e2e-restart-"));
    let first = await startServe([], { data });
    let second;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(first.url);
      await page.locator("main h1").waitFor();
      const alert = page.getByRole("alert");

      // Stopped: the server is not there at all.
      await first.stop();
      first = null;
      await page.evaluate(() => { window.location.hash = "#/register"; });
      await page.getByLabel("Email").fill("restart@example.com");
      await page.getByLabel("Name").fill("Restart");
      await page.getByLabel("Password").fill("correct horse");
      await page.getByRole("button", { name: "Create account" }).click();
      await alert.filter({ hasText: "Tollgate is not answering" }).waitFor();

      // Started again on the same port and data folder: it answers, but with a new token.
      const port = new URL(page.url()).port;
      second = await startServe(["--addr", "127.0.0.1:" + port], { data });
      assert.notEqual(new URL(second.url).searchParams.get("token"), new URL(page.url()).searchParams.get("token"));
      await page.getByRole("button", { name: "Create account" }).click();
      await alert.filter({ hasText: "earlier run" }).waitFor();
      assert.equal(
        await alert.innerText(),
        "This tab's link is from an earlier run of tollgate serve. Open the link it printed this time, in the terminal where it runs.",
      );
      assert.equal(await page.getByLabel("Name").inputValue(), "Restart", "what was typed stays");
    } finally {
      await context.close();
      await first?.stop();
      await second?.stop();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
