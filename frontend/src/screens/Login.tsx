import { Login as login } from "../../wailsjs/go/main/App";
import type { tollgate } from "../../wailsjs/go/models";
import { Field, Form } from "./Form";

export function Login(props: { onLogin: (u: tollgate.User) => void }) {
  return (
    <section class="narrow">
      <h1>Log in</h1>
      <Form
        submit="Log in"
        onSubmit={async (f) => props.onLogin(await login(String(f.get("email")), String(f.get("password"))))}
      >
        <Field label="Email" name="email" type="email" autocomplete="username" />
        <Field label="Password" name="password" type="password" autocomplete="current-password" />
      </Form>
      <p class="aside">
        New here? <a href="#/register">Create an account</a>.
      </p>
    </section>
  );
}
