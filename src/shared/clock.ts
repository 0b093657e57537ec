/** Time is an argument (STYLE rule 6): production passes systemClock, tests a fixed one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
