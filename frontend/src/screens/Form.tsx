import { createContext } from "preact";
import { useContext, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { errorText, fieldErrors } from "../errors";

/** What Go said about each input, by the input's name, for the Fields of one Form. */
const Mistakes = createContext<Record<string, string>>({});

/**
 * Form submits with Enter or the button, shows Go's error, and keeps what the
 * person typed when the call fails. When Go names several inputs at once
 * (tollgate.FieldError), each message goes beside its input, and the alert
 * under the form says how many to correct.
 */
export function Form(props: { submit: string; onSubmit: (data: FormData) => Promise<void>; children: ComponentChildren }) {
  const [error, setError] = useState("");
  const [mistakes, setMistakes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    setBusy(true);
    setError("");
    setMistakes({});
    try {
      await props.onSubmit(new FormData(form));
    } catch (err) {
      // A message for an input this form lacks is not lost: it joins the alert.
      const placed: Record<string, string> = {};
      const unplaced: string[] = [];
      for (const f of fieldErrors(err)) {
        if (form.elements.namedItem(f.field) && !(f.field in placed)) placed[f.field] = f.message;
        else unplaced.push(f.message);
      }
      const n = Object.keys(placed).length;
      setMistakes(placed);
      setError(n === 0 ? errorText(err) : [n === 1 ? "Please correct the field marked above." : `Please correct the ${n} fields marked above.`, ...unplaced].join(" "));
      if (n > 0) (form.elements.namedItem(Object.keys(placed)[0]) as HTMLElement | null)?.focus?.();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={onSubmit} noValidate>
      <Mistakes.Provider value={mistakes}>{props.children}</Mistakes.Provider>
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

/** Field is one labelled input; Go's message about it, if any, shows under it. */
export function Field(props: { label: string; name: string; type?: string; autocomplete?: string; hint?: string }) {
  const id = "f-" + props.name;
  const mistake = useContext(Mistakes)[props.name];
  const described = [mistake && id + "-error", props.hint && id + "-hint"].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        autocomplete={props.autocomplete}
        aria-invalid={mistake ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {mistake && (
        <small class="field-error" id={id + "-error"}>
          {mistake}
        </small>
      )}
      {props.hint && <small id={id + "-hint"}>{props.hint}</small>}
    </div>
  );
}
