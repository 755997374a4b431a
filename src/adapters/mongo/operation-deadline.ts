import { StoreUnavailableError } from "../../domain/errors.js";

/**
 * Settles with StoreUnavailableError once `timeoutMs` has passed, whatever the operation does.
 *
 * The driver's own timeouts do not bound an operation as a whole: against a database that hangs
 * (connections open, no replies) a read waited socketTimeoutMS, was retried, and the retry then
 * waited for server selection (serverSelectionTimeoutMS) behind a heartbeat that hung for
 * connectTimeoutMS: three times DB_TIMEOUT_MS for the first call (measured: 6.3 s on a 2 s
 * setting). The driver's client-side operation timeout (`timeoutMS`) would bound it, but driver
 * 7 ignores that option. So the bound is enforced here; an operation that loses the race goes on
 * in the background until the driver's own timeouts end it, and its outcome is dropped.
 */
export function withDeadline<T>(operation: Promise<T>, timeoutMs: number): Promise<T> {
  // One promise settled by whichever comes first (no race, finally or catch promises per call:
  // every database operation goes through here).
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreUnavailableError({ cause: new Error(`no answer within ${timeoutMs} ms`) })), timeoutMs);
    operation.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** How a store operation ended: answered, the database unavailable or too slow, or another error (a conflict, say). */
export type OperationOutcome = "ok" | "unavailable" | "error";

/**
 * Told of every store operation as it settles: `operation` is "<store>.<method>" (a name the code
 * chooses, never request data), `seconds` the time to settle, deadline included.
 */
export type OperationObserver = (operation: string, seconds: number, outcome: OperationOutcome) => void;

/** Where the proxies find the observer: set after the stores exist (the composition root makes the metrics later). */
export interface OperationObservers {
  observer?: OperationObserver;
}

/**
 * The same store with every method that returns a promise bounded by `timeoutMs` (see
 * withDeadline) and, when `observers.observer` is set, timed. A proxy rather than a hand-written
 * wrapper per port, so that a method added to a store later is bounded and timed too. Timing here
 * costs two clock reads per operation, where the driver's command monitoring costs ~60 µs per
 * command (measured, docs/deploying.md), so the operation metrics can stay on by default.
 */
export function withOperationDeadlines<T extends object>(store: T, timeoutMs: number, name = "store", observers: OperationObservers = {}): T {
  // Each method's wrapper is made once (not at every property read), and again if the method is replaced.
  const wrappers = new Map<PropertyKey, { method: unknown; wrapper: (...args: unknown[]) => unknown }>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      let made = wrappers.get(property);
      if (made?.method !== value) wrappers.set(property, (made = { method: value, wrapper: bound(target, value as (...args: unknown[]) => unknown, `${name}.${String(property)}`) }));
      return made.wrapper;
    },
  });

  function bound(target: T, method: (...args: unknown[]) => unknown, operation: string): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => {
      const observer = observers.observer;
      const started = observer ? performance.now() : 0;
      const result: unknown = method.apply(target, args);
      if (!(result instanceof Promise)) return result;
      const bounded = withDeadline(result, timeoutMs);
      if (!observer) return bounded;
      const seconds = () => (performance.now() - started) / 1000;
      return bounded.then(
        (v) => {
          observer(operation, seconds(), "ok");
          return v;
        },
        (err: unknown) => {
          observer(operation, seconds(), err instanceof StoreUnavailableError ? "unavailable" : "error");
          throw err;
        },
      );
    };
  }
}
