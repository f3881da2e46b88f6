import { useState } from "preact/hooks";
import { LabReport, Lessons as loadLessons, SaveLabReport, StartOverLessons } from "../../wailsjs/go/main/App";
import type { lessons } from "../../wailsjs/go/models";
import { errorText } from "../errors";
import { when } from "../format";
import { billingChanged, useLoad } from "../load";
import { openStripePage } from "../stripePage";

/** The event Go sends when a lesson ticked (or the course started over). */
export const lessonsChanged = "lessons:changed";

export function Lessons() {
  const { data, error, setData } = useLoad(loadLessons, [lessonsChanged, billingChanged]);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState("");
  const [fault, setFault] = useState("");

  const startOver = async () => {
    setConfirming(false);
    try {
      setData(await StartOverLessons());
      setMessage("Your progress is forgotten: every lesson is to do again.");
      setFault("");
    } catch (e) {
      setFault(errorText(e));
    }
  };

  const exportReport = async () => {
    setFault("");
    try {
      // The window has a save dialog; a browser downloads the page instead.
      if ("WailsInvoke" in window) {
        const path = await SaveLabReport();
        setMessage(path ? `The lab report is saved in ${path}.` : "");
        return;
      }
      const html = await LabReport();
      const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `tollgate-lab-${new Date().toISOString().slice(0, 10)}.html`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage("The lab report is downloading: one HTML page to hand to your instructor.");
    } catch (e) {
      setFault(errorText(e));
    }
  };

  const total = data?.lessons.length ?? 0;
  return (
    <section class="lessons">
      <h1>Lessons</h1>
      <p class="lead">
        The guide's path, one step at a time. Each lesson ticks itself when Tollgate sees it happen: a webhook event it
        applied, or a screen it served. There is nothing to press but the real thing.
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {fault && <p class="error" role="alert">{fault}</p>}
      {data && (
        <>
          <div class="progress-row">
            <p class="progress-text">
              <strong>
                {data.done} of {total}
              </strong>{" "}
              done
            </p>
            <progress max={total} value={data.done} aria-label="Lessons done" />
            <div class="buttons">
              <button class="primary" onClick={exportReport}>
                Export lab report
              </button>
              {!confirming && (
                <button onClick={() => setConfirming(true)} disabled={data.done === 0}>
                  Start over
                </button>
              )}
            </div>
          </div>
          {confirming && (
            <p class="note confirm" role="alertdialog" aria-label="Start over">
              Forget which lessons you have done? Your account and subscriptions stay.{" "}
              <button class="danger" onClick={startOver}>
                Yes, start over
              </button>{" "}
              <button onClick={() => setConfirming(false)}>Keep my progress</button>
            </p>
          )}
          {message && (
            <p class="note" role="status">
              {message}
            </p>
          )}
          <ol class="course">
            {data.lessons.map((l, i) => (
              <Lesson lesson={l} n={i + 1} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function Lesson({ lesson: l, n }: { lesson: lessons.LessonView; n: number }) {
  return (
    <li class={"card lesson" + (l.done ? " done" : "")} data-lesson={l.id}>
      <div class="head">
        <span class="mark" aria-hidden="true">
          {l.done ? "✓" : n}
        </span>
        <h2>{l.title}</h2>
        <span class={"badge " + (l.done ? "active" : "no")}>{l.done ? "Done" : "To do"}</span>
      </div>
      {l.done ? (
        <p class="when">
          Done {when(l.at)}
          {l.stripeAt && !l.stripeAt.startsWith("0001-") && <> · on Stripe's clock {when(l.stripeAt)}</>} · seen in {l.via}
        </p>
      ) : (
        <p class="when muted">{l.do}</p>
      )}
      <p>{l.concept}</p>
      <p class="doc">
        Stripe's docs:{" "}
        <a
          href={l.doc.url}
          target="_blank"
          rel="noopener"
          onClick={(e) => {
            e.preventDefault();
            openStripePage(l.doc.url);
          }}
        >
          {l.doc.title}
        </a>
      </p>
      <details class="code">
        <summary>See the code</summary>
        <div class="side-by-side">
          <figure>
            <figcaption>
              Tollgate, in Go: <code>{l.code.func.name}</code> in{" "}
              <code>
                {l.code.func.file}:{l.code.line}
              </code>
            </figcaption>
            <pre aria-label={"Go source of " + l.code.func.name}>
              <code>{l.code.text}</code>
            </pre>
          </figure>
          <figure>
            <figcaption>The guide's Flask app, §{l.guide.section}</figcaption>
            <blockquote>{markdown(l.guide.text)}</blockquote>
          </figure>
        </div>
      </details>
    </li>
  );
}

/** markdown renders the guide's inline Markdown as it reads on the page: `code` and **bold**. */
export function markdown(text: string) {
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part) => {
    if (part.startsWith("`") && part.endsWith("`") && part.length > 1) return <code>{part.slice(1, -1)}</code>;
    if (part.startsWith("**") && part.endsWith("**") && part.length > 3) return <strong>{part.slice(2, -2)}</strong>;
    return part;
  });
}
