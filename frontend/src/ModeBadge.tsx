import { Stripe } from "../wailsjs/go/main/App";
import { billingChanged, stripeState, useLoad } from "./load";

const labels: Record<string, string> = {
  sandbox: "Sandbox",
  "external-sandbox": "External sandbox",
  stripe: "Stripe test mode",
};

const events = [billingChanged, stripeState];

/** ModeBadge says at a glance which Stripe the lab talks to, and links to Settings for the details. */
export function ModeBadge() {
  const { data } = useLoad(Stripe, events);
  if (!data) return null;
  const label = data.ready ? labels[data.mode] ?? data.mode : "Billing not ready";
  return (
    <a class={"mode " + (data.ready ? data.mode : "not-ready")} href="#/settings" title={data.ready ? data.account : data.error}>
      {label}
    </a>
  );
}

/**
 * SetupBanner sends the learner to Settings, with the reason, while billing
 * is not ready: every screen that needs Stripe would otherwise fail on its own.
 */
export function SetupBanner(props: { onSettings: boolean }) {
  const { data } = useLoad(Stripe, events);
  if (!data || data.ready || props.onSettings) return null;
  return (
    <div class="banner" role="alert" aria-label="Billing not ready">
      <strong>Billing is not ready.</strong> {data.error}{" "}
      <a class="button primary" href="#/settings">
        Open Settings
      </a>
    </div>
  );
}
