import { useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { errorText } from "../errors";

/**
 * Form submits with Enter or the button, shows one clear error from Go, and
 * keeps what the person typed when the call fails.
 */
export function Form(props: { submit: string; onSubmit: (data: FormData) => Promise<void>; children: ComponentChildren }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await props.onSubmit(new FormData(e.currentTarget as HTMLFormElement));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={onSubmit} noValidate>
      {props.children}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? "Please wait…" : props.submit}
      </button>
    </form>
  );
}

export function Field(props: { label: string; name: string; type?: string; autocomplete?: string; hint?: string }) {
  const id = "f-" + props.name;
  return (
    <label for={id}>
      <span>{props.label}</span>
      <input id={id} name={props.name} type={props.type ?? "text"} autocomplete={props.autocomplete} />
      {props.hint && <small>{props.hint}</small>}
    </label>
  );
}
