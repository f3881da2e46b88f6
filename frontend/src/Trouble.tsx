import { useEffect, useState } from "preact/hooks";
import { SimulateStripeTrouble, StopStripeTrouble, StripeTrouble } from "../wailsjs/go/main/App";
import type { fault } from "../wailsjs/go/models";
import { errorText } from "./errors";

/** The calls a learner can make Stripe fail on, as fault specs name them (tollgate sandbox --fault). */
const calls: [string, string][] = [
  ["POST /v1/checkout/sessions", "Create a Checkout Session (Subscribe)"],
  ["POST /v1/customers", "Create a customer (first Subscribe)"],
  ["POST /v1/billing_portal/sessions", "Open the Billing Portal"],
  ["GET /v1/", "Every read (GET)"],
  ["/v1/", "Every call"],
];

const kinds: [string, string][] = [
  ["500", "500: Stripe's servers fail"],
  ["429", "429: too many requests, retry after 1 s"],
  ["slow", "Slow: the answer takes 5 s"],
  ["drop", "Dropped: the work is done, the answer is lost"],
];

const counts: [string, string][] = [
  ["1", "the next call"],
  ["2", "the next 2 calls"],
  ["3", "the next 3 calls"],
  ["0", "until I stop it"],
];

/**
 * Trouble lets a learner make the offline sandbox fail as Stripe sometimes
 * does, and see what Tollgate does about it: tries again with the same
 * Idempotency-Key where that is safe, and says so plainly when Stripe stays down.
 */
export function Trouble() {
  const [active, setActive] = useState<fault.Active[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [call, setCall] = useState(calls[0][0]);
  const [kind, setKind] = useState(kinds[0][0]);
  const [times, setTimes] = useState("3");

  useEffect(() => {
    StripeTrouble().then(setActive, (e) => setError(errorText(e)));
  }, []);

  const run = async (f: () => Promise<fault.Active[]>) => {
    setBusy(true);
    setError("");
    try {
      setActive(await f());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const start = (e: Event) => {
    e.preventDefault();
    // The spec is what `tollgate sandbox --fault` takes, so the one shown can be copied there.
    const spec = `${call} ${kind}${times === "0" ? "" : " x" + times}`;
    return run(() => SimulateStripeTrouble(spec));
  };
  const pick = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLSelectElement).value);

  return (
    <form class="card form trouble" aria-label="Simulate Stripe trouble" onSubmit={start}>
      <p class="muted">
        Make the sandbox fail as Stripe now and then does. Tollgate tries a failed call twice more, with the same
        Idempotency-Key, so nothing is done twice; if Stripe stays down you see a message instead. Each try shows in
        Events, under Stripe calls.
      </p>
      <label for="t-call">
        <span>The call</span>
        <select id="t-call" value={call} onChange={pick(setCall)}>
          {calls.map(([v, label]) => (
            <option value={v}>{label}</option>
          ))}
        </select>
      </label>
      <label for="t-kind">
        <span>The trouble</span>
        <select id="t-kind" value={kind} onChange={pick(setKind)}>
          {kinds.map(([v, label]) => (
            <option value={v}>{label}</option>
          ))}
        </select>
      </label>
      <label for="t-times">
        <span>For</span>
        <select id="t-times" value={times} onChange={pick(setTimes)}>
          {counts.map(([v, label]) => (
            <option value={v}>{label}</option>
          ))}
        </select>
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      {active.length > 0 && (
        <ul class="faults" aria-label="Trouble in force">
          {active.map((a) => (
            <li>
              <code>{a.spec}</code>{" "}
              <span class="muted">
                · {a.left < 0 ? "until stopped" : a.left === 1 ? "1 more call" : `${a.left} more calls`} · hit {a.hit === 1 ? "once" : `${a.hit} times`}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Start the trouble
        </button>
        <button type="button" disabled={busy || active.length === 0} onClick={() => run(StopStripeTrouble)}>
          Stop all trouble
        </button>
      </div>
    </form>
  );
}
