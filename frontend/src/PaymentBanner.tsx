import { useState } from "preact/hooks";
import { ManageBilling, Plans } from "../wailsjs/go/main/App";
import { BrowserOpenURL } from "../wailsjs/runtime/runtime";
import { errorText } from "./errors";
import { day } from "./format";
import { useLoad } from "./load";

/** PaymentBanner shows on every screen while a subscription is past_due, with the way out: the portal. */
export function PaymentBanner() {
  const { data } = useLoad(Plans);
  const [error, setError] = useState("");
  const failed = data?.paymentFailed && data.subscriptions.find((s) => s.status === "past_due");
  if (!failed) return null;
  const retry = day(failed.nextPaymentAttempt);
  const portal = async () => {
    try {
      BrowserOpenURL((await ManageBilling()).url);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="banner" role="alert" aria-label="Payment failed">
      <strong>Your last payment failed.</strong> Stripe will try again{retry ? ` on ${retry}` : ""}; update your card in
      the Billing Portal to keep your plan.{" "}
      <button class="primary" onClick={portal}>
        Update payment method
      </button>
      {error && <span> {error}</span>}
    </div>
  );
}
