import { Access as loadAccess } from "../../wailsjs/go/main/App";
import { useLoad } from "../load";

const known: Record<string, string> = {
  "test-access": "opens the Premium screen",
  "test-access-2": "a second feature, to show that a plan can grant several",
};

export function Access() {
  const { data, error } = useLoad(loadAccess);
  const keys = data ? [...new Set([...Object.keys(known), ...data.local, ...(data.live ?? [])])] : [];
  return (
    <section>
      <h1>Access</h1>
      <p class="lead">
        Stripe Entitlements tie features to what a customer pays for. Tollgate keeps its own copy, updated by the{" "}
        <code>entitlements.active_entitlement_summary.updated</code> webhook, and asks Stripe live each time you open
        this screen, so you can see the two side by side.
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {data && !data.hasCustomer && (
        <p class="note" role="note">
          You have no Stripe customer yet, so you have no entitlements and Tollgate asked Stripe nothing. Subscribe on{" "}
          <a href="#/plans">Plans</a>.
        </p>
      )}
      {data && data.hasCustomer && (
        <>
          <table class="card" aria-label="Entitlements">
            <thead>
              <tr>
                <th>Feature (lookup key)</th>
                <th>What it does</th>
                <th>Tollgate's copy</th>
                <th>Stripe now</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => {
                const local = data.local.includes(k);
                const live = data.live ? data.live.includes(k) : null;
                return (
                  <tr data-feature={k}>
                    <td>
                      <code>{k}</code>
                    </td>
                    <td>{known[k] ?? ""}</td>
                    <td>
                      <Has on={local} />
                    </td>
                    <td>
                      {live === null ? <span class="badge">?</span> : <Has on={live} />}
                      {live !== null && live !== local && <span class="badge past_due">differs</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {data.notice && (
            <p class="note" role="note">
              {data.notice}
            </p>
          )}
          {data.why.length > 0 && (
            <div class="card why" aria-label="Why">
              <h2>Why</h2>
              <ul>
                {data.why.map((r) => (
                  <li data-why={r.key}>
                    <code>{r.key}</code>: {r.text}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {data.liveError && (
            <p class="note" role="note">
              Stripe could not be asked just now: {data.liveError}
            </p>
          )}
          {(data.onlyLocal.length > 0 || data.onlyLive.length > 0) && (
            <p class="note" role="note">
              Tollgate's copy and Stripe disagree: a webhook has not arrived yet, or could not reach Tollgate. The Events
              screen shows what did arrive.
            </p>
          )}
          <p class="muted">
            Stripe customer <code>{data.customerId}</code>. Flags as the guide names them:{" "}
            <code>has_test_access = {String(data.hasTestAccess)}</code>,{" "}
            <code>has_test_access_2 = {String(data.hasTestAccess2)}</code>.
          </p>
        </>
      )}
    </section>
  );
}

/** Has shows whether a feature is granted as a badge, styled as Plans shows a subscription's status. */
function Has(props: { on: boolean }) {
  return <span class={props.on ? "badge active" : "badge no"}>{props.on ? "Active" : "No"}</span>;
}
