import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

// The generated binding stands for Go's Register, which rejects as Wails does, with the error's text.
const register = vi.fn();
vi.mock("../../wailsjs/go/main/App", () => ({ Register: (...a: unknown[]) => register(...a) }));

const { Register } = await import("./Register");

afterEach(() => {
  cleanup();
  register.mockReset();
});

/** reply is the text tollgate.ErrorReply makes of an error about several inputs. */
const reply = (fields: { field: string; message: string }[]) =>
  JSON.stringify({ message: fields.map((f) => f.message).join(" "), fields });

function fill(email: string, name: string, password: string) {
  fireEvent.input(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.input(screen.getByLabelText("Name"), { target: { value: name } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.submit(screen.getByRole("button", { name: "Create account" }).closest("form")!);
}

/** mistake is the message an input is described by, less its hint. */
function mistake(label: string): string | null {
  const input = screen.getByLabelText(label);
  const ids = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id.endsWith("-error"));
  return ids.length ? document.getElementById(ids[0])!.textContent : null;
}

describe("Register", () => {
  it("shows every mistake beside its field and keeps what was typed", async () => {
    register.mockRejectedValue(
      reply([
        { field: "email", message: '"ada@" is not an email address like ada@example.com.' },
        { field: "name", message: "Your name contains a control character (such as a tab, a line break or NUL); please remove it." },
        { field: "password", message: "Your password must be at least 8 bytes; yours has 5." },
      ]),
    );
    const onRegister = vi.fn();
    render(<Register onRegister={onRegister} />);
    fill("ada@", "Ada\u0000", "short");
    expect((await screen.findByRole("alert")).textContent).toBe("Please correct the 3 fields marked above.");
    expect(mistake("Email")).toBe('"ada@" is not an email address like ada@example.com.');
    expect(mistake("Name")).toContain("control character");
    expect(mistake("Password")).toBe("Your password must be at least 8 bytes; yours has 5.");
    for (const label of ["Email", "Name", "Password"]) {
      expect(screen.getByLabelText(label).getAttribute("aria-invalid")).toBe("true");
    }
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("ada@");
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Ada\u0000");
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("short");
    expect(document.activeElement).toBe(screen.getByLabelText("Email"));
    expect(onRegister).not.toHaveBeenCalled();
  });

  it("clears the marks that no longer apply when Go answers again", async () => {
    register.mockRejectedValueOnce(
      reply([
        { field: "name", message: "Please enter your name." },
        { field: "password", message: "Please choose a password." },
      ]),
    );
    render(<Register onRegister={vi.fn()} />);
    fill("ada@example.com", "", "");
    expect((await screen.findByRole("alert")).textContent).toBe("Please correct the 2 fields marked above.");
    expect(mistake("Email")).toBeNull();
    expect(mistake("Name")).toBe("Please enter your name.");

    register.mockRejectedValueOnce(reply([{ field: "password", message: "Please choose a password." }]));
    fill("ada@example.com", "Ada", "");
    await waitFor(() => expect(mistake("Name")).toBeNull());
    expect(mistake("Password")).toBe("Please choose a password.");
    expect(screen.getByRole("alert").textContent).toBe("Please correct the field marked above.");
  });

  it("shows a plain error in the alert, as before", async () => {
    register.mockRejectedValue("An account with this email already exists; log in instead.");
    render(<Register onRegister={vi.fn()} />);
    fill("ada@example.com", "Ada", "correct horse");
    expect((await screen.findByRole("alert")).textContent).toBe("An account with this email already exists; log in instead.");
    expect(mistake("Email")).toBeNull();
  });

  it("says the password's limits in bytes, the unit Go counts", () => {
    render(<Register onRegister={vi.fn()} />);
    const hint = document.getElementById(screen.getByLabelText("Password").getAttribute("aria-describedby")!)!;
    expect(hint.textContent).toMatch(/^8 to 72 bytes/);
  });
});
