import { useEffect, useState } from "preact/hooks";
import { About, ResetSandbox, SaveStripeSettings, SetUpStripe, Stripe, StripeSettings } from "../../wailsjs/go/main/App";
import { settings, type lab, type main, type tollgate } from "../../wailsjs/go/models";
import { EventsOn } from "../../wailsjs/runtime/runtime";
import { DemoButton } from "../DemoButton";
import { Checklist } from "../Checklist";
import { errorText } from "../errors";
import { day } from "../format";
import { billingChanged, stripeState } from "../load";
import { Trouble } from "../Trouble";

const modes: Record<string, string> = {
  sandbox: "Offline sandbox (Tollgate's own Stripe emulator)",
  "external-sandbox": "A Stripe emulator at the API base below",
  stripe: "Your Stripe account, in test mode",
};

export function Settings(props: { user: tollgate.User }) {
  const [about, setAbout] = useState<main.About | null>(null);
  const [state, setState] = useState<lab.State | null>(null);
  const [form, setForm] = useState<settings.View | null>(null);
  const [error, setError] = useState("");
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([About(), Stripe(), StripeSettings()])
      .then(([a, s, f]) => {
        setAbout(a);
        setState(s);
        setForm(f);
      })
      .catch((e) => setError(errorText(e)));
    // The checklist moves while Go sets Stripe up, and when an event arrives.
    const refresh = () => Stripe().then(setState, (e) => setError(errorText(e)));
    const offs = [stripeState, billingChanged].map((name) => EventsOn(name, refresh));
    return () => offs.forEach((off) => off());
  }, []);

  const save = async (e: Event, clear: boolean) => {
    e.preventDefault();
    const f = new FormData((e.target as HTMLElement).closest("form")!);
    setBusy(true);
    setError("");
    setSaved("");
    try {
      const s = new settings.Form({
        secretKey: clear ? "" : String(f.get("secretKey") ?? ""),
        webhookSecret: clear ? "" : String(f.get("webhookSecret") ?? ""),
        ngrokAuthtoken: clear ? "" : String(f.get("ngrokAuthtoken") ?? ""),
        monthlyPrice: String(f.get("monthlyPrice") ?? ""),
        yearlyPrice: String(f.get("yearlyPrice") ?? ""),
        // A sandbox always uses test clocks and its switch is disabled (so absent
        // from the form): keep the choice saved for a Stripe account as it is.
        testClocks: sandbox ? (form?.testClocks ?? false) : f.get("testClocks") === "on",
      });
      setState(await SaveStripeSettings(s, clear));
      setSaved(clear ? "Keys removed: Tollgate uses its offline sandbox." : "Saved, and Stripe set up again with it.");
    } catch (err) {
      setError(errorText(err));
    }
    // Whatever happened, show the state and the form as Go now has them.
    try {
      const [st, f] = await Promise.all([Stripe(), StripeSettings()]);
      setState(st);
      setForm(f);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const retry = async () => {
    setBusy(true);
    setError("");
    setSaved("");
    try {
      setState(await SetUpStripe());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const [confirmReset, setConfirmReset] = useState(false);
  const reset = async () => {
    setBusy(true);
    setError("");
    setSaved("");
    try {
      setState(await ResetSandbox());
      setSaved("The sandbox is a new, empty Stripe account again, with the demo catalog. Your Tollgate account stays.");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setConfirmReset(false);
      setBusy(false);
    }
  };

  const fixed = (env: string) => form?.fromEnvironment.includes(env) ?? false;
  // Both sandbox modes put every new customer on a test clock; only a Stripe account makes it a choice.
  const sandbox = state !== null && state.mode !== "stripe";

  return (
    <section class="settings">
      <h1>Settings</h1>
      <h2>Your account</h2>
      <dl class="card facts">
        <dt>Name</dt>
        <dd class="words">{props.user.name}</dd>
        <dt>Email</dt>
        <dd>{props.user.email}</dd>
        <dt>Member since</dt>
        <dd>{day(props.user.createdAt)}</dd>
      </dl>

      <h2>Stripe</h2>
      {state && (
        <>
          <dl class="card facts" aria-label="Stripe status">
            <dt>Talking to</dt>
            <dd>{modes[state.mode] ?? state.mode}</dd>
            <dt>Account</dt>
            <dd>{state.account || "—"}</dd>
            <dt>Events arrive at</dt>
            <dd>{state.webhookSet && state.webhook ? <code>{state.webhook}</code> : "nowhere yet: see the checklist"}</dd>
            <dt>Test clocks</dt>
            <dd>{state.testClocks ? "each new customer gets one" : "off"}</dd>
            <dt>Billing</dt>
            <dd>{state.ready ? <span class="badge active">ready</span> : <span class="badge past_due">not ready: {state.error}</span>}</dd>
          </dl>
          <h3>Set-up</h3>
          <Checklist state={state} busy={busy} onRetry={retry} />
        </>
      )}
      {state?.mode === "sandbox" && <h3>Reset the sandbox</h3>}
      {state?.mode === "sandbox" && (
        <div class="card">
          <p class="muted">
            Resetting the sandbox wipes every customer, subscription, invoice and event, here and in the sandbox, as if
            you opened a new Stripe account. Accounts stay, so a class can start again.
          </p>
          {confirmReset ? (
            <div class="actions" role="group" aria-label="Confirm reset">
              <button class="danger" disabled={busy} onClick={reset}>
                {busy ? "Resetting…" : "Yes, erase all Stripe data"}
              </button>
              <button disabled={busy} onClick={() => setConfirmReset(false)}>
                Keep it
              </button>
            </div>
          ) : (
            <button onClick={() => setConfirmReset(true)}>Reset the sandbox…</button>
          )}
        </div>
      )}
      {state?.mode === "sandbox" && <h3>Simulate Stripe trouble</h3>}
      {state?.mode === "sandbox" && <Trouble />}
      {form && <h3>Keys and price ids</h3>}
      {form && (
        // Uncontrolled inputs keep what the person types across re-renders; the key
        // starts the form afresh when Go's stored values change.
        <form class="card form" key={JSON.stringify(form)} onSubmit={(e) => save(e, false)}>
          <p class="muted">
            Leave the key empty to use the offline sandbox. With your test key and an ngrok authtoken, Tollgate opens a
            tunnel and registers its webhook endpoint on your account itself. Environment variables win over what you
            save here. A saved secret is never shown again; leave its field empty to keep it.
          </p>
          <label for="f-secretKey">
            <span>Secret key (TEST_STRIPE_SECRET_KEY)</span>
            <input id="f-secretKey" name="secretKey" type="password" autocomplete="off" disabled={fixed("TEST_STRIPE_SECRET_KEY")}
              placeholder={form.secretKeySet ? `set: ${form.secretKeyHint}` : "sk_test_…"} />
          </label>
          <label for="f-webhookSecret">
            <span>Webhook signing secret (TEST_STRIPE_WEBHOOK_SECRET)</span>
            <input id="f-webhookSecret" name="webhookSecret" type="password" autocomplete="off" disabled={fixed("TEST_STRIPE_WEBHOOK_SECRET")}
              placeholder={form.webhookSecretSet ? "set" : "whsec_… (printed by stripe listen; not needed with an ngrok authtoken)"} />
          </label>
          <label for="f-ngrokAuthtoken">
            <span>ngrok authtoken (NGROK_AUTHTOKEN)</span>
            <input id="f-ngrokAuthtoken" name="ngrokAuthtoken" type="password" autocomplete="off" disabled={fixed("NGROK_AUTHTOKEN")}
              placeholder={form.ngrokAuthtokenSet ? "set" : "from dashboard.ngrok.com (only with your own Stripe account)"} />
          </label>
          <label for="f-monthlyPrice">
            <span>Monthly price id (TEST_MONTHLY_PRICE_ID)</span>
            <input id="f-monthlyPrice" name="monthlyPrice" defaultValue={form.monthlyPrice} disabled={fixed("TEST_MONTHLY_PRICE_ID")} placeholder="price_… (found by lookup key when empty)" />
          </label>
          <label for="f-yearlyPrice">
            <span>Yearly price id (TEST_YEARLY_PRICE_ID)</span>
            <input id="f-yearlyPrice" name="yearlyPrice" defaultValue={form.yearlyPrice} disabled={fixed("TEST_YEARLY_PRICE_ID")} placeholder="price_…" />
          </label>
          {sandbox ? (
            <label class="switch" key="sandbox">
              <input type="checkbox" role="switch" name="testClocks" checked disabled />
              <span>
                Put new customers on a test clock <small>(the sandbox always does; with your own Stripe account it is your choice)</small>
              </span>
            </label>
          ) : (
            <label class="switch" key="stripe">
              <input type="checkbox" role="switch" name="testClocks" defaultChecked={form.testClocks} />
              <span>Put new customers on a test clock</span>
            </label>
          )}
          {error && <p class="error" role="alert">{error}</p>}
          {saved && <p class="note" role="status">{saved}</p>}
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? "Setting up Stripe…" : "Save"}
            </button>
            <button type="button" disabled={busy || !(form.secretKeySet || form.webhookSecretSet || form.ngrokAuthtokenSet)} onClick={(e) => save(e, true)}>
              Remove keys, use the sandbox
            </button>
          </div>
        </form>
      )}

      <h2>This Tollgate</h2>
      {about && (
        <dl class="card facts">
          <dt>Version</dt>
          <dd>{about.version}</dd>
          <dt>Running as</dt>
          <dd>{about.face === "serve" ? "tollgate serve (browser)" : "desktop window"}</dd>
          <dt>Data folder</dt>
          <dd>
            <code>{about.dataDir}</code>
          </dd>
          <dt>Database</dt>
          <dd>
            <code>{about.database}</code> (schema {about.schemaVersion})
          </dd>
        </dl>
      )}
      <DemoButton />
    </section>
  );
}
