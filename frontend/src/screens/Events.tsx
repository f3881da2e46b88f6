import { Events as loadEvents } from "../../wailsjs/go/main/App";
import { when } from "../format";
import { useLoad } from "../load";

export function Events() {
  const { data, error } = useLoad(loadEvents);
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
            </tr>
          </thead>
          <tbody>
            {data.map((e) => (
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
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
