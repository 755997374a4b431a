import { randomBytes } from "node:crypto";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether s is a UUID in canonical 8-4-4-4-12 hex form (any version). */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

let lastMs = 0;
let sequence = 0;

/**
 * A version 7 UUID: 48 bits of milliseconds first, so ids sort by creation time. That makes the
 * id itself the keyset pagination key and keeps index inserts at the right-hand edge. Within one
 * millisecond the 12-bit rand_a field counts up (RFC 9562 §6.2, method 1), so ids made by one
 * process are strictly increasing.
 */
export function newId(now: Date = new Date()): string {
  let ms = now.getTime();
  if (ms > lastMs) {
    lastMs = ms;
    sequence = randomBytes(2).readUInt16BE() & 0x7ff; // start low: room to count up
  } else {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      lastMs = ms = lastMs + 1;
      sequence = 0;
    }
  }
  const b = randomBytes(16);
  const t = BigInt(ms);
  for (let i = 0; i < 6; i++) b[i] = Number((t >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = 0x70 | (sequence >> 8);
  b[7] = sequence & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
