import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, render, screen } from "@testing-library/preact";

const go = { Premium: vi.fn() };
const listeners: Record<string, () => void> = {};
vi.mock("../../wailsjs/go/main/App", () => go);
vi.mock("../../wailsjs/runtime/runtime", () => ({
  EventsOn: (name: string, cb: () => void) => {
    listeners[name] = cb;
    return () => delete listeners[name];
  },
}));

const { Premium } = await import("./Premium");

afterEach(() => {
  cleanup();
  go.Premium.mockReset();
});

const premium = { text: "Welcome to Premium, Ada.", why: "Granted 2 Dec 2026, 10:01 UTC. Tollgate learnt it from the invoice.paid event evt_1.", notice: "" };

describe("Premium", () => {
  it("shows what Go returns to an entitled user, with why it is open", async () => {
    go.Premium.mockResolvedValue(premium);
    render(<Premium />);
    expect(await screen.findByText("Welcome to Premium, Ada.")).toBeTruthy();
    expect(screen.getByText(/Tollgate learnt it from the invoice.paid event/)).toBeTruthy();
    expect(screen.queryByText("Locked")).toBeNull();
  });

  it("shows Go's refusal and the way to Plans", async () => {
    go.Premium.mockRejectedValue("Premium needs the test-access entitlement.");
    render(<Premium />);
    expect((await screen.findByRole("alert")).textContent).toBe("Premium needs the test-access entitlement.");
    expect(screen.getByRole("link", { name: "See the plans" }).getAttribute("href")).toBe("#/plans");
  });

  it("locks at once when a webhook takes the entitlement away", async () => {
    go.Premium.mockResolvedValue(premium);
    render(<Premium />);
    await screen.findByText("Unlocked");
    go.Premium.mockRejectedValue("Premium needs the test-access entitlement.");
    await act(async () => listeners["billing:changed"]());
    await screen.findByText("Locked");
    expect(screen.queryByText("Unlocked")).toBeNull();
    expect(screen.queryByText("Welcome to Premium, Ada.")).toBeNull();
  });
});
