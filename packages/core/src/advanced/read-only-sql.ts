/**
 * Why a statement may not run in `walt advanced sql`, or undefined when it may: only statements that
 * leave the database as it is (SQLite's own verdict, sqlite3_stmt_readonly), and not ATTACH or DETACH,
 * which SQLite counts as read-only but which would open other files of the server.
 */
export function readOnlyRefusal(sql: string, sqliteSaysReadOnly: boolean): string | undefined {
  const firstWord = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .split(/\s+/)[0]
    ?.toUpperCase();
  if (!sqliteSaysReadOnly || firstWord === 'ATTACH' || firstWord === 'DETACH') {
    return `walt advanced sql is read-only: '${firstWord ?? ''}' statements are refused (the server's database changes only through walt commands)`;
  }
  return undefined;
}
