/** A journal that cannot be used as asked. `problem` is the sentence a user reads after the journal's path. */
export class JournalError extends Error {
  readonly path: string;
  readonly problem: string;
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`run journal ${path}: ${problem}`, options);
    this.name = 'JournalError';
    this.path = path;
    this.problem = problem;
  }
}

/**
 * Writing the journal failed (ENOSPC, EIO, EDQUOT...): the scan must stop; the journal stays resumable up to its last
 * whole line. `code` is the errno code (`EIO` when the cause had none), for the exit code and describeFsError.
 */
export class JournalWriteError extends JournalError {
  readonly code: string;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(path, `cannot be written: ${detail}`, { cause });
    this.name = 'JournalWriteError';
    this.code = typeof code === 'string' ? code : 'EIO';
  }
}

/** A journal that is not one (no run line), or of a newer format than this Vouch writes. */
export class JournalFormatError extends JournalError {
  constructor(path: string, problem: string) {
    super(path, problem);
    this.name = 'JournalFormatError';
  }
}

/** A resume refused: the journal was written for another configuration, domain list, check set or Vouch version. */
export class JournalMismatchError extends JournalError {
  /** One sentence per difference, e.g. `the domain list differs (10 domains in the journal, 12 now)`. */
  readonly differences: readonly string[];
  constructor(path: string, differences: readonly string[]) {
    super(path, `belongs to another run setup, so it cannot be resumed: ${differences.join('; ')}`);
    this.name = 'JournalMismatchError';
    this.differences = differences;
  }
}
