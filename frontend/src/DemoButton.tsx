import { useState } from "preact/hooks";
import { Demo, StartDemo } from "../wailsjs/go/main/App";
import { errorText } from "./errors";
import { useLoad } from "./load";

/**
 * DemoButton starts presenter mode (tollgate demo) in a process of its own,
 * on a fresh sandbox, so playing the guide to a room never touches this
 * Tollgate's accounts or events.
 */
export function DemoButton() {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState("");
  const [link, setLink] = useState("");
  const [failed, setFailed] = useState("");
  const { data: playing } = useLoad(Demo, []);
  // Inside a demo there is nothing to start: it is the demo.
  if (!playing || playing.active) return null;
  const start = async () => {
    setBusy(true);
    setFailed("");
    try {
      const url = await StartDemo();
      setLink(url);
      if (url) {
        window.open(url, "_blank", "noopener");
        setNote("The demo opened in a new tab; if your browser blocked it, open ");
      } else {
        setNote("The demo opens in a window of its own.");
      }
    } catch (e) {
      setFailed(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2>Presenter mode</h2>
      <div class="card" aria-label="Presenter mode">
        <p class="muted">
          Play the whole guide by itself, step by step with a caption each, for a class: register, Checkout with the trial
          and LEARN10, Access, Premium, the trial's end, a renewal, a failed payment and its recovery, cancel and the
          period's end. It runs on a sandbox and data folder of its own; nothing here changes. From a terminal:{" "}
          <code>tollgate demo</code>.
        </p>
        <button onClick={start} disabled={busy}>
          {busy ? "Starting…" : "Play the demo"}
        </button>
        {note && (
          <p class="note" role="status">
            {note}
            {link && (
              <a href={link} target="_blank" rel="noopener">
                {link}
              </a>
            )}
          </p>
        )}
        {failed && (
          <p class="error" role="alert">
            {failed}
          </p>
        )}
      </div>
    </>
  );
}
