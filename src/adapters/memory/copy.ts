/**
 * Records are copied in and out of the memory stores, so a caller can never change stored state
 * by mutating what it was given or what it got back.
 */
export const copy = <T>(value: T): T => structuredClone(value);

/** The later of two dates: `updatedAt` never moves backwards when writers' clocks disagree. */
export const later = (a: Date, b: Date): Date => (b.getTime() > a.getTime() ? b : a);
