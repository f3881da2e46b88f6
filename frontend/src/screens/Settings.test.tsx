import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

const go = { About: vi.fn(), Stripe: vi.fn(), StripeSettings: vi.fn(), SaveStripeSettings: vi.fn(), ResetSandbox: vi.fn(), SetUpStripe: vi.fn(),
  StripeTrouble: vi.fn(), SimulateStripeTrouble: vi.fn(), StopStripeTrouble: vi.fn(), Demo: vi.fn(), StartDemo: vi.fn() };
vi.mock("../../wailsjs/go/main/App", () => go);
const listeners: Record<string, () => void> = {};
vi.mock("../../wailsjs/runtime/runtime", () => ({
  EventsOn: (name: string, cb: () => void) => {
    listeners[name] = cb;
    return () => delete listeners[name];
  },
}));

const { Settings } = await import("./Settings");

const user = { id: 1, email: "ada@example.com", name: "Ada", createdAt: "2026-11-26T10:00:00Z" };
const about = { version: "v1", dataDir: "/d", database: "/d/tollgate.db", schemaVersion: 2, face: "serve" };
const step = (id: string, status: string, extra = {}) => ({ id, title: id + " title", status, facts: [], note: "", error: "", ...extra });
const sandbox = {
  mode: "sandbox", apiBase: "http://127.0.0.1:1", account: "Tollgate Sandbox", webhook: "http://127.0.0.1:2/payments/event", webhookSet: true,
  testClocks: true, ready: true, error: "", listenCommand: "",
  steps: [
    step("key", "done", { facts: [{ label: "Account", value: "Tollgate Sandbox" }] }),
    step("catalog", "done", { facts: [{ label: "Product", value: "prod_123" }] }),
    step("tunnel", "skipped", { note: "Not needed: the sandbox runs on this machine." }),
    step("endpoint", "done", { facts: [{ label: "Endpoint", value: "we_123" }] }),
    step("event", "waiting", { note: "No event yet." }),
  ],
};
const view = (extra = {}) => ({ secretKeySet: false, secretKeyHint: "", webhookSecretSet: false, ngrokAuthtokenSet: false, monthlyPrice: "", yearlyPrice: "", testClocks: false, fromEnvironment: [], ...extra });

function setup(st = sandbox, v = view()) {
  go.About.mockResolvedValue(about);
  go.Stripe.mockResolvedValue(st);
  go.StripeSettings.mockResolvedValue(v);
  go.StripeTrouble.mockResolvedValue([]);
  go.Demo.mockResolvedValue({ active: false, steps: [] });
  render(<Settings user={user as never} />);
}

afterEach(() => {
  cleanup();
  Object.values(go).forEach((f) => f.mockReset());
});

