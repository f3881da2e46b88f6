import { useCallback, useEffect, useState } from "preact/hooks";
import { EventsOn } from "../wailsjs/runtime/runtime";
import { errorText } from "./errors";

/** The event Go sends when a user's billing state changed (a webhook, a sync). */
export const billingChanged = "billing:changed";

/** The event Go sends when the Stripe setup checklist moved (a step done, the tunnel dropped). */
export const stripeState = "stripe:state";

/**
 * useLoad calls a bound method, keeps its result or error, and calls it again
 * whenever Go sends one of events (by default: billing changed), so a screen
 * follows webhooks as they land.
 */
export function useLoad<T>(load: () => Promise<T>, events: string[] = [billingChanged]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState("");
  const reload = useCallback(() => {
    load()
      .then((d) => {
        setData(d);
        setError("");
      })
      .catch((e) => {
        // Drop what was shown: an answer that now fails (Premium after a
        // cancellation) must not stay on screen beside its error.
        setData(null);
        setError(errorText(e));
      });
  }, [load]);
  const names = events.join(" ");
  useEffect(() => {
    reload();
    const offs = names.split(" ").map((name) => EventsOn(name, reload));
    return () => offs.forEach((off) => off());
  }, [reload, names]);
  return { data, error, reload, setData };
}
