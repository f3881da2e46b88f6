import { useState } from "preact/hooks";
import type { lab } from "../wailsjs/go/models";

/** What each status looks like: a mark a learner reads at a glance, and words for a screen reader. */
const marks: Record<string, { mark: string; label: string }> = {
  done: { mark: "✓", label: "done" },
  failed: { mark: "✗", label: "failed" },
  running: { mark: "…", label: "in progress" },
  waiting: { mark: "○", label: "waiting" },
  skipped: { mark: "–", label: "not needed" },
};

/**
 * Checklist shows Stripe's setup as Go runs it: key, catalog, tunnel,
 * endpoint, last event. Each step carries the ids a learner needs to find
 * it in the Stripe dashboard, and a failed step Stripe's or ngrok's own words.
 */
export function Checklist(props: { state: lab.State; busy: boolean; onRetry: () => void }) {
  const { state } = props;
  const failed = state.steps.some((s) => s.status === "failed");
  const done = state.steps.filter((s) => s.status === "done" || s.status === "skipped").length;
  return (
    <div class="card checklist">
      <p class="progress" aria-live="polite">
        {done} of {state.steps.length} steps complete
      </p>
      <ol aria-label="Stripe setup">
        {state.steps.map((s) => (
          <li class={"step " + s.status} data-step={s.id}>
            <span class="mark" aria-label={marks[s.status]?.label ?? s.status} role="img">
              {marks[s.status]?.mark ?? "?"}
            </span>
            <div class="body">
              <strong>{s.title}</strong>
              {s.error && <p class="error">{s.error}</p>}
              {s.note && <p class="muted">{s.note}</p>}
              {s.id === "tunnel" && state.listenCommand && <Command text={state.listenCommand} />}
              {s.facts.length > 0 && (
                <dl class="facts">
                  {s.facts.map((f) => (
                    <>
                      <dt>{f.label}</dt>
                      <dd>
                        <code>{f.value}</code>
                      </dd>
                    </>
                  ))}
                </dl>
              )}
            </div>
          </li>
        ))}
      </ol>
      {failed && (
        <button onClick={props.onRetry} disabled={props.busy}>
          {props.busy ? "Setting up…" : "Try again"}
        </button>
      )}
    </div>
  );
}

/** Command shows a shell command to run, with a button that copies it. */
function Command(props: { text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard (an insecure context): the text is there to select
    }
  };
  return (
    <div class="command">
      <code aria-label="Command">{props.text}</code>
      <button class="small" onClick={copy}>
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
