import { useEffect, useState } from "preact/hooks";
import type { billing } from "../wailsjs/go/models";
import { when } from "./format";

/** The one-click moves to what the subscription has coming; the rest are steps. */
const toEvents = new Set(["trial_end", "renewal", "retry", "period_end"]);

/**
 * Clock shows the customer's test clock, what time it is there, and the ways
 * to move it: steps of a day to a year, and one click to the trial's end, the
 * next renewal, the next retry or past the period end, each landing just
 * after it happens. A move that cannot be made now says why.
 */
export function Clock(props: { clock: billing.ClockView; moving: billing.ClockMove | null; disabled: boolean; onMove: (m: billing.ClockMove) => void }) {
  const { clock, moving } = props;
  const steps = clock.moves.filter((m) => !toEvents.has(m.id));
  const events = clock.moves.filter((m) => toEvents.has(m.id));
  return (
    <article class="card clock" aria-label="Test clock">
      <h2>Test clock</h2>
      <p class="now">
        It is <strong>{when(clock.now)}</strong> on your customer's clock <code class="id">{clock.id}</code>.
      </p>
      <p class="muted">
        Move it forward to see a trial end, a renewal, a failed payment or a cancellation happen now instead of next
        month. As in Stripe, a renewal invoice is drafted when the period ends and charged about an hour later.
      </p>
      <div class="actions steps">
        {steps.map((m) => (
          <button disabled={props.disabled || m.why !== ""} title={m.why || `To ${when(m.to)}`} onClick={() => props.onMove(m)}>
            {m.label}
          </button>
        ))}
      </div>
      {steps.some((m) => m.why) && <p class="muted small">{steps.find((m) => m.why)!.why}</p>}
      <ul class="moves">
        {events.map((m) => (
          <li data-move={m.id}>
            <button disabled={props.disabled || m.why !== ""} onClick={() => props.onMove(m)}>
              {m.label}
            </button>
            <span class="muted">{m.why || `lands ${when(m.to)}`}</span>
          </li>
        ))}
      </ul>
      {moving && <Progress to={moving} />}
    </article>
  );
}

/** Progress shows that the clock is moving, and for how long: in Stripe it takes seconds. */
function Progress(props: { to: billing.ClockMove }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setSeconds((s) => s + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <div class="moving" role="status">
      <progress aria-label="Moving the clock" />
      <span>
        Moving the clock to {when(props.to.to)}: Stripe runs everything that falls due on the way
        {seconds > 0 && ` (${seconds} s)`}…
      </span>
    </div>
  );
}
