import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

const go = { Plans: vi.fn(), ManageBilling: vi.fn() };
const runtime = { EventsOn: vi.fn(() => () => {}), BrowserOpenURL: vi.fn() };
vi.mock("../wailsjs/go/main/App", () => go);
vi.mock("../wailsjs/runtime/runtime", () => runtime);

const { PaymentBanner } = await import("./PaymentBanner");

const open = { id: "in_2", number: "ABCD-0002", status: "open", billingReason: "subscription_cycle", currency: "gbp", subtotal: 900, total: 900,
  amountDue: 900, amountPaid: 0, amountRemaining: 900, discounts: [], lines: [], hostedUrl: "http://127.0.0.1:2/invoice/in_2" };
const pastDue = (extra = {}) => ({
  prices: [], hasCustomer: true, testClock: "clock_1", trialDays: 7, promotion: "", paymentFailed: true,
  subscriptions: [{ stripeId: "sub_1", status: "past_due", interval: "month", nextPaymentAttempt: "2026-12-06T00:00:00Z",
    latestInvoice: open, card: "Visa •••• 0341", cardUpdated: false, ...extra }],
});

afterEach(() => {
  cleanup();
  Object.values(go).forEach((f) => f.mockReset());
  runtime.BrowserOpenURL.mockReset();
  vi.restoreAllMocks();
  delete (window as any).WailsInvoke;
});

describe("PaymentBanner", () => {
  it("shows nothing while no payment failed", async () => {
    go.Plans.mockResolvedValue({ ...pastDue(), paymentFailed: false, subscriptions: [] });
    const { container } = render(<PaymentBanner />);
    await waitFor(() => expect(go.Plans).toHaveBeenCalled());
    expect(container.textContent).toBe("");
  });

  it("asks for a new card in the portal after a failed payment", async () => {
    go.Plans.mockResolvedValue(pastDue());
    go.ManageBilling.mockResolvedValue({ url: "http://127.0.0.1:1/portal/bps_1", portal: true });
    render(<PaymentBanner />);
    const banner = await screen.findByRole("alert", { name: "Payment failed" });
    expect(banner.textContent).toContain("Your last payment failed.");
    expect(banner.textContent).toContain("on 6 Dec 2026");
    fireEvent.click(screen.getByRole("button", { name: "Update payment method" }));
    await waitFor(() => expect(runtime.BrowserOpenURL).toHaveBeenCalledWith("http://127.0.0.1:1/portal/bps_1"));
  });

  it("says the card was updated and when Stripe retries, and offers to pay the open invoice now", async () => {
    go.Plans.mockResolvedValue(pastDue({ card: "Visa •••• 4242", cardUpdated: true }));
    const win = vi.spyOn(window, "open").mockImplementation(() => null);
    render(<PaymentBanner />);
    const banner = await screen.findByRole("alert", { name: "Card updated" });
    expect(banner.textContent).toContain("Your card was updated to Visa •••• 4242.");
    expect(banner.textContent).toContain("Stripe retries it with the new card on 6 Dec 2026");
    expect(banner.textContent).not.toContain("update your card");
    expect(screen.queryByRole("button", { name: "Update payment method" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Pay £9.00 now" }));
    // Serve mode: a new tab, so this one stays and clears when the webhook lands.
    expect(win).toHaveBeenCalledWith("http://127.0.0.1:2/invoice/in_2", "_blank", "noopener");
    expect(go.ManageBilling).not.toHaveBeenCalled();
  });

  it("opens the invoice in the system browser from the window", async () => {
    (window as any).WailsInvoke = () => {};
    go.Plans.mockResolvedValue(pastDue({ card: "Visa •••• 4242", cardUpdated: true }));
    render(<PaymentBanner />);
    fireEvent.click(await screen.findByRole("button", { name: "Pay £9.00 now" }));
    expect(runtime.BrowserOpenURL).toHaveBeenCalledWith("http://127.0.0.1:2/invoice/in_2");
  });
});
