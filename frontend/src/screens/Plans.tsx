import { useState } from "preact/hooks";
import { ManageBilling, MoveClock, Plans as loadPlans, Subscribe } from "../../wailsjs/go/main/App";
import type { billing, tollgate } from "../../wailsjs/go/models";
import { BrowserOpenURL } from "../../wailsjs/runtime/runtime";
import { errorText } from "../errors";
import { Clock } from "../Clock";
import { Timeline } from "../Timeline";
import { day, money, per, statusLabel, when } from "../format";
import { useLoad } from "../load";

/** open sends the person to Stripe: the system browser from the window, this tab in serve mode. */
function open(url: string, setNotice: (n: string) => void, what: string) {
  setNotice(`${what} opened in your browser. Finish there; this screen updates by itself. If nothing opened, use this link: ${url}`);
  BrowserOpenURL(url);
}

export function Plans() {
  const { data, error, setData } = useLoad(loadPlans);
  const [trial, setTrial] = useState(true);
  const [busy, setBusy] = useState("");
  const [notice, setNotice] = useState("");
  const [failure, setFailure] = useState("");

  const act = async (name: string, f: () => Promise<void>) => {
    setBusy(name);
    setFailure("");
    setNotice("");
    try {
      await f();
    } catch (e) {
      setFailure(errorText(e));
    } finally {
      setBusy("");
    }
  };
  const subscribe = (plan: string) =>
    act(plan, async () => {
      const r = await Subscribe(plan, trial);
      open(r.url, setNotice, r.portal ? "You already subscribe, so the Billing Portal" : "Stripe Checkout");
    });
  const manage = () =>
    act("portal", async () => {
      const r = await ManageBilling();
      open(r.url, setNotice, "The Billing Portal");
    });
  const [moving, setMoving] = useState<billing.ClockMove | null>(null);
  const move = (m: billing.ClockMove) =>
    act("clock", async () => {
      setMoving(m);
      try {
        setData(await MoveClock(m.id));
        setNotice(`The test clock moved to ${when(m.to)}; Stripe ran everything that fell due.`);
      } finally {
        setMoving(null);
      }
    });

  return (
    <section>
      <h1>Plans</h1>
      <p class="lead">
        Each plan is a Stripe Price on one Product. Subscribing opens Stripe Checkout in subscription mode; Stripe then
        tells Tollgate what happened through the webhook.
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {failure && <p class="error" role="alert">{failure}</p>}
      {notice && <p class="note" role="status">{notice}</p>}
      {data && (
        <>
          {data.subscriptions.length > 0 && <Current subs={data.subscriptions} onManage={manage} busy={busy === "portal"} />}
          {data.timeline.subscription && <Timeline timeline={data.timeline} />}
          <div class="grid">
            {data.prices.map((p) => (
              <article class="card plan">
                <h2>{p.plan === "monthly" ? "Monthly" : "Yearly"}</h2>
                <p class="price">
                  {money(p.amount, p.currency)} <span>{per(p.interval)}</span>
                </p>
                <p class="muted">{p.product}</p>
                <button class="primary" disabled={busy !== ""} onClick={() => subscribe(p.plan)}>
                  {busy === p.plan ? "Opening Checkout…" : `Subscribe ${p.plan}`}
                </button>
              </article>
            ))}
          </div>
          <label class="switch">
            <input type="checkbox" role="switch" checked={trial} onChange={(e) => setTrial((e.target as HTMLInputElement).checked)} />
            <span>{data.trialDays}-day free trial</span>
          </label>
          <p class="muted">
            Checkout accepts promotion codes
            {data.promotion && (
              <>
                : try <code>{data.promotion}</code> for 10% off
              </>
            )}
            . Test cards: <code>4242 4242 4242 4242</code> pays, <code>4000 0000 0000 0002</code> is declined,{" "}
            <code>4000 0000 0000 0341</code> is accepted but fails at renewal.
          </p>
          {data.clock.id && <Clock clock={data.clock} moving={moving} disabled={busy !== ""} onMove={move} />}
        </>
      )}
    </section>
  );
}

function Current(props: { subs: tollgate.Subscription[]; onManage: () => void; busy: boolean }) {
  return (
    <article class="card current">
      <h2>Your subscription</h2>
      {props.subs.map((s) => (
        <div class="sub">
          <span class={"badge " + s.status}>{statusLabel(s.status)}</span>{" "}
          <strong>{s.interval === "year" ? "Yearly" : "Monthly"}</strong>
          <ul class="facts-inline">
            {s.status === "trialing" && day(s.trialEnd) && <li>Trial ends {when(s.trialEnd)}</li>}
            {s.status !== "canceled" && day(s.currentPeriodEnd) && (
              <li>{s.cancelAtPeriodEnd ? `Ends ${when(s.currentPeriodEnd)} (canceled at period end)` : `Renews ${when(s.currentPeriodEnd)}`}</li>
            )}
            {s.status === "past_due" && day(s.nextPaymentAttempt) && <li>Next payment attempt {when(s.nextPaymentAttempt)}</li>}
            {s.status === "canceled" && day(s.endedAt) && <li>Ended {when(s.endedAt)}</li>}
            <li>
              <code>{s.stripeId}</code>
            </li>
          </ul>
        </div>
      ))}
      <button onClick={props.onManage} disabled={props.busy}>
        {props.busy ? "Opening…" : "Manage billing"}
      </button>
    </article>
  );
}

