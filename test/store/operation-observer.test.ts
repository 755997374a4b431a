import { describe, expect, it } from "vitest";
import { withOperationDeadlines, type OperationOutcome } from "../../src/adapters/mongo/operation-deadline.js";
import { AlreadyExistsError, StoreUnavailableError } from "../../src/domain/errors.js";

/** A stand-in store: the proxy's contract is about promises and method names, not MongoDB. */
class SlowStore {
  answer(ms: number): Promise<string> {
    return new Promise((resolve) => setTimeout(() => resolve("answer"), ms));
  }
  refuse(): Promise<never> {
    return Promise.reject(new AlreadyExistsError("taken"));
  }
  name(): string {
    return "not a promise";
  }
}

describe("store operations are bounded and timed (operation-deadline.ts)", () => {
  const observed: { operation: string; seconds: number; outcome: OperationOutcome }[] = [];
  const observers = { observer: (operation: string, seconds: number, outcome: OperationOutcome) => void observed.push({ operation, seconds, outcome }) };
  const store = withOperationDeadlines(new SlowStore(), 200, "slow", observers);

  it("reports an answer as ok with its time, named <store>.<method>", async () => {
    observed.length = 0;
    await expect(store.answer(30)).resolves.toBe("answer");
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ operation: "slow.answer", outcome: "ok" });
    expect(observed[0]!.seconds).toBeGreaterThanOrEqual(0.025);
    expect(observed[0]!.seconds).toBeLessThan(0.2);
  });

  it("reports a deadline as unavailable, at the deadline", async () => {
    observed.length = 0;
    await expect(store.answer(1000)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(observed).toMatchObject([{ operation: "slow.answer", outcome: "unavailable" }]);
    expect(observed[0]!.seconds).toBeGreaterThanOrEqual(0.19);
    expect(observed[0]!.seconds).toBeLessThan(0.9);
  });

  it("reports another rejection as error and passes it on unchanged", async () => {
    observed.length = 0;
    await expect(store.refuse()).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(observed).toMatchObject([{ operation: "slow.refuse", outcome: "error" }]);
  });

  it("leaves methods that return no promise alone, and times nothing before an observer is set", async () => {
    observed.length = 0;
    expect(store.name()).toBe("not a promise");
    const unobserved = withOperationDeadlines(new SlowStore(), 200, "slow", {});
    await expect(unobserved.answer(1)).resolves.toBe("answer");
    expect(observed).toHaveLength(0);
  });
});
