// Credentials in a URL (`//user:pass@`, `//token@`) and secret-looking values (`--password=x`,
// `token:x`, `API_KEY=x`): one set of patterns for every description custodian prints.
const URL_CREDENTIALS = /(\/\/)[^/@\s]+@/g;
const SECRET_VALUE = /((?:pass(?:word|wd)?|pwd|secret|token|api[-_]?key|auth)[^=\s:]*[=:])\S+/gi;

/** Hides credentials in a command line, an address or a path: `//***@host`, `--password=***`. */
export function redact(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@').replace(SECRET_VALUE, '$1***');
}
