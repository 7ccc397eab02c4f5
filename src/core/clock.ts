/** Time source. Services take a Clock so tests can move time (expiry dates, retry schedules). */
export interface Clock {
  now(): number; // ms since the epoch
}
export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(start: number): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; }, set: (ms) => { t = ms; } };
}