describe("Settings", () => {
  it("starts Stripe trouble in sandbox mode with the spec picked, and stops it", async () => {
    setup();
    await screen.findByRole("form", { name: "Simulate Stripe trouble" });
    fireEvent.change(screen.getByLabelText("The call"), { target: { value: "POST /v1/customers" } });
    fireEvent.change(screen.getByLabelText("The trouble"), { target: { value: "429" } });
    go.SimulateStripeTrouble.mockResolvedValue([{ spec: "POST /v1/customers 429 x3", left: 3, hit: 0 }]);
    fireEvent.click(screen.getByRole("button", { name: "Start the trouble" }));
    await waitFor(() => expect(go.SimulateStripeTrouble).toHaveBeenCalledWith("POST /v1/customers 429 x3"));
    expect(await screen.findByText("POST /v1/customers 429 x3")).toBeTruthy();
    expect(screen.getByText(/3 more calls · hit 0 times/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("For"), { target: { value: "0" } });
    go.SimulateStripeTrouble.mockResolvedValue([{ spec: "POST /v1/customers 429", left: -1, hit: 0 }]);
    fireEvent.click(screen.getByRole("button", { name: "Start the trouble" }));
    await waitFor(() => expect(go.SimulateStripeTrouble).toHaveBeenLastCalledWith("POST /v1/customers 429"));
    expect(await screen.findByText(/until stopped/)).toBeTruthy();
    go.StopStripeTrouble.mockResolvedValue([]);
    fireEvent.click(screen.getByRole("button", { name: "Stop all trouble" }));
    await waitFor(() => expect(screen.queryByText("POST /v1/customers 429")).toBeNull());
  });

  it("offers no Stripe trouble with a Stripe account", async () => {
    setup({ ...sandbox, mode: "stripe" });
    await screen.findByText("Your Stripe account, in test mode");
    expect(screen.queryByRole("form", { name: "Simulate Stripe trouble" })).toBeNull();
  });

  it("plays the demo in a process of its own, opening its link in a new tab", async () => {
    setup();
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    go.StartDemo.mockResolvedValue("http://127.0.0.1:5555/?token=abc");
    fireEvent.click(await screen.findByRole("button", { name: "Play the demo" }));
    await waitFor(() => expect(open).toHaveBeenCalledWith("http://127.0.0.1:5555/?token=abc", "_blank", "noopener"));
    expect((await screen.findByText(/The demo opened in a new tab/)).textContent).toMatch(/127\.0\.0\.1:5555/);
    open.mockRestore();
  });

  it("sends what was typed, and shows the state Go reports after the save", async () => {
    setup();
    const key = (await screen.findByLabelText(/Secret key/)) as HTMLInputElement;
    fireEvent.input(key, { target: { value: "sk_test_abc" } });
    fireEvent.input(screen.getByLabelText(/Monthly price id/), { target: { value: "price_m" } });
    go.SaveStripeSettings.mockResolvedValue({ ...sandbox, mode: "stripe", account: "Ada's test account" });
    go.Stripe.mockResolvedValue({ ...sandbox, mode: "stripe", account: "Ada's test account" });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(go.SaveStripeSettings).toHaveBeenCalled());
    const [sent, clear] = go.SaveStripeSettings.mock.calls[0];
    expect(sent).toMatchObject({ secretKey: "sk_test_abc", monthlyPrice: "price_m", webhookSecret: "", ngrokAuthtoken: "" });
    expect(clear).toBe(false);
    expect(await screen.findByText("Your Stripe account, in test mode")).toBeTruthy();
    expect(screen.getByText("Ada's test account")).toBeTruthy();
  });

  it("shows Go's refusal of a live key and keeps the form", async () => {
    setup();
    fireEvent.input(await screen.findByLabelText(/Secret key/), { target: { value: "sk_live_abc" } });
    go.SaveStripeSettings.mockRejectedValue("That is a live Stripe key.");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe("That is a live Stripe key.");
  });

  it("never shows a saved secret, and locks what the environment fixes", async () => {
    setup({ ...sandbox, mode: "stripe" }, view({ secretKeySet: true, secretKeyHint: "sk_test_…mnop", webhookSecretSet: true, fromEnvironment: ["TEST_MONTHLY_PRICE_ID"], monthlyPrice: "price_env" }));
    const key = (await screen.findByLabelText(/Secret key/)) as HTMLInputElement;
    expect(key.value).toBe("");
    expect(key.placeholder).toBe("set: sk_test_…mnop");
    expect((screen.getByLabelText(/Monthly price id/) as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Reset the sandbox…" })).toBeNull();
  });

  it("resets the sandbox only after a second, explicit click", async () => {
    setup();
    fireEvent.click(await screen.findByRole("button", { name: "Reset the sandbox…" }));
    expect(go.ResetSandbox).not.toHaveBeenCalled();
    go.ResetSandbox.mockResolvedValue(sandbox);
    fireEvent.click(screen.getByRole("button", { name: "Yes, erase all Stripe data" }));
    await waitFor(() => expect(go.ResetSandbox).toHaveBeenCalledTimes(1));
    expect((await screen.findByRole("status")).textContent).toContain("new, empty Stripe account");
  });

  it("shows the set-up checklist with each step's ids, and follows Go as it moves", async () => {
    setup();
    const list = await screen.findByRole("list", { name: "Stripe setup" });
    const items = list.querySelectorAll("li");
    expect([...items].map((li) => li.getAttribute("data-step"))).toEqual(["key", "catalog", "tunnel", "endpoint", "event"]);
    expect(items[1].textContent).toContain("prod_123");
    expect(items[2].querySelector(".mark")!.getAttribute("aria-label")).toBe("not needed");
    expect(screen.getByText("4 of 5 steps complete")).toBeTruthy();
    // An event arrives: Go says the checklist moved, the screen reads it again.
    go.Stripe.mockResolvedValue({ ...sandbox, steps: sandbox.steps.map((s) => (s.id === "event" ? step("event", "done", { facts: [{ label: "Event", value: "evt_1" }] }) : s)) });
    listeners["stripe:state"]();
    expect(await screen.findByText("evt_1")).toBeTruthy();
    expect(screen.getByText("5 of 5 steps complete")).toBeTruthy();
  });

  it("names a failed step with ngrok's words, offers the stripe listen command, and tries again", async () => {
    const failed = {
      ...sandbox, mode: "stripe", listenCommand: "stripe listen --forward-to http://127.0.0.1:4242/payments/event",
      steps: sandbox.steps.map((s) => (s.id === "tunnel" ? step("tunnel", "failed", { error: "ngrok refused the tunnel: bad authtoken (ERR_NGROK_105)" }) : s)),
    };
    setup(failed);
    expect(await screen.findByText(/ERR_NGROK_105/)).toBeTruthy();
    expect(screen.getByLabelText("Command").textContent).toBe("stripe listen --forward-to http://127.0.0.1:4242/payments/event");
    go.SetUpStripe.mockResolvedValue(sandbox);
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(go.SetUpStripe).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.queryByText(/ERR_NGROK_105/)).toBeNull());
  });

  it("gives every card a heading of its own", async () => {
    for (const st of [sandbox, { ...sandbox, mode: "stripe" }]) {
      setup(st);
      await screen.findByRole("list", { name: "Stripe setup" });
      await screen.findByText("Version");
      const cards = [...document.querySelectorAll(".card")];
      expect(cards.length).toBeGreaterThanOrEqual(5);
      for (const card of cards) {
        expect(card.previousElementSibling?.tagName, `${st.mode}: the card "${card.textContent?.slice(0, 40)}…"`).toMatch(/^H[23]$/);
      }
      cleanup();
    }
  });

  it("shows the test-clock switch on and locked in the sandbox, which always uses them", async () => {
    setup(sandbox, view({ testClocks: false }));
    const clocks = (await screen.findByRole("switch", { name: /test clock/ })) as HTMLInputElement;
    expect(clocks.checked).toBe(true);
    expect(clocks.disabled).toBe(true);
    expect(clocks.closest("label")!.textContent).toContain("the sandbox always does");
    // Saving keeps the choice stored for a Stripe account, which the locked switch does not show.
    go.SaveStripeSettings.mockResolvedValue(sandbox);
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(go.SaveStripeSettings).toHaveBeenCalled());
    expect(go.SaveStripeSettings.mock.calls[0][0]).toMatchObject({ testClocks: false });
  });

  it("makes the test-clock switch the learner's on a Stripe account", async () => {
    setup({ ...sandbox, mode: "stripe", testClocks: false }, view({ testClocks: false }));
    const clocks = (await screen.findByRole("switch", { name: /test clock/ })) as HTMLInputElement;
    expect(clocks.checked).toBe(false);
    expect(clocks.disabled).toBe(false);
    expect(clocks.closest("label")!.textContent).not.toContain("sandbox");
    fireEvent.click(clocks);
    go.SaveStripeSettings.mockResolvedValue({ ...sandbox, mode: "stripe" });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(go.SaveStripeSettings).toHaveBeenCalled());
    expect(go.SaveStripeSettings.mock.calls[0][0]).toMatchObject({ testClocks: true });
  });

  it("sends the ngrok authtoken typed into its own field", async () => {
    setup();
    fireEvent.input(await screen.findByLabelText(/ngrok authtoken/), { target: { value: "2abcDEF_tok" } });
    go.SaveStripeSettings.mockResolvedValue(sandbox);
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(go.SaveStripeSettings).toHaveBeenCalled());
    expect(go.SaveStripeSettings.mock.calls[0][0]).toMatchObject({ ngrokAuthtoken: "2abcDEF_tok", secretKey: "" });
  });
});
