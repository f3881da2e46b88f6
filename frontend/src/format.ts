// Formatting of what Stripe returns, for people.

/** money formats an amount in the currency's smallest unit, e.g. 900 gbp → "£9.00", -435 → "−£4.35". */
export function money(amount: number, currency: string): string {
  // A true minus sign, as the discounts beside a credit are written.
  if (amount < 0) return "−" + money(-amount, currency);
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** day formats a Go time (RFC 3339) as "3 Dec 2026"; an absent or zero time is "". */
export function day(t: string | undefined | null): string {
  if (!t || t.startsWith("0001-")) return "";
  const d = new Date(t);
  return isNaN(d.getTime()) ? "" : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/** when formats a Go time with the time of day, for the event log. */
export function when(t: string | undefined | null): string {
  if (!t || t.startsWith("0001-")) return "";
  const d = new Date(t);
  return isNaN(d.getTime()) ? "" : d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }) + " UTC";
}

const statusLabels: Record<string, string> = {
  trialing: "Free trial",
  active: "Active",
  past_due: "Payment failed",
  canceled: "Canceled",
  unpaid: "Unpaid",
  incomplete: "Incomplete",
  incomplete_expired: "Expired",
  paused: "Paused",
};

/** statusLabel names a Stripe subscription status in plain words. */
export function statusLabel(status: string): string {
  return statusLabels[status] ?? status;
}

/** interval names a price's billing interval as the Plans screen says it. */
export function per(interval: string): string {
  return interval === "year" ? "per year" : interval === "month" ? "per month" : `per ${interval}`;
}

const invoiceStatusLabels: Record<string, string> = {
  draft: "Draft",
  open: "Open",
  paid: "Paid",
  uncollectible: "Uncollectible",
  void: "Void",
};

/** invoiceStatus names a Stripe invoice status in plain words. */
export function invoiceStatus(status: string): string {
  return invoiceStatusLabels[status] ?? status;
}

/** planName names a price's interval as a plan: "Monthly", "Yearly". */
export function planName(interval: string): string {
  return interval === "year" ? "Yearly" : interval === "month" ? "Monthly" : interval;
}
