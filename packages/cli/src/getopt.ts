/**
 * Command-line option scanning as glibc's getopt(3) does it for the
 * OpenLDAP tools on Debian: single-letter options from an option string
 * (`"a:Ab:c"`: a colon after a letter means it takes an argument, either
 * glued (`-bdc=x`) or the next word), grouped flags (`-LLL`, `-xZZ`),
 * `--` ending the options, and GNU permutation: operands may come before,
 * between or after options (`ldapsearch "(uid=a)" -x -b base` works),
 * unless POSIXLY_CORRECT is set or the option string starts with `+`.
 */

/** One option the scan found. */
export interface ParsedOption {
  /** The option letter. */
  opt: string;
  /** Its argument, for options that take one. */
  arg?: string | undefined;
}

/** What went wrong with one option, as getopt reports it. */
export interface GetoptProblem {
  kind: 'unknown' | 'missing';
  opt: string;
}

/** The scan's result: options in order, operands in order, problems in order. */
export interface GetoptResult {
  options: ParsedOption[];
  operands: string[];
  problems: GetoptProblem[];
}

/** The letters of an option string that take an argument, and those that do not. */
function optionTable(spec: string): Map<string, boolean> {
  const table = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':' || c === '+' || c === '-') continue;
    table.set(c, spec[i + 1] === ':');
  }
  return table;
}

/**
 * Scans `argv` (without the program name) against `spec`. Unknown options
 * and missing arguments are reported in `problems` (with the option as
 * `?` in `options`, as getopt returns '?'), never thrown.
 */
export function getopt(argv: readonly string[], spec: string, env: NodeJS.ProcessEnv = process.env): GetoptResult {
  const table = optionTable(spec);
  const permute = !spec.startsWith('+') && env['POSIXLY_CORRECT'] === undefined;
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  const problems: GetoptProblem[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      i++;
      break;
    }
    if (word.length < 2 || word[0] !== '-') {
      if (!permute) break;
      operands.push(word);
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!;
      const takesArg = table.get(c);
      if (takesArg === undefined) {
        problems.push({ kind: 'unknown', opt: c });
        options.push({ opt: '?' });
        continue;
      }
      if (!takesArg) {
        options.push({ opt: c });
        continue;
      }
      if (j + 1 < word.length) {
        options.push({ opt: c, arg: word.slice(j + 1) });
      } else if (i + 1 < argv.length) {
        options.push({ opt: c, arg: argv[++i]! });
      } else {
        problems.push({ kind: 'missing', opt: c });
        options.push({ opt: '?' });
      }
      break;
    }
  }
  for (; i < argv.length; i++) operands.push(argv[i]!);
  return { options, operands, problems };
}
