import { useEffect, useState } from "preact/hooks";
import { CurrentUser, Demo, DemoNext, DemoStart } from "../wailsjs/go/main/App";
import type { demo, tollgate } from "../wailsjs/go/models";
import { EventsOn } from "../wailsjs/runtime/runtime";
import { errorText } from "./errors";
import { go, parse, type Screen } from "./router";

/** The event Go sends when presenter mode moved on. */
export const demoStep = "demo:step";

/**
 * Presenter is presenter mode's bar (tollgate demo): the step playing, its
 * caption, and Next (or Space). It shows each step's screen once the step
 * is done, and follows the demo's login. Outside a demo it renders nothing.
 */
export function Presenter(props: { onUser: (u: tollgate.User) => void }) {
  const [view, setView] = useState<demo.View | null>(null);
  const [fault, setFault] = useState("");

  useEffect(() => {
    const load = () => Demo().then(setView, (e) => setFault(errorText(e)));
    Demo()
      .then(async (v) => {
        setView(v);
        // The script waits for a face to show it, so the audience sees it from its first caption.
        if (v.active) setView(await DemoStart());
      })
      .catch((e) => setFault(errorText(e)));
    return EventsOn(demoStep, load);
  }, []);

  // Each step done shows its screen, and the login the script made.
  const done = view?.steps.filter((s) => s.status === "done").length ?? 0;
  useEffect(() => {
    if (!view?.active || done === 0) return;
    CurrentUser().then((u) => u && props.onUser(u));
    const screen = view.steps[done - 1].screen as Screen;
    if (parse(window.location.hash) !== screen) go(screen);
  }, [done]);

  const next = () => DemoNext().then(setView, (e) => setFault(errorText(e)));
  const waiting = !!view && view.current < view.steps.length && view.steps[view.current].status === "next";
  useEffect(() => {
    if (!waiting) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key !== " " || ["INPUT", "TEXTAREA", "BUTTON", "SELECT"].includes(t.tagName)) return;
      e.preventDefault();
      next();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [waiting]);

  // Outside a demo, or when Go cannot be asked at all (the App says why), there is no bar.
  if (!view?.active) return null;
  const n = view.steps.length;
  const at = Math.min(view.current, n - 1);
  const step = view.steps[at];
  return (
    <>
      <div class="presenter-space" />
      <aside class={"presenter " + (view.failed ? "failed" : view.finished ? "finished" : step.status)} aria-label="Presenter">
        <ol class="demo-steps" aria-label="Steps">
          {view.steps.map((s, i) => (
            <li data-status={s.status} class={i === at ? "at" : ""} title={`${i + 1}. ${s.caption}${s.error ? "\n" + s.error : ""}`}>
              {i + 1}
            </li>
          ))}
        </ol>
        <div class="demo-caption">
          {view.finished ? (
            <p role="status">
              <strong>The demo is over:</strong> all {n} steps passed, each through the screens and Stripe pages a learner uses. Look
              around; your own Tollgate was never touched.
            </p>
          ) : (
            <p role="status">
              <strong>
                Step {at + 1} of {n}
              </strong>{" "}
              <span class="demo-state">{stateText(step.status, view)}</span> {step.caption}
            </p>
          )}
          {view.failed && (
            <p class="error" role="alert">
              This step failed: {step.error}
            </p>
          )}
          {fault && <p class="error">{fault}</p>}
        </div>
        {!view.finished && !view.failed && (
          <button class="primary" onClick={next} disabled={!waiting} title="Run this step now (Space)">
            {view.current === 0 && step.status === "next" ? "Start" : "Next"} ▶
          </button>
        )}
      </aside>
    </>
  );
}

function stateText(status: string, v: demo.View): string {
  switch (status) {
    case "next":
      return v.pause ? "· press Space or Next:" : `· in ${Math.round(v.delayMillis / 100) / 10} s:`;
    case "running":
      return "· now:";
    case "failed":
      return "· failed:";
    default:
      return "·";
  }
}
