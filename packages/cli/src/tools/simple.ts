/**
 * Helpers the small tools share: running one operation to its result
 * (success or not) the way their `ldap_result` + `ldap_parse_result` loop
 * does, and the `Result: ...` block several of them print.
 */
import { LdapResultError } from '@lber/ldap';
import type { LdapOperationResult } from '@lber/ldap';
import { apiErrorCode, toolResult } from '../common.js';
import type { Tool, ToolResult } from '../common.js';
import { ldapErr2string } from '../err2string.js';

/** The final result of `f`, whatever its code; a client-side failure reports `ldap_result: ...` and exits with its code. */
export async function resultOf(tool: Tool, f: () => Promise<LdapOperationResult>): Promise<ToolResult> {
  try {
    return toolResult(await f());
  } catch (error) {
    if (error instanceof LdapResultError) return toolResult(error);
    const code = apiErrorCode(error);
    tool.perror('ldap_result', code, null, null, null, null);
    tool.exit(code);
  }
}

/** The `<label>: <text> (<code>)` block with additional info, matched DN and referrals, on stdout. */
export function printResultBlock(tool: Tool, label: string, r: ToolResult): void {
  let s = `${label}: ${ldapErr2string(r.code)} (${r.code})\n`;
  if (r.text !== '') s += `Additional info: ${r.text}\n`;
  if (r.matched !== '') s += `Matched DN: ${r.matched}\n`;
  for (const ref of r.refs) s += `Referral: ${ref}\n`;
  tool.out.write(s);
}
