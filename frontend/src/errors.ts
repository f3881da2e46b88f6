/** FieldError is what Go found wrong with one input of a form (tollgate.FieldError). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * parse reads a rejection. Wails rejects with the Go error's text (a string);
 * the serve-mode shim does the same. For a form's mistakes that text is a JSON
 * object {"message", "fields"} (tollgate.ErrorReply); any other text is the
 * message itself.
 */
function parse(e: unknown): { message: string; fields: FieldError[] } {
  if (typeof e === "string") {
    if (e.startsWith("{")) {
      try {
        const v = JSON.parse(e);
        if (typeof v?.message === "string" && Array.isArray(v.fields)) {
          const fields = v.fields.filter((f: unknown): f is FieldError => typeof (f as FieldError)?.field === "string" && typeof (f as FieldError)?.message === "string");
          return { message: v.message, fields };
        }
      } catch {
        // Not ours: a message that happens to start with a brace.
      }
    }
    return { message: e, fields: [] };
  }
  // Anything else is a bug in the frontend, shown rather than hidden.
  return { message: e instanceof Error ? e.message : String(e), fields: [] };
}

/** errorText turns a rejected binding call into words: every mistake of a form in one text. */
export function errorText(e: unknown): string {
  return parse(e).message;
}

/** fieldErrors lists what a rejected call says about each input of a form, or nothing. */
export function fieldErrors(e: unknown): FieldError[] {
  return parse(e).fields;
}
