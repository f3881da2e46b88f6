import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "@testing-library/preact";
import { Timeline } from "./Timeline";

afterEach(cleanup);

const timeline = {
  subscription: "sub_1",
  from: "2026-12-02T10:00:00Z",
  now: "2027-01-20T10:00:00Z",
  spans: [
    { from: "2026-12-02T10:00:00Z", to: "2026-12-09T10:00:00Z", status: "trialing" },
    { from: "2026-12-09T10:00:00Z", to: "2027-01-09T11:00:00Z", status: "active" },
    { from: "2027-01-09T11:00:00Z", to: "2027-01-20T10:00:00Z", status: "past_due" },
  ],
  points: [
    { at: "2026-12-02T10:00:00Z", kind: "created", label: "Subscription created", eventId: "evt_1" },
    { at: "2026-12-09T10:00:00Z", kind: "updated", label: "Subscription updated: trialing → active", eventId: "evt_2" },
    { at: "2026-12-09T10:00:00Z", kind: "trial_end", label: "Trial end", eventId: "" },
    { at: "2027-01-09T11:00:00Z", kind: "failed", label: "Payment failed: active → past_due", eventId: "evt_3" },
  ],
};

describe("Timeline", () => {
  it("draws each status as a band, the one now highlighted, and numbers each point, linked to its event", () => {
    const { container } = render(<Timeline timeline={timeline as never} />);
    const spans = [...container.querySelectorAll("rect.span")];
    expect(spans.map((r) => r.getAttribute("class"))).toEqual(["span trialing", "span active", "span past_due now"]);
    expect(container.querySelector("p strong")!.textContent).toBe("Payment failed"); // past_due, said plainly
    // Two points at one moment stack instead of hiding each other.
    const circles = [...container.querySelectorAll("circle")].map((c) => [c.getAttribute("cx"), c.getAttribute("cy")]);
    expect(circles[1][0]).toBe(circles[2][0]);
    expect(circles[1][1]).not.toBe(circles[2][1]);
    // Points with an event link to it; the trial's end, a date of the subscription, does not.
    const links = [...container.querySelectorAll("svg a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual(["#/events/evt_1", "#/events/evt_2", "#/events/evt_3"]);
    expect([...container.querySelectorAll(".legend li")].map((li) => li.getAttribute("value"))).toEqual(["1", "2", "3", "4"]);
  });
});
