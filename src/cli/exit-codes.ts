/** The exit codes are a contract: cron jobs and CI branch on them. Documented in the README and `--help`. */
export const EXIT = {
  ok: 0,
  failed: 1,
  couldNotTest: 2,
  usage: 64,
  /**
   * sysexits EX_UNAVAILABLE: a service the scan needs does not answer before it starts (no configured DNS resolver,
   * or the queue's Redis for `--queue` and `vouch worker`); nothing was scanned.
   */
  noResolver: 69,
  internal: 70,
  /** sysexits EX_CANTCREAT: the scan ran, but its reports could not be written to the output directory. */
  cantWrite: 73,
  /** sysexits EX_IOERR: the run journal could not be written mid-scan (a full disk); the scan stopped, resumable. */
  journal: 74,
  interrupted: 130,
  /** 128 + SIGPIPE, what a shell reports for `yes | head -1`: stdout or stderr was closed by its reader. */
  outputClosed: 141,
} as const;

export const EXIT_HELP = `Exit codes:
  0   no fail (pass, warn, skip; waived findings do not count)
  1   at least one fail (with --fail-on warn, also a warn)
  2   no fail, but at least one error: something could not be tested
  64  usage or configuration error (every problem is listed), or an unusable output directory
  69  a service the scan needs does not answer (a DNS resolver, the queue's Redis; asked once before
      scanning): nothing was scanned
  70  internal error in Vouch
  73  reports could not be written at the end (the text summary is printed; the JSON is kept where stderr says)
  74  the run journal could not be written during the scan (e.g. a full disk): the scan stopped, and
      "vouch scan --resume DIR" continues it once the cause is fixed
  130 interrupted by SIGINT or SIGTERM (a partial report marked "interrupted" is written)
  141 stdout or stderr was closed by its reader (e.g. "| head"): the scan stops as on SIGTERM`;
