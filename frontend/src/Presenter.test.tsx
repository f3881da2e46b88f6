import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

const go = { Demo: vi.fn(), DemoStart: vi.fn(), DemoNext: vi.fn(), CurrentUser: vi.fn() };
vi.mock("../wailsjs/go/main/App", () => go);
const listeners: Record<string, () => void> = {};
vi.mock("../wailsjs/runtime/runtime", () => ({
  EventsOn: (name: string, cb: () => void) => {
    listeners[name] = cb;
    return () => delete listeners[name];
  },
}));

const { Presenter } = await import("./Presenter");

const step = (caption: string, status: string, extra = {}) => ({ caption, screen: "access", status, error: "", millis: 0, ...extra });
const view = (steps: ReturnType<typeof step>[], extra = {}) => ({ active: true, steps, current: 0, pause: true, delayMillis: 0, started: true, finished: false, failed: false, ...extra });

afterEach(() => {
  cleanup();
  Object.values(go).forEach((f) => f.mockReset());
  window.location.hash = "";
});

describe("Presenter", () => {
  it("shows nothing outside a demo, and starts nothing", async () => {
    go.Demo.mockResolvedValue({ active: false, steps: [] });
    const { container } = render(<Presenter onUser={() => {}} />);
    await waitFor(() => expect(go.Demo).toHaveBeenCalled());
    expect(container.textContent).toBe("");
    expect(go.DemoStart).not.toHaveBeenCalled();
  });

  it("starts the script, runs the announced step on Space, and shows the screen of a step done", async () => {
    const first = view([step("Ada creates an account.", "next"), step("Access shows both entitlements.", "waiting")]);
    go.Demo.mockResolvedValue(first);
    go.DemoStart.mockResolvedValue(first);
    go.DemoNext.mockResolvedValue(first);
    go.CurrentUser.mockResolvedValue({ id: 1, name: "Ada" });
    const onUser = vi.fn();
    render(<Presenter onUser={onUser} />);
    expect((await screen.findByRole("status")).textContent).toMatch(/Step 1 of 2 · press Space or Next: Ada creates an account\./);
    expect(go.DemoStart).toHaveBeenCalled();
    // The key listener is set once the step is announced (an effect, after the render).
    await waitFor(() => {
      fireEvent.keyDown(document.body, { key: " " });
      expect(go.DemoNext).toHaveBeenCalled();
    });

    go.Demo.mockResolvedValue(view([step("Ada creates an account.", "done"), step("Access shows both entitlements.", "next")], { current: 1 }));
    listeners["demo:step"]();
    await waitFor(() => expect(screen.getByRole("status").textContent).toMatch(/Step 2 of 2/));
    await waitFor(() => expect(onUser).toHaveBeenCalledWith({ id: 1, name: "Ada" }));
    expect(window.location.hash).toBe("#/access");
  });

  it("says which step failed and why, with no Next", async () => {
    const failed = view([step("Ada pays.", "failed", { error: "the page /pay answered 402" })], { failed: true });
    go.Demo.mockResolvedValue(failed);
    go.DemoStart.mockResolvedValue(failed);
    render(<Presenter onUser={() => {}} />);
    expect((await screen.findByRole("alert")).textContent).toBe("This step failed: the page /pay answered 402");
    expect(screen.queryByRole("button")).toBeNull();
  });
});
