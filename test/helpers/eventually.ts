/**
 * Resolves once `condition` holds, polling every 50 ms; throws `what` after `timeoutMs`. For state that converges
 * (a notification delivered, a replica caught up): the deadline only bounds a test that would otherwise hang, it
 * is never the figure under test.
 */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
