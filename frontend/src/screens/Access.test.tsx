import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/preact";

const go = { Access: vi.fn() };
vi.mock("../../wailsjs/go/main/App", () => go);
vi.mock("../../wailsjs/runtime/runtime", () => ({ EventsOn: () => () => {} }));

const { Access } = await import("./Access");

const access = (extra = {}) => ({
  hasCustomer: true, customerId: "cus_1", local: [], live: [], liveError: "", onlyLocal: [], onlyLive: [],
  hasTestAccess: false, hasTestAccess2: false, why: [], notice: "", ...extra,
});

function row(key: string) {
  const cells = [...document.querySelectorAll(`tr[data-feature="${key}"] td`)].map((td) => td.textContent);
  return { local: cells[2], live: cells[3] };
}

afterEach(() => {
  cleanup();
  go.Access.mockReset();
});

describe("Access", () => {
  it("says plainly when there is no Stripe customer", async () => {
    go.Access.mockResolvedValue(access({ hasCustomer: false, customerId: "" }));
    render(<Access />);
    expect((await screen.findByRole("note")).textContent).toContain("asked Stripe nothing");
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("shows the local copy beside Stripe's answer and marks where they differ", async () => {
    go.Access.mockResolvedValue(access({
      local: ["test-access", "test-access-2"], live: ["test-access"], onlyLocal: ["test-access-2"],
      hasTestAccess: true, hasTestAccess2: true,
    }));
    render(<Access />);
    await screen.findByRole("table");
    expect(row("test-access")).toEqual({ local: "Active", live: "Active" });
    expect(row("test-access-2")).toEqual({ local: "Active", live: "Nodiffers" });
    expect(screen.getByRole("note").textContent).toContain("disagree");
    expect(screen.getByText("has_test_access = true")).toBeTruthy();
  });

  it("shows Active and No as badges, as Plans shows a status", async () => {
    go.Access.mockResolvedValue(access({ local: ["test-access"], live: ["test-access"] }));
    render(<Access />);
    await screen.findByRole("table");
    const badges = (key: string) =>
      [...document.querySelectorAll(`tr[data-feature="${key}"] td .badge`)].map((b) => `${b.className}: ${b.textContent}`);
    expect(badges("test-access")).toEqual(["badge active: Active", "badge active: Active"]);
    expect(badges("test-access-2")).toEqual(["badge no: No", "badge no: No"]);
  });

  it("still shows the local copy when Stripe cannot be asked", async () => {
    go.Access.mockResolvedValue(access({ local: ["test-access"], live: null, liveError: "Stripe could not be reached." }));
    render(<Access />);
    await screen.findByRole("table");
    expect(row("test-access")).toEqual({ local: "Active", live: "?" });
    expect(screen.getByRole("note").textContent).toContain("Stripe could not be reached.");
  });

  it("says how each entitlement came or went, and that access continues while a payment is retried", async () => {
    go.Access.mockResolvedValue(access({
      local: ["test-access"], live: ["test-access"],
      why: [{ key: "test-access", text: "Granted 2 Dec 2026, 10:01 UTC, when subscription sub_1 was trialing. Tollgate learnt it from the customer.subscription.created event evt_1." }],
      notice: "Your last payment failed, but access continues while Stripe retries.",
    }));
    render(<Access />);
    const why = await screen.findByLabelText("Why");
    expect(why.querySelector('li[data-why="test-access"]')!.textContent).toContain("when subscription sub_1 was trialing");
    expect(screen.getByText(/access continues while Stripe retries/)).toBeTruthy();
  });
});
