import type { billing } from "../wailsjs/go/models";
import { statusLabel, when } from "./format";

/** Width and rows of the drawing, in SVG units; it scales to the card. */
const W = 1000;
const PAD = 16;
const BAND_Y = 64;
const BAND_H = 18;

/** What each kind of point is drawn as, so a learner sees money and trouble at a glance. */
const kindClass: Record<string, string> = {
  created: "start",
  trial_will_end: "notice",
  trial_end: "notice",
  drafted: "money",
  paid: "money",
  failed: "trouble",
  status: "status",
  updated: "status",
  canceled: "trouble",
};

/**
 * Timeline draws a subscription's life on Stripe's clock: a band of its
 * statuses (the one now highlighted) and numbered points for the events that
 * moved it, each linked to the event on the Events screen.
 */
export function Timeline(props: { timeline: billing.Timeline }) {
  const t = props.timeline;
  const from = Date.parse(t.from);
  const to = Math.max(Date.parse(t.now), from + 1);
  const x = (at: string) => PAD + ((Math.min(Math.max(Date.parse(at), from), to) - from) / (to - from)) * (W - 2 * PAD);
  // Points closer than a marker's width stack upwards instead of hiding each other.
  const placed: { p: billing.TimelinePoint; n: number; x: number; level: number }[] = [];
  t.points.forEach((p, i) => {
    const px = x(p.at);
    let level = 0;
    while (placed.some((q) => q.level === level && Math.abs(q.x - px) < 22)) level++;
    placed.push({ p, n: i + 1, x: px, level });
  });
  const top = Math.max(...placed.map((q) => q.level), 0);
  const shift = top * 22; // room above for stacked markers
  const height = BAND_Y + BAND_H + 30 + shift;
  const current = t.spans[t.spans.length - 1];
  return (
    <article class="card timeline" aria-label="Timeline">
      <h2>Timeline</h2>
      <p class="muted">
        Subscription <code class="id">{t.subscription}</code> on Stripe's clock, from {when(t.from)} to now, {when(t.now)}.
        It is <strong>{statusLabel(current?.status ?? "")}</strong> now.
      </p>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={`Timeline of ${t.subscription}`} preserveAspectRatio="xMinYMin meet">
        <g transform={`translate(0 ${shift})`}>
          {t.spans.map((s, i) => (
            <rect class={"span " + s.status + (i === t.spans.length - 1 ? " now" : "")} x={x(s.from)} y={BAND_Y} width={Math.max(x(s.to) - x(s.from), 2)} height={BAND_H}>
              <title>
                {statusLabel(s.status)}: {when(s.from)} to {when(s.to)}
              </title>
            </rect>
          ))}
          {placed.map(({ p, n, x: px, level }) => {
            const cy = BAND_Y - 14 - level * 22;
            const marker = (
              <g class={"point " + (kindClass[p.kind] ?? "status")} data-kind={p.kind}>
                <line x1={px} x2={px} y1={cy + 9} y2={BAND_Y} />
                <circle cx={px} cy={cy} r={9} />
                <text x={px} y={cy + 4} text-anchor="middle">
                  {n}
                </text>
                <title>
                  {n}. {p.label}, {when(p.at)}
                </title>
              </g>
            );
            return p.eventId ? <a href={"#/events/" + p.eventId}>{marker}</a> : marker;
          })}
          <text class="axis" x={PAD} y={BAND_Y + BAND_H + 20}>
            {when(t.from)}
          </text>
          <text class="axis" x={W - PAD} y={BAND_Y + BAND_H + 20} text-anchor="end">
            now
          </text>
        </g>
      </svg>
      <ol class="legend">
        {placed.map(({ p, n }) => (
          <li value={n} class={kindClass[p.kind] ?? "status"}>
            <span class="time">{when(p.at)}</span> {p.label}
            {p.eventId && (
              <>
                {" "}
                <a href={"#/events/" + p.eventId}>
                  <code class="id">{p.eventId}</code>
                </a>
              </>
            )}
          </li>
        ))}
      </ol>
    </article>
  );
}
