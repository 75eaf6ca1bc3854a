/**
 * `what` (a job's title, `job tree 7f…`) and how it ended, the state said once whatever the
 * summary opens with: `Compile failed: disk full` for FAILED with "Failed: disk full",
 * `job tree 7f… aborted on request.` for ABORTED with "Aborted on request.", `… aborted:
 * superseded` for ABORTED with "superseded".
 */
export function jobEndMessage(
  what: string,
  state: 'FAILED' | 'ABORTED',
  summary: string | undefined,
): string {
  const word = state === 'FAILED' ? 'failed' : 'aborted';
  if (!summary) return `${what} ${word}`;
  const opening = /^(failed|aborted)(:?) ([\s\S]*)$/i.exec(summary);
  if (opening?.[1]?.toLowerCase() === word) return `${what} ${word}${opening[2]} ${opening[3]}`;
  return `${what} ${word}: ${summary}`;
}
