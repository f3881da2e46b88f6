import { useCallback, useEffect, useState } from "preact/hooks";
import { EventPayload, Events as loadEvents, ReplayEvent, StripeCalls } from "../../wailsjs/go/main/App";
import type { calls, main, webhook } from "../../wailsjs/go/models";
import { errorText } from "../errors";
import { when } from "../format";
import { JsonTree } from "../JsonTree";
import { billingChanged, stripeState, useLoad } from "../load";
import { DeliveryChaos } from "../DeliveryChaos";

const reloadOn = [billingChanged, stripeState];

export function Events() {
  const [tab, setTab] = useState<"events" | "calls">("events");
  return (
    <section>
      <h1>Events</h1>
      <div class="tabs" role="tablist" aria-label="What to show">
        <button role="tab" aria-selected={tab === "events"} class={tab === "events" ? "active" : ""} onClick={() => setTab("events")}>
          Webhook events
        </button>
        <button role="tab" aria-selected={tab === "calls"} class={tab === "calls" ? "active" : ""} onClick={() => setTab("calls")}>
          Stripe calls
        </button>
      </div>
      {tab === "events" ? <WebhookEvents /> : <Calls />}
    </section>
  );
}

/** breakAt lets a long token wrap before each sep (an event type's dots, a path's slashes), never inside a word. */
function breakAt(text: string, sep: string) {
  return text.split(sep).flatMap((part, i) => (i === 0 ? [part] : [<wbr />, sep + part]));
}

const breakable = (type: string) => breakAt(type, ".");

/** focused is the event the address names (#/events/evt_…), as the Plans timeline links to. */
function focused(): string {
  return window.location.hash.split("/")[2] ?? "";
}

