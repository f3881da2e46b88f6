import { useState } from "preact/hooks";
import { EventPayload, Events as loadEvents } from "../../wailsjs/go/main/App";
import { errorText } from "../errors";
import { when } from "../format";
import { useLoad } from "../load";

export function Events() {
  const { data, error } = useLoad(loadEvents);
  // The open event's id and its body (or why it could not be read).
  const [open, setOpen] = useState<{ id: string; body: string } | null>(null);
  const toggle = async (id: string) => {
    if (open?.id === id) return setOpen(null);
    try {
      setOpen({ id, body: await EventPayload(id) });
    } catch (e) {
      setOpen({ id, body: errorText(e) });
    }
  };
  return (
    <section>
      <h1>Events</h1>
      <p class="lead">
        Stripe tells Tollgate about every change by webhook at <code>/payments/event</code>. Each event's signature is
        verified, the event is recorded, and then Tollgate re-reads the customer from Stripe rather than trusting the
        event's order or contents.
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.length === 0 && <p class="note">No events yet. Subscribe on Plans and they will appear here.</p>}
      {data && data.length > 0 && (
        <table class="card" aria-label="Webhook events">
          <thead>
            <tr>
              <th>Received</th>
              <th>Type</th>
              <th>Outcome</th>
              <th>Event id</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {data.map((e) => [
              <tr>
                <td>{when(e.received)}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td>
                  <span class={"badge " + e.outcome}>{e.outcome}</span>
                  {e.error && <small class="muted"> {e.error}</small>}
                </td>
                <td>
                  <code>{e.id}</code>
                </td>
                <td>
                  <button class="link-dark" aria-expanded={open?.id === e.id} onClick={() => toggle(e.id)}>
                    {open?.id === e.id ? "Hide" : "Show"}
                  </button>
                </td>
              </tr>,
              open?.id === e.id && (
                <tr class="payload">
                  <td colSpan={5}>
                    <pre aria-label={`Event ${e.id}`}>{open.body}</pre>
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </table>
      )}
    </section>
  );
}
