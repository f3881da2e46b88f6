import { useState } from "preact/hooks";
import { ManageBilling, MoveClock, Plans as loadPlans, Subscribe, SwitchPlan } from "../../wailsjs/go/main/App";
import type { billing, tollgate } from "../../wailsjs/go/models";
import { BrowserOpenURL } from "../../wailsjs/runtime/runtime";
import { errorText } from "../errors";
import { Clock } from "../Clock";
import { Timeline } from "../Timeline";
import { day, invoiceStatus, money, per, planName, statusLabel, when } from "../format";
import { useLoad } from "../load";
import { openStripePage } from "../stripePage";

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
  const switchTo = (plan: string) =>
    act(plan, async () => {
      const r = await SwitchPlan(plan);
      open(r.url, setNotice, "The Billing Portal, on its plan change,");
    });
  const manage = () =>
    act("portal", async () => {
      const r = await ManageBilling();
      open(r.url, setNotice, "The Billing Portal");
    });
  // The subscription that still runs, if any: while it does, the other plan is a switch, not a second purchase.
  const live = data?.subscriptions.find((s) => liveStatuses.includes(s.status));
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
            {data.prices.map((p) => {
              const mine = live && (live.priceId === p.id || (!live.priceId && live.interval === p.interval));
              return (
                <article class={"card plan" + (mine ? " mine" : "")} aria-label={`${planName(p.interval)} plan`}>
                  <h2>
                    {p.plan === "monthly" ? "Monthly" : "Yearly"}
                    {mine && <span class="badge mine">Your plan</span>}
                  </h2>
                  <p class="price">
                    {money(p.amount, p.currency)} <span>{per(p.interval)}</span>
                  </p>
                  <p class="muted">{p.product}</p>
                  {mine ? (
                    <p class="hint">This is your current plan.</p>
                  ) : live ? (
                    <>
                      <button disabled={busy !== ""} onClick={() => switchTo(p.plan)}>
                        {busy === p.plan ? "Opening the portal…" : `Switch to ${p.plan}`}
                      </button>
                      <p class="hint">
                        Opens the Billing Portal: Stripe shows what switching costs (a credit for your plan's unused time,
                        the new plan billed from today) and switches once you confirm.
                      </p>
                    </>
                  ) : (
                    <button class="primary" disabled={busy !== ""} onClick={() => subscribe(p.plan)}>
                      {busy === p.plan ? "Opening Checkout…" : `Subscribe ${p.plan}`}
                    </button>
                  )}
                </article>
              );
            })}
          </div>
          {!live && (
            <label class="switch">
              <input type="checkbox" role="switch" checked={trial} onChange={(e) => setTrial((e.target as HTMLInputElement).checked)} />
              <span>{data.trialDays}-day free trial</span>
            </label>
          )}
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

/** The statuses in which a subscription still runs, as Go's Subscription.Live has them. */
const liveStatuses = ["trialing", "active", "past_due", "unpaid", "incomplete", "paused"];

function Current(props: { subs: tollgate.Subscription[]; onManage: () => void; busy: boolean }) {
  return (
    <article class="card current">
      <h2>Your subscription</h2>
      {props.subs.map((s, i) => (
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
          {i === 0 && s.latestInvoice?.id && <LatestInvoice invoice={s.latestInvoice} />}
        </div>
      ))}
      <button onClick={props.onManage} disabled={props.busy}>
        {props.busy ? "Opening…" : "Manage billing"}
      </button>
    </article>
  );
}

const reasons: Record<string, string> = {
  subscription_create: "the subscription's first invoice",
  subscription_cycle: "a renewal",
  subscription_update: "a plan change",
};

/** LatestInvoice shows what Stripe last billed the subscription, as its invoice says it. */
function LatestInvoice({ invoice: inv }: { invoice: tollgate.Invoice }) {
  const m = (amount: number) => money(amount, inv.currency);
  const reason = reasons[inv.billingReason];
  return (
    <section class="invoice" aria-label="Latest invoice">
      <h3>
        Latest invoice{inv.number && <span class="muted"> {inv.number}</span>}
        <span class={"badge " + inv.status}>{invoiceStatus(inv.status)}</span>
      </h3>
      {inv.billingReason && (
        <p class="hint">
          Billing reason <code>{inv.billingReason}</code>
          {reason && `: ${reason}`}.
        </p>
      )}
      <table class="lines">
        <tbody>
          {(inv.lines ?? []).map((l) => (
            <tr>
              <td>
                {l.description}
                {l.proration && <span class="badge">proration</span>}
              </td>
              <td class="num">{m(l.amount)}</td>
            </tr>
          ))}
          {(inv.discounts ?? []).map((d) => (
            <tr class="discount">
              <td>{d.name}</td>
              <td class="num">−{m(d.amount)}</td>
            </tr>
          ))}
          <tr class="total">
            <td>Total</td>
            <td class="num">{m(inv.total)}</td>
          </tr>
          <tr class="total">
            <td>{inv.status === "paid" ? "Paid" : inv.status === "draft" ? "To pay when it is finalized" : "Due"}</td>
            <td class="num">{m(inv.status === "paid" ? inv.amountPaid : inv.amountRemaining)}</td>
          </tr>
        </tbody>
      </table>
      {inv.total < 0 && <p class="hint">The credit is more than the charge: Stripe keeps the rest on your balance for the next invoices.</p>}
      {inv.status === "draft" && <p class="hint">A renewal invoice stays a draft for about an hour; then Stripe finalizes and charges it.</p>}
      {inv.hostedUrl && (
        <p>
          <a
            href={inv.hostedUrl}
            target="_blank"
            rel="noopener"
            onClick={(e) => {
              e.preventDefault();
              openStripePage(inv.hostedUrl);
            }}
          >
            View the invoice on Stripe
          </a>{" "}
          <span class="muted">(its hosted invoice page)</span>
        </p>
      )}
    </section>
  );
}

