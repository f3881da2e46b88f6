import { useState } from "preact/hooks";
import { ManageBilling, Plans } from "../wailsjs/go/main/App";
import { BrowserOpenURL } from "../wailsjs/runtime/runtime";
import { errorText } from "./errors";
import { day, money } from "./format";
import { useLoad } from "./load";
import { openStripePage } from "./stripePage";

/**
 * PaymentBanner shows on every screen while a subscription is past_due, with
 * the way out: a new card in the portal. Once the card is updated, it says so
 * and when Stripe retries, and offers to pay the open invoice now on its
 * hosted page instead of waiting.
 */
export function PaymentBanner() {
  const { data } = useLoad(Plans);
  const [error, setError] = useState("");
  const failed = data?.paymentFailed && data.subscriptions.find((s) => s.status === "past_due");
  if (!failed) return null;
  const retry = day(failed.nextPaymentAttempt);
  const inv = failed.latestInvoice;
  if (failed.cardUpdated) {
    const payable = inv?.status === "open" && inv.hostedUrl;
    return (
      <div class="banner updated" role="alert" aria-label="Card updated">
        <span>
          <strong>Your card was updated{failed.card ? ` to ${failed.card}` : ""}.</strong> The failed payment is still
          due: Stripe retries it with the new card {retry ? `on ${retry}` : "at its next attempt"}
          {payable ? ", or pay the open invoice now on its Stripe page." : "."}
        </span>
        {payable && (
          <button class="primary" onClick={() => openStripePage(inv.hostedUrl)}>
            Pay {money(inv.amountRemaining, inv.currency)} now
          </button>
        )}
      </div>
    );
  }
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
