import { useCallback, useEffect, useState } from "preact/hooks";
import { EventsOn } from "../wailsjs/runtime/runtime";
import { errorText } from "./errors";

/** The event Go sends when a user's billing state changed (a webhook, a sync). */
export const billingChanged = "billing:changed";

/**
 * useLoad calls a bound method, keeps its result or error, and calls it again
 * whenever Go says billing changed, so a screen follows webhooks as they land.
 */
export function useLoad<T>(load: () => Promise<T>) {
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
  useEffect(() => {
    reload();
    return EventsOn(billingChanged, reload);
  }, [reload]);
  return { data, error, reload, setData };
}
