/**
 * Host names that many domains of a run share as a destination: the MX hosts named in the run's MX answers (a
 * provider's MX host serves thousands of domains, which may be thousands apart in a large estate). A probe call about
 * one of them (its A or AAAA records, their DNSSEC validation) is kept for the run like the host's SMTP facts, so it
 * is asked once per run, not once per domain (issue 11: "MX hosts shared by many domains are probed once per run").
 *
 * Bounded: the most recently named `capacity` hosts (a host named again moves to the end). A host pushed out is
 * asked about again by the next domain that names it; nothing is lost but a repeated question.
 */
export class SharedHosts {
  readonly #names = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 50_000) {
    this.#capacity = capacity;
  }

  /** Notes hosts named by an answer; names are compared without case and without a trailing dot. */
  note(hosts: readonly string[]): void {
    for (const host of hosts) {
      const name = canonicalHost(host);
      if (name === '') continue;
      this.#names.delete(name);
      this.#names.add(name);
      if (this.#names.size > this.#capacity) this.#names.delete(this.#names.values().next().value as string);
    }
  }

  has(host: string): boolean {
    return this.#names.has(canonicalHost(host));
  }

  get size(): number {
    return this.#names.size;
  }
}

const canonicalHost = (host: string): string => host.toLowerCase().replace(/\.$/, '');
