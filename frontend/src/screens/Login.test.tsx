import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";

// The generated binding is the only way to Go; here it stands for a Go method that rejects, as Wails does, with the error text.
const login = vi.fn();
vi.mock("../../wailsjs/go/main/App", () => ({ Login: (...a: unknown[]) => login(...a) }));

const { Login } = await import("./Login");

afterEach(() => {
  cleanup();
  login.mockReset();
});

function fill(email: string, password: string) {
  fireEvent.input(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.submit(screen.getByRole("button", { name: "Log in" }).closest("form")!);
}

describe("Login", () => {
  it("shows the error Go returns and keeps what was typed", async () => {
    login.mockRejectedValue("Email or password is incorrect.");
    const onLogin = vi.fn();
    render(<Login onLogin={onLogin} />);
    fill("ada@example.com", "wrong password");
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "Email or password is incorrect.");
    expect(login).toHaveBeenCalledWith("ada@example.com", "wrong password");
    expect(onLogin).not.toHaveBeenCalled();
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("ada@example.com");
  });

  it("hands the user on and shows no error on success", async () => {
    const user = { id: 1, email: "ada@example.com", name: "Ada" };
    login.mockResolvedValue(user);
    const onLogin = vi.fn();
    render(<Login onLogin={onLogin} />);
    fill("ada@example.com", "correct horse");
    await waitFor(() => expect(onLogin).toHaveBeenCalledWith(user));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
