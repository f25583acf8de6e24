// The exhaustiveness check for a `switch (message.type)` over a message union: host and webviews import it (no zod).

export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
