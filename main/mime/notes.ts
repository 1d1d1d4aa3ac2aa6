/**
 * The warnings a parse collects: one plain sentence per kind of damage that
 * was worked around, each said once however often it occurred.
 */
export class Notes {
  private readonly seen = new Set<string>();

  /** Records a warning; repeats of the same sentence are dropped. */
  add(message: string): void {
    if (this.seen.size < 50) this.seen.add(message);
  }

  /** The warnings in the order they were first met. */
  list(): string[] {
    return [...this.seen];
  }
}
