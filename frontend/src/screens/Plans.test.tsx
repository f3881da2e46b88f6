import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

// The generated bindings and the Wails runtime are the frontend's only ways out; here they stand for Go.
const go = { Plans: vi.fn(), Subscribe: vi.fn(), SwitchPlan: vi.fn(), ManageBilling: vi.fn(), MoveClock: vi.fn() };
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
  vi.restoreAllMocks();
});

const invoice = (extra = {}) => ({
  id: "in_1", number: "ABCD-0001", status: "paid", billingReason: "subscription_create", currency: "gbp",
  subtotal: 900, total: 810, amountDue: 810, amountPaid: 810, amountRemaining: 0,
  discounts: [{ name: "LEARN10", amount: 90 }],
  lines: [{ description: "1 × Tollgate Premium (at £9.00 / month)", amount: 900, proration: false }],
  hostedUrl: "http://127.0.0.1:2/invoice/in_1", ...extra,
});
const monthly = (extra = {}) => ({
  stripeId: "sub_1", status: "active", priceId: "price_m", interval: "month", cancelAtPeriodEnd: false,
  currentPeriodEnd: "2027-01-03T00:00:00Z", latestInvoice: invoice(), ...extra,
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

  it("while subscribed, offers the other plan as a switch in the portal and marks the current one", async () => {
    go.Plans.mockResolvedValue(plans({ hasCustomer: true, subscriptions: [monthly()] }));
    go.SwitchPlan.mockResolvedValue({ url: "http://127.0.0.1:1/portal/bps_1", portal: true });
    render(<Plans />);
    const mine = await screen.findByRole("article", { name: "Monthly plan" });
    expect(mine.textContent).toContain("Your plan");
    expect(mine.textContent).toContain("This is your current plan.");
    expect(mine.querySelector("button")).toBeNull();
    expect(screen.queryByRole("button", { name: /^Subscribe/ })).toBeNull();
    expect(screen.queryByRole("switch")).toBeNull(); // a trial is for a first purchase

    const other = screen.getByRole("article", { name: "Yearly plan" });
    const sw = screen.getByRole("button", { name: "Switch to yearly" });
    expect(sw.classList.contains("primary")).toBe(false);
    expect(other.textContent).toContain("Opens the Billing Portal");
    fireEvent.click(sw);
    await waitFor(() => expect(runtime.BrowserOpenURL).toHaveBeenCalledWith("http://127.0.0.1:1/portal/bps_1"));
    expect(go.SwitchPlan).toHaveBeenCalledWith("yearly");
    expect(go.Subscribe).not.toHaveBeenCalled();
    expect(screen.getByRole("status").textContent).toContain("The Billing Portal, on its plan change, opened");
  });

  it("shows the latest invoice with its discount, status, amount paid and hosted page", async () => {
    go.Plans.mockResolvedValue(plans({ hasCustomer: true, subscriptions: [monthly()] }));
    const open = vi.spyOn(window, "open").mockImplementation(() => null);
    render(<Plans />);
    const inv = await screen.findByRole("region", { name: "Latest invoice" });
    const text = inv.textContent ?? "";
    for (const want of ["ABCD-0001", "Paid", "1 × Tollgate Premium (at £9.00 / month)", "£9.00", "LEARN10", "−£0.90", "Total£8.10", "Paid£8.10"]) {
      expect(text).toContain(want);
    }
    const link = screen.getByRole("link", { name: "View the invoice on Stripe" });
    expect(link.getAttribute("href")).toBe("http://127.0.0.1:2/invoice/in_1");
    fireEvent.click(link);
    // In a browser the hosted page opens in a new tab: it has no way back.
    expect(open).toHaveBeenCalledWith("http://127.0.0.1:2/invoice/in_1", "_blank", "noopener");
  });

  it("shows a plan change's invoice with its proration credit, and an open invoice as due", async () => {
    const change = invoice({
      billingReason: "subscription_update", status: "open", subtotal: 8565, total: 7665, amountDue: 7665, amountPaid: 0, amountRemaining: 7665,
      discounts: [{ name: "LEARN10", amount: 900 }],
      lines: [
        { description: "Unused time on Tollgate Premium after 15 Jan 2027", amount: -435, proration: true },
        { description: "1 × Tollgate Premium (at £90.00 / year)", amount: 9000, proration: false },
      ],
    });
    go.Plans.mockResolvedValue(plans({ hasCustomer: true, subscriptions: [monthly({ priceId: "price_y", interval: "year", latestInvoice: change })] }));
    render(<Plans />);
    const inv = await screen.findByRole("region", { name: "Latest invoice" });
    const text = inv.textContent ?? "";
    for (const want of ["subscription_update: a plan change", "Unused time on Tollgate Premium", "proration", "−£4.35", "£90.00", "−£9.00", "Open", "Due£76.65"]) {
      expect(text).toContain(want);
    }
    expect(screen.getByRole("article", { name: "Yearly plan" }).textContent).toContain("Your plan");
    expect(screen.getByRole("button", { name: "Switch to monthly" })).toBeTruthy();
  });
});
