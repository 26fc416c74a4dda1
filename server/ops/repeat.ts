/**
 * Run `task` every `everyMs` until stopped; a slow run is not overlapped by the next, and a
 * failed one is reported and tried again at the next interval. The timer does not keep the
 * process alive; `stop()` waits for a run under way.
 */
export function repeatEvery(everyMs: number, task: () => Promise<unknown>, failed: (err: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch(failed)
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
