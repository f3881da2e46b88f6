import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";

const go = { Events: vi.fn(), EventPayload: vi.fn(), ReplayEvent: vi.fn(), StripeCalls: vi.fn(), DeliveryChaos: vi.fn(), SetDeliveryChaos: vi.fn() };
vi.mock("../../wailsjs/go/main/App", () => go);
vi.mock("../../wailsjs/runtime/runtime", () => ({ EventsOn: () => () => {} }));

const { Events } = await import("./Events");

const row = (id: string, type: string, outcome: string, needed: boolean, did: string, extra = {}) => ({
  event: { id, type, apiVersion: "2025-08-27.basil", created: "2026-12-09T10:00:00Z", received: "2026-12-02T10:00:01Z", outcome, customerId: "cus_1", userId: 1, ...extra },
  explanation: { means: "Means of " + type, did, needed },
  user: "Ada",
});
const log = {
  events: [
    row("evt_paid", "invoice.paid", "applied", true, "Re-read cus_1's subscriptions and active entitlements from Stripe. Subscription sub_1: trialing → active."),
    row("evt_created", "invoice.created", "ignored", false, "Not needed by Tollgate: Tollgate acts on the outcome."),
  ],
  refusals: [{ at: "2026-12-02T10:00:00Z", status: 400, reply: "no valid signature", cause: "Signed with a secret Tollgate does not hold.", eventId: "evt_forged", eventType: "invoice.paid" }],
};

const noChaos = { available: false, reason: "Delivery chaos works only with Tollgate's own sandbox.", delaySeconds: 0, duplicate: false, reorder: false, drop: false, redeliverSeconds: 5, outageSeconds: 0, outageUntil: "0001-01-01T00:00:00Z", endOutage: false };

beforeEach(() => go.DeliveryChaos.mockResolvedValue(noChaos));

afterEach(() => {
  cleanup();
  Object.values(go).forEach((f) => f.mockReset());
});

