import { Premium as loadPremium } from "../../wailsjs/go/main/App";
import { useLoad } from "../load";

export function Premium() {
  const { data, error } = useLoad(loadPremium);
  return (
    <section>
      <h1>Premium</h1>
      {data && (
        <div class="card unlocked">
          <h2>Unlocked</h2>
          <p>{data.text}</p>
          {data.notice && (
            <p class="note" role="note">
              {data.notice}
            </p>
          )}
          {data.why && <p class="why">{data.why}</p>}
          <p class="muted">
            Go checked the <code>test-access</code> entitlement in Tollgate's own copy, with no call to Stripe: the
            webhook keeps that copy current.
          </p>
        </div>
      )}
      {error && (
        <div class="card locked">
          <h2>Locked</h2>
          <p role="alert">{error}</p>
          <a class="button primary" href="#/plans">
            See the plans
          </a>
        </div>
      )}
    </section>
  );
}
