import { Register as register } from "../../wailsjs/go/main/App";
import type { tollgate } from "../../wailsjs/go/models";
import { Field, Form } from "./Form";

export function Register(props: { onRegister: (u: tollgate.User) => void }) {
  return (
    <section class="narrow">
      <h1>Create an account</h1>
      <p class="lead">A local account on this machine. Stripe only learns about you when you subscribe.</p>
      <Form
        submit="Create account"
        onSubmit={async (f) =>
          props.onRegister(await register(String(f.get("email")), String(f.get("name")), String(f.get("password"))))
        }
      >
        <Field label="Email" name="email" type="email" autocomplete="username" />
        <Field label="Name" name="name" autocomplete="name" />
        {/* Bytes, bcrypt's unit, for both bounds: the limit of 72 is in bytes, so the hint cannot say characters. */}
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="new-password"
          hint="8 to 72 bytes: a letter, digit or space is one byte, an accented letter two, an emoji four."
        />
      </Form>
      <p class="aside">
        Already registered? <a href="#/login">Log in</a>.
      </p>
    </section>
  );
}