describe("Events", () => {
  it("explains each event, marks what Tollgate does not need, and lists refused deliveries with their cause", async () => {
    go.Events.mockResolvedValue(log);
    render(<Events />);
    await screen.findByText("Means of invoice.paid");
    expect(go.Events).toHaveBeenCalledWith(false);
    expect(screen.getByText(/trialing → active/)).toBeTruthy();
    const created = document.querySelector('tr[data-event="evt_created"]')!;
    expect(created.querySelector(".badge")!.textContent).toBe("not needed");
    expect(screen.getByText(/Not needed by Tollgate/)).toBeTruthy();
    const refusals = screen.getByLabelText("Refused deliveries");
    expect(within(refusals).getByText("Signed with a secret Tollgate does not hold.")).toBeTruthy();
    expect(within(refusals).getByText("evt_forged")).toBeTruthy();
  });

  it("shows everyone's events with the switch", async () => {
    go.Events.mockResolvedValue(log);
    render(<Events />);
    await screen.findByText("Means of invoice.paid");
    fireEvent.click(screen.getByRole("switch", { name: "All users" }));
    await waitFor(() => expect(go.Events).toHaveBeenLastCalledWith(true));
  });

  it("replays an event and says it was skipped as a duplicate", async () => {
    go.Events.mockResolvedValue(log);
    go.ReplayEvent.mockResolvedValue({ status: 200, reply: "duplicate event, already recorded", duplicate: true });
    render(<Events />);
    await screen.findByText("Means of invoice.paid");
    fireEvent.click(within(document.querySelector('tr[data-event="evt_paid"]') as HTMLElement).getByRole("button", { name: "Replay" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/skipped it: nothing was applied twice/);
    expect(go.ReplayEvent).toHaveBeenCalledWith("evt_paid");
  });

  it("opens an event's body with id, type, created and data.object first, folding the rest", async () => {
    go.Events.mockResolvedValue(log);
    go.EventPayload.mockResolvedValue(JSON.stringify({ object: "event", api_version: "x", data: { previous_attributes: { status: "trialing" }, object: { id: "in_1", status: "paid" } }, created: 1, type: "invoice.paid", id: "evt_paid" }));
    render(<Events />);
    await screen.findByText("Means of invoice.paid");
    fireEvent.click(within(document.querySelector('tr[data-event="evt_paid"]') as HTMLElement).getByRole("button", { name: "Show" }));
    const tree = await screen.findByLabelText("Event evt_paid");
    const keys = [...tree.querySelectorAll(":scope > details > .children > * .key, :scope > details > .children > .leaf > .key")].map((k) => k.textContent);
    expect(keys.slice(0, 4)).toEqual(["id: ", "type: ", "created: ", "data: "]);
    const data = [...tree.querySelectorAll("details details")][0];
    expect(data.querySelector(".children > details > summary .key")!.textContent).toBe("object: ");
  });

  it("lists Stripe calls under the action that caused them, with the parameters that matter", async () => {
    go.Events.mockResolvedValue(log);
    const call = (seq: number, action: number, label: string, method: string, path: string, params: { key: string; value: string }[]) => ({
      seq, action: { id: action, label, at: "2026-12-02T10:00:00Z" }, method, path, params, status: 200, error: "", requestId: "req_" + seq, started: "", millis: 3.2,
      idempotencyKey: method === "POST" ? "idem_" + path : "", attempt: 1,
    });
    // Newest first, as Go returns them; a webhook's call lands between the click's two.
    go.StripeCalls.mockResolvedValue([
      call(4, 2, "Subscribe monthly, with the free trial", "POST", "/v1/checkout/sessions", [{ key: "mode", value: "subscription" }, { key: "subscription_data[trial_period_days]", value: "7" }]),
      call(3, 3, "Webhook customer.created evt_1", "GET", "/v1/subscriptions", []),
      call(2, 2, "Subscribe monthly, with the free trial", "POST", "/v1/customers", [{ key: "email", value: "ada@example.com" }]),
      call(1, 1, "Open Plans", "GET", "/v1/prices", []),
    ]);
    render(<Events />);
    fireEvent.click(screen.getByRole("tab", { name: "Stripe calls" }));
    const subscribe = await screen.findByLabelText("Subscribe monthly, with the free trial");
    const paths = [...subscribe.querySelectorAll("li[data-path]")].map((li) => li.getAttribute("data-path"));
    expect(paths).toEqual(["/v1/customers", "/v1/checkout/sessions"]);
    expect(within(subscribe).getByText("mode=subscription").closest("li")!.className).toBe("notable");
    expect(within(subscribe).getByText("subscription_data[trial_period_days]=7")).toBeTruthy();
    expect(screen.getByLabelText("Open Plans")).toBeTruthy();
    const order = [...document.querySelectorAll(".calls")].map((c) => c.getAttribute("aria-label"));
    expect(order).toEqual(["Subscribe monthly, with the free trial", "Webhook customer.created evt_1", "Open Plans"]);
    expect(within(subscribe).getByText("idem_/v1/customers")).toBeTruthy();
  });

  it("marks a retried request, sent again with its idempotency key", async () => {
    go.Events.mockResolvedValue(log);
    const tryN = (seq: number, attempt: number, status: number) => ({
      seq, action: { id: 1, label: "Subscribe monthly", at: "2026-12-02T10:00:00Z" }, method: "POST", path: "/v1/customers", params: [],
      status, error: "", requestId: "req_" + seq, started: "", millis: 1, idempotencyKey: "idem_1", attempt,
    });
    go.StripeCalls.mockResolvedValue([tryN(2, 2, 200), tryN(1, 1, 503)]);
    render(<Events />);
    fireEvent.click(screen.getByRole("tab", { name: "Stripe calls" }));
    expect((await screen.findByText("try 2")).getAttribute("title")).toMatch(/same Idempotency-Key/);
    expect(screen.getByText("503")).toBeTruthy();
    expect(screen.queryByText("replayed")).toBeNull();
  });

  it("marks an answer Stripe replayed for a repeated idempotency key", async () => {
    go.Events.mockResolvedValue(log);
    go.StripeCalls.mockResolvedValue([{
      seq: 1, action: { id: 1, label: "Subscribe monthly", at: "2026-12-02T10:00:00Z" }, method: "POST", path: "/v1/checkout/sessions", params: [],
      status: 200, error: "", requestId: "req_1", started: "", millis: 1, idempotencyKey: "idem_1", attempt: 1, replayed: true,
    }]);
    render(<Events />);
    fireEvent.click(screen.getByRole("tab", { name: "Stripe calls" }));
    expect((await screen.findByText("replayed")).getAttribute("title")).toMatch(/first answer to this Idempotency-Key/);
  });

  it("switches delivery chaos in the sandbox, and starts an outage", async () => {
    go.Events.mockResolvedValue(log);
    const chaos = { ...noChaos, available: true, reason: "" };
    go.DeliveryChaos.mockResolvedValue(chaos);
    go.SetDeliveryChaos.mockImplementation(async (c) => ({ ...c, outageUntil: c.outageSeconds ? new Date(Date.now() + c.outageSeconds * 1000).toISOString() : chaos.outageUntil }));
    render(<Events />);
    fireEvent.click(await screen.findByRole("switch", { name: "Duplicate: send each event twice" }));
    await waitFor(() => expect(go.SetDeliveryChaos).toHaveBeenLastCalledWith(expect.objectContaining({ duplicate: true, reorder: false, outageSeconds: 0 })));
    expect((screen.getByRole("switch", { name: "Duplicate: send each event twice" }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Start the outage" }));
    await waitFor(() => expect(go.SetDeliveryChaos).toHaveBeenLastCalledWith(expect.objectContaining({ duplicate: true, outageSeconds: 20 })));
    expect((await screen.findByRole("status")).textContent).toMatch(/answers 503 for (19|20) s more/);
  });

  it("says why there is no chaos outside the sandbox", async () => {
    go.Events.mockResolvedValue(log);
    render(<Events />);
    expect((await screen.findByLabelText("Delivery chaos")).textContent).toBe(noChaos.reason);
    expect(screen.queryByRole("switch", { name: /Duplicate/ })).toBeNull();
  });

  it("marks skipped duplicates, an event overtaken and a retried delivery", async () => {
    go.Events.mockResolvedValue({
      events: [
        { ...row("evt_dup", "invoice.paid", "applied", true, "Re-read."), refused: 0, overtaken: "", event: { ...row("evt_dup", "invoice.paid", "applied", true, "").event, duplicates: ["2026-12-02T10:00:02Z", "2026-12-02T10:00:03Z"] } },
        { ...row("evt_late", "customer.subscription.created", "applied", true, "Re-read."), overtaken: "evt_dup", refused: 0 },
        { ...row("evt_retry", "customer.created", "ignored", false, "Not needed."), overtaken: "", refused: 2 },
      ],
      refusals: [],
    });
    render(<Events />);
    await screen.findByText("Means of invoice.paid");
    const mark = (id: string) => [...document.querySelectorAll(`tr[data-event="${id}"] [data-mark]`)].map((m) => m.textContent);
    expect(mark("evt_dup")).toEqual(["2 duplicates skipped"]);
    expect(mark("evt_late")).toEqual(["out of order"]);
    expect(mark("evt_retry")).toEqual(["retried"]);
    expect(screen.getByText(/Delivered 3 times/).textContent).toMatch(/answered 200 and skipped, never applied twice/);
    expect(screen.getByText(/Arrived after/).textContent).toMatch(/evt_dup, a newer event/);
    expect(screen.getByText(/Arrived on a retry/).textContent).toMatch(/refused 2 earlier deliveries/);
  });
});
