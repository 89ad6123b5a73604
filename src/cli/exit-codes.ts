/** The exit codes are a contract: cron jobs and CI branch on them. Documented in the README and `--help`. */
export const EXIT = {
  ok: 0,
  failed: 1,
  couldNotTest: 2,
  usage: 64,
  internal: 70,
  interrupted: 130,
} as const;

export const EXIT_HELP = `Exit codes:
  0   no fail (pass, warn, skip; waived findings do not count)
  1   at least one fail (with --fail-on warn, also a warn)
  2   no fail, but at least one error: something could not be tested
  64  usage or configuration error (every problem is listed)
  70  internal error in Vouch
  130 interrupted by SIGINT or SIGTERM (a partial report marked "interrupted" is written)`;
