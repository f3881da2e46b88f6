/**
 * errorText turns a rejected binding call into words. Wails rejects with the Go
 * error's text (a string); the serve-mode shim does the same; anything else is a bug
 * in the frontend, shown rather than hidden.
 */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  return String(e);
}
