import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs (pino). Authorization headers and anything named like a secret are
 * redacted as a second line of defence: no code path is meant to log them in the first place.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "scim-config-service" },
      redact: {
        paths: ["authorization", "*.authorization", "token", "*.token", "apiKey", "*.apiKey", "key", "*.key", "clientSecret", "*.clientSecret"],
        censor: "[redacted]",
      },
    },
    destination ?? process.stdout,
  );
}
