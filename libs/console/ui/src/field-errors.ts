/** The part of a failed zod parse a form uses: each issue's path and message. */
interface Issues {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

/**
 * A failed parse of a form's value by its contract's schema, as the first message per field
 * (`disks.0.sizeBytes`); '' for problems of the whole value (a refinement). Nothing on success.
 */
export function fieldErrors(result: { success: true } | { success: false; error: Issues }): Record<string, string> {
  if (result.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.');
    errors[key] ??= issue.message;
  }
  return errors;
}
