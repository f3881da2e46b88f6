import { useEffect, useState } from "preact/hooks";
import { DeliveryChaos as loadChaos, SetDeliveryChaos } from "../wailsjs/go/main/App";
import { lab } from "../wailsjs/go/models";
import { errorText } from "./errors";
import { stripeState, useLoad } from "./load";

/**
 * Seconds an outage lasts unless the learner says otherwise: the sandbox's
 * first attempt and its retries 1 s and 6 s later are refused, and the
 * next, 36 s in, gets through.
 */
const defaultOutage = 20;

/**
 * DeliveryChaos is the Events screen's panel of switches that make the
 * sandbox deliver webhooks badly on purpose, and take Tollgate's endpoint
 * down for a while: the effects show in the list below it.
 */
export function DeliveryChaos() {
  const { data, error, setData } = useLoad(loadChaos, [stripeState]);
  const [failed, setFailed] = useState("");
  const [outage, setOutage] = useState(defaultOutage);
  // Open while chaos is on, until the learner folds or unfolds it; then theirs.
  const [shown, setShown] = useState<boolean | null>(null);
  const left = useCountdown(data?.outageUntil);
  if (error) return null; // not logged in or not set up: the screen says so already
  if (!data) return null;
  if (!data.available) {
    return (
      <p class="muted chaos-off" aria-label="Delivery chaos">
        {data.reason}
      </p>
    );
  }
  const set = async (change: Partial<lab.Chaos>) => {
    try {
      setData(await SetDeliveryChaos(lab.Chaos.createFrom({ ...data, outageSeconds: 0, endOutage: false, ...change })));
      setFailed("");
    } catch (e) {
      setFailed(errorText(e));
    }
  };
  const on = data.delaySeconds > 0 || data.duplicate || data.reorder || data.drop || left > 0;
  return (
    <details class={"card chaos" + (on ? " on" : "")} aria-label="Delivery chaos" open={shown ?? on}
      onToggle={(e) => setShown((e.target as HTMLDetailsElement).open)}>
      <summary>
        <strong>Delivery chaos</strong> <span class="muted">(sandbox only)</span>
        {on && <span class="badge pending">on</span>}
      </summary>
      <p class="muted">
        Stripe does not promise that events arrive once, on time or in order. Make the sandbox deliver badly, then subscribe
        or cancel and watch the list below: duplicates are skipped by their id, late and out-of-order events change nothing
        because Tollgate re-reads Stripe, and Access ends right.
      </p>
      <div class="chaos-switches">
        <label class="switch">
          <input type="checkbox" role="switch" checked={data.delaySeconds > 0} onChange={(e) => set({ delaySeconds: (e.target as HTMLInputElement).checked ? 5 : 0 })} />
          <span>Delay each event 5 s</span>
        </label>
        <label class="switch">
          <input type="checkbox" role="switch" checked={data.duplicate} onChange={(e) => set({ duplicate: (e.target as HTMLInputElement).checked })} />
          <span>Duplicate: send each event twice</span>
        </label>
        <label class="switch">
          <input type="checkbox" role="switch" checked={data.reorder} onChange={(e) => set({ reorder: (e.target as HTMLInputElement).checked })} />
          <span>Reorder: newest first</span>
        </label>
        <label class="switch">
          <input type="checkbox" role="switch" checked={data.drop} onChange={(e) => set({ drop: (e.target as HTMLInputElement).checked })} />
          <span>Drop every other event, redeliver after {data.redeliverSeconds} s</span>
        </label>
      </div>
      <div class="chaos-outage">
        {left > 0 ? (
          <>
            <span role="status">
              Tollgate's endpoint answers <strong>503</strong> for {left} s more; the sandbox retries on its schedule.
            </span>{" "}
            <button class="small" onClick={() => set({ endOutage: true })}>
              End the outage
            </button>
          </>
        ) : (
          <>
            <label>
              Take the endpoint down for{" "}
              <input type="number" min={1} max={600} value={outage} aria-label="Outage seconds" onInput={(e) => setOutage(Number((e.target as HTMLInputElement).value))} />{" "}
              s
            </label>{" "}
            <button class="small" onClick={() => set({ outageSeconds: outage })}>
              Start the outage
            </button>
          </>
        )}
      </div>
      {failed && (
        <p class="error" role="alert">
          {failed}
        </p>
      )}
    </details>
  );
}

/** useCountdown is the whole seconds left until a Go time, ticking each second; 0 once past or when there is none. */
function useCountdown(until: string | undefined): number {
  const [, tick] = useState(0);
  const end = until && !until.startsWith("0001-") ? new Date(until).getTime() : 0;
  useEffect(() => {
    if (end <= Date.now()) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [end]);
  return Math.max(0, Math.ceil((end - Date.now()) / 1000));
}
