import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/preact";

const go = { Lessons: vi.fn(), StartOverLessons: vi.fn(), LabReport: vi.fn(), SaveLabReport: vi.fn() };
const listeners: Record<string, () => void> = {};
vi.mock("../../wailsjs/go/main/App", () => go);
vi.mock("../../wailsjs/runtime/runtime", () => ({
  EventsOn: (name: string, cb: () => void) => {
    listeners[name] = cb;
    return () => delete listeners[name];
  },
  BrowserOpenURL: vi.fn(),
}));

const { Lessons, markdown } = await import("./Lessons");

afterEach(() => {
  cleanup();
  Object.values(go).forEach((f) => f.mockReset());
});

const code = (name: string) => ({
  func: { file: "internal/billing/checkout.go", name },
  line: 26,
  text: `// ${name} opens a Checkout Session.\nfunc (s *Service) Checkout() {}`,
});

const lesson = (id: string, title: string, done = false) => ({
  id,
  title,
  concept: "Checkout in subscription mode collects the card. Stripe then sends events.",
  doc: { title: "Build a subscriptions integration", url: "https://docs.stripe.com/billing/subscriptions/build-subscriptions" },
  do: "On Plans, press Subscribe monthly.",
  guide: { section: "4.4 Creating a New Subscription", text: "triggers the function `handle_checkout_session`." },
  code: code("Service.Checkout"),
  done,
  at: done ? "2026-12-02T10:01:02Z" : "0001-01-01T00:00:00Z",
  stripeAt: done ? "2027-01-09T10:00:00Z" : "0001-01-01T00:00:00Z",
  via: done ? "the invoice.paid event evt_1" : "",
});

const course = (doneIDs: string[]) => {
  const all = [lesson("account", "Register and log in"), lesson("subscribe-monthly", "Subscribe monthly"), lesson("renewal", "A renewal")].map((l) =>
    doneIDs.includes(l.id) ? lesson(l.id, l.title, true) : l,
  );
  return { lessons: all, done: doneIDs.length };
};

describe("Lessons", () => {
  it("shows each lesson, done with when and how, or what to do", async () => {
    go.Lessons.mockResolvedValue(course(["renewal"]));
    render(<Lessons />);
    expect(await screen.findByText("1 of 3")).toBeTruthy();
    const renewal = document.querySelector('[data-lesson="renewal"]') as HTMLElement;
    expect(within(renewal).getByText("Done")).toBeTruthy();
    expect(renewal.querySelector(".when")!.textContent).toBe(
      "Done 2 Dec 2026, 10:01:02 UTC · on Stripe's clock 9 Jan 2027, 10:00:00 UTC · seen in the invoice.paid event evt_1",
    );
    const account = document.querySelector('[data-lesson="account"]') as HTMLElement;
    expect(within(account).getByText("To do")).toBeTruthy();
    expect(within(account).getByText("On Plans, press Subscribe monthly.")).toBeTruthy();
    expect(within(account).getByRole("link", { name: "Build a subscriptions integration" }).getAttribute("href")).toBe(
      "https://docs.stripe.com/billing/subscriptions/build-subscriptions",
    );
  });

  it("shows the Go source beside the guide's words under See the code", async () => {
    go.Lessons.mockResolvedValue(course([]));
    render(<Lessons />);
    await screen.findByText("0 of 3");
    const first = document.querySelector('[data-lesson="account"]') as HTMLElement;
    expect(within(first).getByText("See the code")).toBeTruthy();
    const pre = within(first).getByLabelText("Go source of Service.Checkout");
    expect(pre.textContent).toContain("func (s *Service) Checkout() {}");
    expect(within(first).getByText("internal/billing/checkout.go:26")).toBeTruthy();
    expect(within(first).getByText("handle_checkout_session").tagName).toBe("CODE");
  });

  it("ticks a lesson when Go says one was done", async () => {
    go.Lessons.mockResolvedValue(course([]));
    render(<Lessons />);
    await screen.findByText("0 of 3");
    go.Lessons.mockResolvedValue(course(["account"]));
    await act(async () => listeners["lessons:changed"]());
    await screen.findByText("1 of 3");
    expect(document.querySelector('[data-lesson="account"].done')).toBeTruthy();
  });

  it("starts over only once confirmed", async () => {
    go.Lessons.mockResolvedValue(course(["account"]));
    go.StartOverLessons.mockResolvedValue(course([]));
    render(<Lessons />);
    await screen.findByText("1 of 3");
    fireEvent.click(screen.getByRole("button", { name: "Start over" }));
    fireEvent.click(screen.getByRole("button", { name: "Keep my progress" }));
    expect(go.StartOverLessons).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Start over" }));
    fireEvent.click(screen.getByRole("button", { name: "Yes, start over" }));
    await screen.findByText("0 of 3");
    expect(go.StartOverLessons).toHaveBeenCalledOnce();
    expect((screen.getByRole("button", { name: "Start over" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("downloads the lab report in a browser", async () => {
    go.Lessons.mockResolvedValue(course([]));
    go.LabReport.mockResolvedValue("<!DOCTYPE html><title>Tollgate lab report</title>");
    const created = vi.fn(() => "blob:report");
    URL.createObjectURL = created;
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    render(<Lessons />);
    await screen.findByText("0 of 3");
    fireEvent.click(screen.getByRole("button", { name: "Export lab report" }));
    await screen.findByText(/The lab report is downloading/);
    expect(go.LabReport).toHaveBeenCalledOnce();
    expect(go.SaveLabReport).not.toHaveBeenCalled();
    expect(clicked).toHaveBeenCalledOnce();
    clicked.mockRestore();
  });

  it("shows Go's refusal", async () => {
    go.Lessons.mockResolvedValue(course([]));
    go.LabReport.mockRejectedValue("Log in first.");
    render(<Lessons />);
    await screen.findByText("0 of 3");
    fireEvent.click(screen.getByRole("button", { name: "Export lab report" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Log in first.");
  });
});

describe("markdown", () => {
  it("renders the guide's code and bold, and leaves the rest", () => {
    const { container } = render(<p>{markdown("a **not production-ready** b `x=1` c")}</p>);
    expect(container.innerHTML).toBe("<p>a <strong>not production-ready</strong> b <code>x=1</code> c</p>");
  });
});
