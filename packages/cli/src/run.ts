/**
 * The process entry of `lber` (bin/lber.js runs it through tsx in the
 * source tree): main() on the arguments, its result as the exit code.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
