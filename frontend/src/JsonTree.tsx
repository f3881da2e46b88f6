/**
 * JsonTree shows a Stripe event's body as a tree that folds: the fields a
 * learner looks for first (id, type, created, then data.object) on top, the
 * rest in Stripe's order, and every object or list collapsible.
 */
export function JsonTree(props: { text: string; label: string }) {
  let value: unknown;
  try {
    value = JSON.parse(props.text);
  } catch {
    // Not JSON (or an error message): show it as it came.
    return <pre aria-label={props.label}>{props.text}</pre>;
  }
  return (
    <div class="json" aria-label={props.label}>
      <Node name="" value={firstThings(value)} depth={0} />
    </div>
  );
}

/** The keys an event's reader wants first, at the top and inside data. */
const first = ["id", "type", "created", "data"];

function firstThings(v: unknown): unknown {
  if (!isObject(v)) return v;
  const out = reorder(v, first);
  if (isObject(out.data)) out.data = reorder(out.data, ["object"]);
  return out;
}

function reorder(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  for (const [k, val] of Object.entries(o)) if (!(k in out)) out[k] = val;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function Node(props: { name: string; value: unknown; depth: number }) {
  const { name, value, depth } = props;
  const key = name && <span class="key">{name}: </span>;
  if (Array.isArray(value) || isObject(value)) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) {
      return (
        <div class="leaf">
          {key}
          {brackets.join("")}
        </div>
      );
    }
    // Open down to data.object's fields; deeper objects (a price inside an item) start folded.
    return (
      <details open={depth < 3}>
        <summary>
          {key}
          {brackets[0]}
          <span class="muted"> {entries.length} {Array.isArray(value) ? "items" : "fields"} </span>
          {brackets[1]}
        </summary>
        <div class="children">
          {entries.map(([k, v]) => (
            <Node name={k} value={v} depth={depth + 1} />
          ))}
        </div>
      </details>
    );
  }
  return (
    <div class="leaf">
      {key}
      <span class={"value " + (value === null ? "null" : typeof value)}>{JSON.stringify(value)}</span>
    </div>
  );
}
