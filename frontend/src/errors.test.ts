import { describe, expect, it } from "vitest";
import { errorText, fieldErrors } from "./errors";

describe("errors", () => {
  it("reads a plain rejection as the message itself", () => {
    expect(errorText("Email or password is incorrect.")).toBe("Email or password is incorrect.");
    expect(fieldErrors("Email or password is incorrect.")).toEqual([]);
    expect(errorText("{not JSON, just braces}")).toBe("{not JSON, just braces}");
    expect(errorText('{"other":"shape"}')).toBe('{"other":"shape"}');
  });

  it("reads a form's mistakes as Go's ErrorReply sends them", () => {
    const e = '{"message":"Please enter your name. Please choose a password.","fields":[{"field":"name","message":"Please enter your name."},{"field":"password","message":"Please choose a password."}]}';
    expect(errorText(e)).toBe("Please enter your name. Please choose a password.");
    expect(fieldErrors(e)).toEqual([
      { field: "name", message: "Please enter your name." },
      { field: "password", message: "Please choose a password." },
    ]);
  });

  it("shows what is not a string rather than hiding it", () => {
    expect(errorText(new Error("boom"))).toBe("boom");
    expect(errorText(42)).toBe("42");
  });
});
