/** A mistake in how a command was used: `hotline` prints the message (what to do next), not a stack. */
export class CliError extends Error {}
