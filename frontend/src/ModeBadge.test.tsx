import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, render, screen } from "@testing-library/preact";

const go = { Stripe: vi.fn() };
const listeners: Record<string, () => void> = {};
vi.mock("../wailsjs/go/main/App", () => go);
vi.mock("../wailsjs/runtime/runtime", () => ({
  EventsOn: (name: string, cb: () => void) => {
    listeners[name] = cb;
    return () => delete listeners[name];
  },
}));

const { ModeBadge, SetupBanner } = await import("./ModeBadge");

const notReady = { mode: "stripe", ready: false, error: "Key works: Stripe says: Invalid API Key provided", account: "", steps: [] };
const ready = { mode: "stripe", ready: true, error: "", account: "Ada's test account", steps: [] };

afterEach(() => {
  cleanup();
  go.Stripe.mockReset();
});

describe("SetupBanner", () => {
  it("sends the learner to Settings with the reason while billing is not ready", async () => {
    go.Stripe.mockResolvedValue(notReady);
    render(<SetupBanner onSettings={false} />);
    const banner = await screen.findByRole("alert", { name: "Billing not ready" });
    expect(banner.textContent).toContain("Invalid API Key provided");
    expect(screen.getByRole("link", { name: "Open Settings" }).getAttribute("href")).toBe("#/settings");
  });

  it("goes once the set-up works, and stays off the Settings screen itself", async () => {
    go.Stripe.mockResolvedValue(notReady);
    render(<SetupBanner onSettings={false} />);
    await screen.findByRole("alert");
    go.Stripe.mockResolvedValue(ready);
    await act(async () => listeners["stripe:state"]());
    expect(screen.queryByRole("alert")).toBeNull();
    cleanup();
    go.Stripe.mockResolvedValue(notReady);
    render(<SetupBanner onSettings={true} />);
    await act(async () => {});
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("ModeBadge", () => {
  it("names the Stripe in use, or says billing is not ready", async () => {
    go.Stripe.mockResolvedValue(ready);
    render(<ModeBadge />);
    expect((await screen.findByRole("link")).textContent).toBe("Stripe test mode");
    go.Stripe.mockResolvedValue(notReady);
    await act(async () => listeners["billing:changed"]());
    expect(screen.getByRole("link").textContent).toBe("Billing not ready");
  });
});
