import { BrowserOpenURL } from "../wailsjs/runtime/runtime";

/**
 * openStripePage shows a Stripe page that has no way back to Tollgate, such
 * as a hosted invoice page: from the window, in the system browser; in a
 * browser (serve mode), in a new tab, so the Tollgate tab stays open and
 * follows the webhook while the invoice is paid. Checkout and the portal
 * send the browser back themselves, so they open in place instead.
 */
export function openStripePage(url: string) {
  // Wails' own IPC exists only in the window; serve mode's shim has none.
  if ("WailsInvoke" in window) {
    BrowserOpenURL(url);
    return;
  }
  window.open(url, "_blank", "noopener");
}
