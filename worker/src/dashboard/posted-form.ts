import type { HonoRequest } from "hono";

/** What to tell a sender whose body is not a form: our pages (sign-in, OAuth consent) post this encoding. */
export const NOT_A_FORM = "Send the form as application/x-www-form-urlencoded.";

/**
 * The form a page posted, or undefined for a body that is none (JSON, no content type, a broken multipart body):
 * the sender's mistake, to be answered 400, not a 500.
 */
export async function postedForm(request: HonoRequest): Promise<FormData | undefined> {
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}

/** A text field of the form, empty when it is missing or a file. */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