function WebhookEvents() {
  const [all, setAll] = useState(false);
  const load = useCallback(() => loadEvents(all), [all]);
  const { data, error, reload } = useLoad(load, reloadOn);
  // The open event's id and its body (or why it could not be read).
  const [open, setOpen] = useState<{ id: string; body: string } | null>(null);
  const [replayed, setReplayed] = useState<{ id: string; text: string } | null>(null);
  const focus = focused();
  useEffect(() => {
    if (focus) document.querySelector(`tr[data-event="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: "center" });
  }, [focus, data]);
  const toggle = async (id: string) => {
    if (open?.id === id) return setOpen(null);
    try {
      setOpen({ id, body: await EventPayload(id) });
    } catch (e) {
      setOpen({ id, body: errorText(e) });
    }
  };
  const replay = async (id: string) => {
    try {
      const r = await ReplayEvent(id);
      setReplayed({ id, text: replayText(r) });
      reload(); // the skipped redelivery is now on the event
    } catch (e) {
      setReplayed({ id, text: errorText(e) });
    }
  };
  return (
    <>
      <p class="lead">
        Stripe tells Tollgate about every change by webhook at <code>/payments/event</code>. Each delivery's signature is
        verified and the event recorded; for the events that matter, Tollgate then re-reads the customer from Stripe
        rather than trusting the event's order or contents. Each line says what the event means and what Tollgate did.
      </p>
      <label class="switch">
        <input type="checkbox" role="switch" aria-label="All users" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} />
        <span>All users (and events about no customer, such as the catalog's)</span>
      </label>
      <DeliveryChaos />
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.refusals.length > 0 && <Refusals refusals={data.refusals} />}
      {data && data.events.length === 0 && (
        <p class="note">{all ? "No events yet." : "No events about you yet. Subscribe on Plans and they will appear here."}</p>
      )}
      {data && data.events.length > 0 && (
        <table class="card events" aria-label="Webhook events">
          <thead>
            <tr>
              <th>Stripe's time</th>
              <th>Received</th>
              <th>Type</th>
              <th>Concerns</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {data.events.map((row) => (
              <EventLine row={row} focus={row.event.id === focus} open={open?.id === row.event.id ? open.body : null} replayed={replayed?.id === row.event.id ? replayed.text : ""}
                onToggle={() => toggle(row.event.id)} onReplay={() => replay(row.event.id)} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function replayText(r: webhook.Replayed): string {
  if (r.duplicate) return `Sent again, as Stripe redelivers: the endpoint answered ${r.status} “${r.reply}”. Tollgate knew the id and skipped it: nothing was applied twice.`;
  return `Sent again: the endpoint answered ${r.status} “${r.reply}”.`;
}

function EventLine(props: { row: main.EventRow; focus: boolean; open: string | null; replayed: string; onToggle: () => void; onReplay: () => void }) {
  const { event: e, explanation: x } = props.row;
  const outcome = e.outcome === "ignored" && !x.needed ? "not needed" : e.outcome;
  return (
    <>
      <tr class={"event" + (props.focus ? " focus" : "")} data-event={e.id} data-type={e.type}>
        <td class="time">{when(e.created)}</td>
        <td class="time">{when(e.received)}</td>
        <td>
          <code class="type">{breakable(e.type)}</code>
          <div>
            <code class="id">{e.id}</code>
          </div>
        </td>
        <td>
          {e.customerId ? <code class="id">{e.customerId}</code> : <span class="muted">no customer</span>}
          {props.row.user && <div>{props.row.user}</div>}
        </td>
        <td>
          <span class={"badge " + outcome.replace(" ", "-")}>{outcome}</span>
          <Marks row={props.row} />
          <div class="buttons">
            <button class="link-dark" aria-expanded={props.open !== null} onClick={props.onToggle}>
              {props.open !== null ? "Hide" : "Show"}
            </button>
            <button class="link-dark" onClick={props.onReplay} title="Send this event through the endpoint again, as a Stripe redelivery would">
              Replay
            </button>
          </div>
        </td>
      </tr>
      <tr class="explain">
        <td colSpan={5}>
          <p class="means">{x.means}</p>
          <p class="did">{x.did}</p>
          <Delivery row={props.row} />
          {props.replayed && (
            <p class="note" role="status">
              {props.replayed}
            </p>
          )}
        </td>
      </tr>
      {props.open !== null && (
        <tr class="payload">
          <td colSpan={5}>
            <JsonTree text={props.open} label={`Event ${e.id}`} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Marks are the badges of what happened to an event on its way: skipped duplicates, a late arrival, a retry. */
function Marks(props: { row: main.EventRow }) {
  const dups = props.row.event.duplicates?.length ?? 0;
  return (
    <>
      {dups > 0 && (
        <span class="badge dup" data-mark="duplicate" title="Redeliveries of this event, each recognised by its id and skipped">
          {dups === 1 ? "duplicate skipped" : `${dups} duplicates skipped`}
        </span>
      )}
      {props.row.overtaken && (
        <span class="badge late" data-mark="out-of-order" title="A newer event about the same customer arrived before this one">
          out of order
        </span>
      )}
      {props.row.refused > 0 && (
        <span class="badge late" data-mark="retried" title="The endpoint refused earlier deliveries of this event; this one is Stripe's retry">
          retried
        </span>
      )}
    </>
  );
}

/** Delivery says in words what the marks mean for this event. */
function Delivery(props: { row: main.EventRow }) {
  const { event: e, overtaken, refused } = props.row;
  const dups = e.duplicates ?? [];
  return (
    <>
      {dups.length > 0 && (
        <p class="delivery">
          Delivered {dups.length + 1} times: the {dups.length === 1 ? "redelivery" : `${dups.length} redeliveries`} (last at {when(dups[dups.length - 1])})
          had an id Tollgate had already recorded, so {dups.length === 1 ? "it was" : "each was"} answered 200 and skipped, never applied twice.
        </p>
      )}
      {overtaken && (
        <p class="delivery">
          Arrived after <code class="id">{overtaken}</code>, a newer event about the same customer. It changed nothing it
          should not: Tollgate re-read the customer from Stripe instead of believing the event.
        </p>
      )}
      {refused > 0 && (
        <p class="delivery">
          Arrived on a retry: the endpoint refused {refused === 1 ? "an earlier delivery" : `${refused} earlier deliveries`} of it (see Refused
          deliveries), recorded nothing then, and Stripe sent it again.
        </p>
      )}
    </>
  );
}

function Refusals(props: { refusals: webhook.Refusal[] }) {
  return (
    <div class="card refusals" aria-label="Refused deliveries">
      <h2>Refused deliveries</h2>
      <p class="muted">Deliveries the endpoint turned away, newest first, with the likely cause. What they claim to be is unverified.</p>
      <ul>
        {props.refusals.map((r) => (
          <li>
            <span class="time">{when(r.at)}</span> <span class="badge failed">{r.status}</span>{" "}
            {r.eventType && (
              <>
                claims to be <code class="type">{breakable(r.eventType)}</code> <code class="id">{r.eventId}</code>{" "}
              </>
            )}
            <p class="cause">{r.cause}</p>
            <p class="muted">
              Answered: <code>{r.reply}</code>
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Parameters an instructor points at when teaching the integration. */
const notable = new Set([
  "mode",
  "customer",
  "client_reference_id",
  "line_items[0][price]",
  "subscription_data[trial_period_days]",
  "allow_promotion_codes",
  "success_url",
  "cancel_url",
  "return_url",
  "configuration",
  "url",
  "enabled_events[0]",
  "api_version",
  "test_clock",
  "frozen_time",
  "lookup_keys[0]",
  "status",
]);

/**
 * group puts each action's calls together, in the order they were made, and
 * the actions newest first. An action's calls may interleave with another's
 * (a click's, and the webhooks that click set off), so adjacency is not enough.
 */
function group(cs: calls.Call[]): { action: calls.Action; calls: calls.Call[] }[] {
  const byAction = new Map<string, { action: calls.Action; calls: calls.Call[] }>();
  for (const c of cs) {
    // Calls made under no action (id 0) each stand alone.
    const key = c.action.id === 0 ? "seq" + c.seq : "action" + c.action.id;
    const g = byAction.get(key);
    if (g) g.calls.push(c);
    else byAction.set(key, { action: c.action, calls: [c] });
  }
  const out = [...byAction.values()];
  for (const g of out) g.calls.reverse();
  return out;
}

function Calls() {
  const { data, error, reload } = useLoad(StripeCalls, reloadOn);
  return (
    <>
      <p class="lead">
        Every request Tollgate made to the Stripe API, under what caused it: your clicks, Stripe's webhooks, Tollgate's own
        set-up. The secret key never appears here: it travels in a header, not in the parameters.
      </p>
      <button onClick={reload}>Refresh</button>
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.length === 0 && <p class="note">No Stripe calls yet.</p>}
      {data &&
        group(data).map((g) => (
          <div class="card calls" aria-label={g.action.label}>
            <h2>
              {g.action.label} <span class="muted">· {when(g.action.at)} · {g.calls.length === 1 ? "1 call" : `${g.calls.length} calls`}</span>
            </h2>
            <ol>
              {g.calls.map((c) => (
                <li data-path={c.path}>
                  <div class="request">
                    <code class="method">{c.method}</code> <code class="path">{breakAt(c.path, "/")}</code>{" "}
                    <span class={"badge " + (c.status >= 200 && c.status < 300 ? "applied" : "failed")}>{c.status || "no answer"}</span>{" "}
                    {c.attempt > 1 && (
                      <span class="badge pending" title="Sent again with the same Idempotency-Key: Stripe answers a repeat with its first answer, so nothing is done twice">
                        try {c.attempt}
                      </span>
                    )}{" "}
                    {c.replayed && (
                      <span class="badge pending" title="Stripe answered with its first answer to this Idempotency-Key: an earlier try did the work and its answer was lost on the way">
                        replayed
                      </span>
                    )}{" "}
                    <span class="muted">
                      {c.millis.toFixed(1)} ms{c.requestId && <> · <code class="id">{c.requestId}</code></>}
                      {c.idempotencyKey && (
                        <>
                          {" "}
                          · Idempotency-Key <code class="id">{c.idempotencyKey}</code>
                        </>
                      )}
                    </span>
                  </div>
                  {c.error && <p class="error">{c.error}</p>}
                  {c.params.length > 0 && (
                    <ul class="params">
                      {c.params.map((p) => (
                        <li class={notable.has(p.key) ? "notable" : ""}>
                          <code>
                            {p.key}={p.value}
                          </code>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
          </div>
        ))}
    </>
  );
}
