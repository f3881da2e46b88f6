import { Stripe } from "../wailsjs/go/main/App";
import { useLoad } from "./load";

const labels: Record<string, string> = {
  sandbox: "Sandbox",
  "external-sandbox": "External sandbox",
  stripe: "Stripe test mode",
};

/** ModeBadge says at a glance which Stripe the lab talks to, and links to Settings for the details. */
export function ModeBadge() {
  const { data } = useLoad(Stripe);
  if (!data) return null;
  const label = data.ready ? labels[data.mode] ?? data.mode : "Billing not ready";
  return (
    <a class={"mode " + (data.ready ? data.mode : "not-ready")} href="#/settings" title={data.ready ? data.account : data.error}>
      {label}
    </a>
  );
}
