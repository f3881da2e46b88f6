import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

// The generated bindings and the Wails runtime are the frontend's only ways out; here they stand for Go.
const go = { Plans: vi.fn(), Subscribe: vi.fn(), ManageBilling: vi.fn(), MoveClock: vi.fn() };
const runtime = { EventsOn: vi.fn(() => () => {}), BrowserOpenURL: vi.fn() };
vi.mock("../../wailsjs/go/main/App", () => go);
vi.mock("../../wailsjs/runtime/runtime", () => runtime);

const { Plans } = await import("./Plans");

const prices = [
  { plan: "monthly", id: "price_m", product: "Tollgate Premium", amount: 900, currency: "gbp", interval: "month" },
  { plan: "yearly", id: "price_y", product: "Tollgate Premium", amount: 9000, currency: "gbp", interval: "year" },
];
const noClock = { id: "", now: "", moves: [] };
const noTimeline = { subscription: "", from: "", now: "", spans: [], points: [] };
const plans = (extra = {}) => ({ prices, hasCustomer: false, testClock: "", subscriptions: [], paymentFailed: false, trialDays: 7, promotion: "LEARN10", clock: noClock, timeline: noTimeline, ...extra });
const clock = {
  id: "clock_1",
  now: "2026-12-04T09:30:00Z",
  moves: [
    { id: "day", label: "+1 day", to: "2026-12-05T09:30:00Z", why: "" },
    { id: "year", label: "+1 year", to: "2027-12-04T09:30:00Z", why: "Stripe moves a test clock at most two intervals of the shortest subscription at once: two months for a monthly plan." },
    { id: "trial_end", label: "To the trial's end, and its first charge", why: "No free trial is running." },
    { id: "retry", label: "To the next payment retry", to: "2026-12-06T00:01:00Z", why: "" },
  ],
};

afterEach(() => {
  cleanup();
  Object.values(go).forEach((f) => f.mockReset());
  runtime.BrowserOpenURL.mockReset();
});

describe("Plans", () => {
  it("shows the prices and sends the trial choice to Go, then opens Checkout", async () => {
    go.Plans.mockResolvedValue(plans());
    go.Subscribe.mockResolvedValue({ url: "http://127.0.0.1:1/checkout/cs_1", portal: false });
    render(<Plans />);
    expect(await screen.findByText("£9.00")).toBeTruthy();
    expect(screen.getByText("£90.00")).toBeTruthy();
    expect(screen.getByText("LEARN10")).toBeTruthy();
    expect(screen.queryByText("Test clock")).toBeNull();

    const trial = screen.getByRole("switch") as HTMLInputElement;
    expect(trial.checked).toBe(true);
    fireEvent.click(trial);
    fireEvent.click(screen.getByRole("button", { name: "Subscribe yearly" }));
    await waitFor(() => expect(runtime.BrowserOpenURL).toHaveBeenCalledWith("http://127.0.0.1:1/checkout/cs_1"));
    expect(go.Subscribe).toHaveBeenCalledWith("yearly", false);
    expect(screen.getByRole("status").textContent).toContain("Stripe Checkout opened in your browser");
  });

  it("says so when Go sends a subscriber to the portal instead", async () => {
    go.Plans.mockResolvedValue(plans());
    go.Subscribe.mockResolvedValue({ url: "http://127.0.0.1:1/portal/bps_1", portal: true });
    render(<Plans />);
    fireEvent.click(await screen.findByRole("button", { name: "Subscribe monthly" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("You already subscribe"));
    expect(go.Subscribe).toHaveBeenCalledWith("monthly", true);
  });

  it("shows Go's error and opens nothing when Checkout cannot start", async () => {
    go.Plans.mockResolvedValue(plans());
    go.Subscribe.mockRejectedValue("Billing is not ready: Stripe says: Invalid API Key provided. See Settings.");
    render(<Plans />);
    fireEvent.click(await screen.findByRole("button", { name: "Subscribe monthly" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Invalid API Key");
    expect(runtime.BrowserOpenURL).not.toHaveBeenCalled();
  });

  it("shows a past-due subscription with its retry time, the clock's time, and moves the clock to the retry", async () => {
    const sub = { stripeId: "sub_1", status: "past_due", interval: "month", cancelAtPeriodEnd: false, currentPeriodEnd: "2027-01-03T00:00:00Z", nextPaymentAttempt: "2026-12-06T00:00:00Z" };
    go.Plans.mockResolvedValue(plans({ hasCustomer: true, testClock: "clock_1", subscriptions: [sub], paymentFailed: true, clock }));
    let finish: (v: unknown) => void = () => {};
    go.MoveClock.mockReturnValue(new Promise((r) => (finish = r)));
    render(<Plans />);
    expect(await screen.findByText("Payment failed")).toBeTruthy();
    expect(screen.getByText("Next payment attempt 6 Dec 2026, 00:00:00 UTC")).toBeTruthy();
    expect(screen.getByText("4 Dec 2026, 09:30:00 UTC")).toBeTruthy();
    // Greyed moves say why; the others where they land.
    expect((screen.getByRole("button", { name: "+1 year" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/two months for a monthly plan/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "To the trial's end, and its first charge" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText("No free trial is running.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "To the next payment retry" }));
    expect(go.MoveClock).toHaveBeenCalledWith("retry");
    expect((await screen.findByLabelText("Moving the clock")).tagName).toBe("PROGRESS");
    finish(plans({ hasCustomer: true, testClock: "clock_1", subscriptions: [{ ...sub, status: "canceled", endedAt: "2026-12-20T00:00:00Z" }], clock }));
    expect(await screen.findByText("Canceled")).toBeTruthy();
    expect(screen.queryByLabelText("Moving the clock")).toBeNull();
    expect(screen.getByText("Ended 20 Dec 2026, 00:00:00 UTC")).toBeTruthy();
  });
});
