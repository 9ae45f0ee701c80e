// The shape every error of the project's own kinds shares: a `code` a caller can branch on and a message a person can
// act on. Each kind is a subclass with its own code union and name, so `instanceof` still tells them apart.

export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
