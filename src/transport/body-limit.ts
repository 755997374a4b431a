/** "1 MiB" for 1048576: the limit as people read it, in error messages. */
export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The message every protocol answers when a request body is over the limit. */
export function bodyTooLargeMessage(readMaxBytes: number): string {
  return `request body larger than ${describeBytes(readMaxBytes)}`;
}
