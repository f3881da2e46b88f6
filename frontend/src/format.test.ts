import { describe, expect, it } from "vitest";
import { day, money, per, statusLabel, when } from "./format";

describe("money", () => {
  it("formats the smallest unit in its currency", () => {
    expect(money(900, "gbp")).toBe("£9.00");
    expect(money(9000, "gbp")).toBe("£90.00");
    expect(money(-435, "gbp")).toBe("−£4.35"); // a proration credit
    expect(money(810, "usd")).toBe("US$8.10");
  });
  it("falls back for a currency Intl does not know", () => {
    expect(money(150, "zzzz")).toBe("1.50 ZZZZ");
  });
});

describe("day and when", () => {
  it("format Go times in UTC", () => {
    expect(day("2026-12-03T22:18:58Z")).toBe("3 Dec 2026");
    expect(when("2026-12-03T22:18:58Z")).toContain("22:18:58");
  });
  it("treat Go's zero time and nonsense as absent", () => {
    expect(day("0001-01-01T00:00:00Z")).toBe("");
    expect(day(undefined)).toBe("");
    expect(day("yesterday")).toBe("");
    expect(when("0001-01-01T00:00:00Z")).toBe("");
  });
});

describe("labels", () => {
  it("name statuses and intervals in plain words", () => {
    expect(statusLabel("past_due")).toBe("Payment failed");
    expect(statusLabel("something_new")).toBe("something_new");
    expect(per("month")).toBe("per month");
    expect(per("year")).toBe("per year");
  });
});
