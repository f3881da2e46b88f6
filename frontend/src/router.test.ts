import { describe, expect, it } from "vitest";
import { guard, parse } from "./router";

describe("parse", () => {
  it("reads known screens from the hash", () => {
    expect(parse("#/plans")).toBe("plans");
    expect(parse("#/settings?x=1")).toBe("settings");
    expect(parse("#premium")).toBe("premium");
    expect(parse("#/lessons")).toBe("lessons");
  });
  it("sends anything else home", () => {
    expect(parse("")).toBe("home");
    expect(parse("#/")).toBe("home");
    expect(parse("#/nowhere")).toBe("home");
    expect(parse("#/constructor")).toBe("home");
  });
});

describe("guard", () => {
  it("sends a logged-out person to log in from every private screen", () => {
    for (const s of ["plans", "access", "premium", "events", "lessons", "settings"] as const) expect(guard(s, false)).toBe("login");
  });
  it("lets a logged-out person see the public screens", () => {
    for (const s of ["home", "login", "register"] as const) expect(guard(s, false)).toBe(s);
  });
  it("sends a logged-in person from the public screens to Plans", () => {
    for (const s of ["home", "login", "register"] as const) expect(guard(s, true)).toBe("plans");
    expect(guard("premium", true)).toBe("premium");
  });
});
